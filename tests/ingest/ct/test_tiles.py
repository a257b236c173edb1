"""Tiles without a log: the root of a tree computed from its tiles equals the RFC 6962
root over its leaves for every size shape, tile paths, data tile and checkpoint parsing
refuse what the API does not define (property tests)."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import example, given
from hypothesis import strategies as st

from tests.fuzzing import fuzz
from trustgraph.errors import InputError
from trustgraph.ingest.ct.checkpoint import LogKey, verify_checkpoint
from trustgraph.ingest.ct.merkle import TILE_WIDTH, leaf_hash, node_hash, root_from_tiles
from trustgraph.ingest.ct.tiles import TileError, read_data_tile, tile_index_path
from trustgraph.ingest.ct.tree import TreeMismatch, VerifiedTree


def _rfc_root(hashes_: Sequence[bytes]) -> bytes:
    """RFC 6962's MTH, written from its definition (the split at the largest power of two
    smaller than n)."""
    if len(hashes_) == 1:
        return hashes_[0]
    k = 1
    while k * 2 < len(hashes_):
        k *= 2
    return node_hash(_rfc_root(hashes_[:k]), _rfc_root(hashes_[k:]))


def _tiles_of(leaves: list[bytes]) -> dict[tuple[int, int], list[bytes]]:
    """Every tile (full and the partial ones) of a tree of these leaf hashes."""
    tiles: dict[tuple[int, int], list[bytes]] = {}
    level, hashes_ = 0, leaves
    while hashes_:
        for start in range(0, len(hashes_), TILE_WIDTH):
            tiles[(level, start // TILE_WIDTH)] = hashes_[start : start + TILE_WIDTH]
        hashes_ = [
            _rfc_root(hashes_[i : i + TILE_WIDTH])
            for i in range(0, len(hashes_) - len(hashes_) % TILE_WIDTH, TILE_WIDTH)
        ]
        level += 1
    return tiles


SIZES = [1, 2, 3, 255, 256, 257, 511, 65535, 65536, 65537, 70000]


@pytest.mark.parametrize("size", SIZES)
def test_the_root_from_tiles_is_the_rfc_root(size: int) -> None:
    leaves = [leaf_hash(i.to_bytes(4, "big")) for i in range(size)]
    tiles = _tiles_of(leaves)
    root = root_from_tiles(size, lambda level, index, width: tiles[(level, index)][:width])
    assert root == _rfc_root(leaves)


@pytest.mark.parametrize("size", [300, 65536 + 700])
def test_a_tree_authenticates_its_tiles_and_earlier_roots(size: int) -> None:
    leaves = [leaf_hash(i.to_bytes(4, "big")) for i in range(size)]
    tiles = _tiles_of(leaves)

    def fetch(level: int, index: int, width: int) -> bytes:
        return b"".join(tiles[(level, index)][:width])

    tree = VerifiedTree(size, _rfc_root(leaves), fetch)
    tree.check_data_tile(0, leaves[:256])
    tree.check_data_tile(size // 256, leaves[size - size % 256 :])
    for earlier in (1, 255, 256, 299):
        assert tree.root_at(earlier) == _rfc_root(leaves[:earlier])
    with pytest.raises(TreeMismatch):
        tree.check_data_tile(0, [leaves[1], *leaves[1:256]])
    with pytest.raises(TreeMismatch):
        VerifiedTree(size, _rfc_root(leaves[1:]), fetch)


@pytest.mark.parametrize(
    ("index", "path"), [(0, "000"), (7, "007"), (1000, "x001/000"), (1234067, "x001/x234/067")]
)
def test_tile_indexes_become_paths(index: int, path: str) -> None:
    assert tile_index_path(index) == path


@fuzz(200)
@given(st.binary(max_size=400), st.integers(1, 4))
@example(b"\x00" * 10 + b"\x00\x00\x01", 1)
def test_any_bytes_are_entries_or_a_tile_error(data: bytes, width: int) -> None:
    try:
        entries, hashes_ = read_data_tile(data, width)
    except TileError:
        return
    assert len(entries) == len(hashes_) == width


def _signed_checkpoint(key: ec.EllipticCurvePrivateKey, origin: str, size: int) -> bytes:
    spki = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    root = hashlib.sha256(b"root").digest()
    timestamp = 1_700_000_000_000
    message = b"\x00\x01" + timestamp.to_bytes(8, "big") + size.to_bytes(8, "big") + root
    signature = key.sign(message, ec.ECDSA(hashes.SHA256()))
    body = timestamp.to_bytes(8, "big") + b"\x04\x03" + len(signature).to_bytes(2, "big")
    body += signature
    key_id = LogKey(spki).key_id(origin)
    line = base64.b64encode(key_id + body).decode()
    text = f"{origin}\n{size}\n{base64.b64encode(root).decode()}\n\n\u2014 {origin} {line}\n"
    return text.encode()


def test_a_checkpoint_verifies_with_its_key_only() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    data = _signed_checkpoint(key, "example.org/log", 1234)
    log_key = LogKey(
        key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    found = verify_checkpoint(data, log_key, "cp")
    assert (found.origin, found.size) == ("example.org/log", 1234)
    forged = data.replace(b"\n1234\n", b"\n1235\n")
    with pytest.raises(InputError, match="does not verify"):
        verify_checkpoint(forged, log_key, "cp")


_FUZZ_KEY = ec.generate_private_key(ec.SECP256R1())
_FUZZ_CHECKPOINT = _signed_checkpoint(_FUZZ_KEY, "example.org/log", 99)
"""One signed checkpoint for the property test (signing again would give other bytes)."""


@fuzz(200)
@given(st.data())
def test_any_edit_of_a_checkpoint_verifies_or_is_refused(data: st.DataObject) -> None:
    key, text = _FUZZ_KEY, _FUZZ_CHECKPOINT
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, min(len(text), start + 8)))
    edited = text[:start] + data.draw(st.binary(max_size=6)) + text[end:]
    spki = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    try:
        found = verify_checkpoint(edited, LogKey(spki), "cp")
    except InputError as exc:
        assert str(exc).startswith("cp: ")
    else:
        assert found.size == 99  # only what the signature does not cover may change
