"""The static CT API's resources: tile paths (``tile/<L>/<N>[.p/<W>]``, ``tile/data/...``,
``issuer/<sha256>``) and the entries of a data tile (c2sp.org/static-ct-api, "Log entries").

A data tile is a sequence of ``TileLeaf`` structures: an RFC 6962 ``TimestampedEntry``
(timestamp, entry type, the certificate or the precertificate's issuer key hash and
TBSCertificate, extensions), for a precertificate entry the precertificate as submitted,
and the SHA-256 fingerprints of the submitted chain. The Merkle leaf of an entry is the
RFC 6962 ``MerkleTreeLeaf`` around its ``TimestampedEntry``: the tree covers that part
only. The submitted precertificate is not used; the chain is checked against the entry
(its issuer must carry the entry's issuer name, and for a precertificate the key whose hash
the entry holds).
"""

from __future__ import annotations

from dataclasses import dataclass

from trustgraph.ingest.ct.merkle import TILE_WIDTH, leaf_hash

X509_ENTRY, PRECERT_ENTRY = 0, 1
MAX_TILE_BYTES = 64 << 20
"""The most a data tile may hold (256 entries of a few KiB each are far less)."""


class TileError(ValueError):
    """A tile whose bytes are not what the API defines."""


def tile_index_path(index: int) -> str:
    """A tile index as the API encodes it: 3-digit path elements, all but the last
    prefixed with ``x`` (1234067 -> ``x001/x234/067``).

    Raises:
        ValueError: a negative index.
    """
    if index < 0:
        raise ValueError("a tile index is not negative")
    groups = []
    while True:
        groups.append(f"{index % 1000:03d}")
        index //= 1000
        if not index:
            break
    groups.reverse()
    return "/".join([*(f"x{g}" for g in groups[:-1]), groups[-1]])


def tile_path(level: int, index: int, width: int = TILE_WIDTH) -> str:
    """The path of a hash tile (level 0 to 5) below the monitoring prefix."""
    suffix = "" if width == TILE_WIDTH else f".p/{width}"
    return f"tile/{level}/{tile_index_path(index)}{suffix}"


def data_tile_path(index: int, width: int = TILE_WIDTH) -> str:
    suffix = "" if width == TILE_WIDTH else f".p/{width}"
    return f"tile/data/{tile_index_path(index)}{suffix}"


def issuer_path(fingerprint: str) -> str:
    return f"issuer/{fingerprint}"


@dataclass(frozen=True, slots=True)
class Entry:
    """One entry of a data tile: when it was logged (ms since the epoch), the certificate
    (DER) or precertificate TBSCertificate (DER) the log signed, and the chain's
    fingerprints (first: the issuer as submitted)."""

    timestamp: int
    precert: bool
    signed: bytes
    chain: tuple[bytes, ...]
    issuer_key_hash: bytes | None = None
    """A precertificate entry's SHA-256 of its issuer's key (covered by the tree)."""


class _Reader:
    """Reads the TLS-encoded fields of a tile, refusing to read past its end."""

    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def take(self, count: int) -> bytes:
        end = self.at + count
        if end > len(self.data):
            raise TileError(f"the tile ends inside an entry (byte {self.at})")
        chunk = self.data[self.at : end]
        self.at = end
        return chunk

    def number(self, size: int) -> int:
        return int.from_bytes(self.take(size), "big")

    def vector(self, length_size: int) -> bytes:
        return self.take(self.number(length_size))


def read_data_tile(data: bytes, width: int) -> tuple[list[Entry], list[bytes]]:
    """The ``width`` entries of a data tile and their Merkle leaf hashes.

    Raises:
        TileError: the tile holds fewer or more entries, or an entry that is not a
            ``TileLeaf`` (an unknown entry type, a length past the end, a chain that is not
            whole fingerprints).
    """
    if len(data) > MAX_TILE_BYTES:
        raise TileError(f"a data tile of {len(data)} bytes is beyond {MAX_TILE_BYTES}")
    reader = _Reader(data)
    entries: list[Entry] = []
    hashes: list[bytes] = []
    for _ in range(width):
        start = reader.at
        timestamp = reader.number(8)
        entry_type = reader.number(2)
        key_hash = None
        if entry_type == X509_ENTRY:
            signed = reader.vector(3)
        elif entry_type == PRECERT_ENTRY:
            key_hash = reader.take(32)
            signed = reader.vector(3)
        else:
            raise TileError(f"entry {len(entries)} has the unknown entry type {entry_type}")
        reader.vector(2)  # CtExtensions
        timestamped = reader.data[start : reader.at]
        if entry_type == PRECERT_ENTRY:
            reader.vector(3)  # the precertificate as submitted: not covered by the tree
        chain = reader.vector(2)
        if len(chain) % 32:
            raise TileError(f"entry {len(entries)} has a chain of {len(chain)} bytes")
        entries.append(
            Entry(
                timestamp,
                entry_type == PRECERT_ENTRY,
                signed,
                tuple(chain[i : i + 32] for i in range(0, len(chain), 32)),
                key_hash,
            )
        )
        hashes.append(leaf_hash(b"\x00\x00" + timestamped))
    if reader.at != len(data):
        raise TileError(f"{len(data) - reader.at} bytes after the tile's {width} entries")
    return entries, hashes
