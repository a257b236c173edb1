"""The facts kept of a leaf certificate (from a CT entry or a file): validity, when it was
logged, whether it is a precertificate, its identity (issuer name and serial, shared by a
precertificate and its certificate so that the pair counts once), the issuer as submitted,
and the registered domains of its names (eTLD+1 by the Public Suffix List, private
suffixes such as ``github.io`` included).
"""

from __future__ import annotations

import hashlib
import re
import warnings
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import NamedTuple

from cryptography import x509
from cryptography.x509.oid import NameOID
from publicsuffixlist import PublicSuffixList

from trustgraph.ingest.ct.merkle import TILE_WIDTH, subtree_root
from trustgraph.ingest.ct.tiles import Entry, TileError, read_data_tile
from trustgraph.x509 import der, names

SAN_OID = "2.5.29.17"
_DNS_NAME = 0x82
_IP_LIKE = re.compile(r"[0-9.]+|.*:.*")
_FAKE_SIGNATURE = bytes.fromhex("300a06082a8648ce3d040302") + b"\x03\x01\x00"
"""An AlgorithmIdentifier and an empty BIT STRING: the parts a TBSCertificate lacks to be
read as a certificate (nothing checks a leaf's signature)."""


class LeafFacts(NamedTuple):
    """What is kept of one leaf; times in seconds (validity) and milliseconds (logged)
    since the epoch; ``ident``, ``issuer_name`` and domain ids are 64-bit hashes. (A
    tuple: workers send a tile's worth back at a time.)"""

    not_before: int
    not_after: int
    logged: int | None
    precert: bool
    ident: int
    issuer: bytes | None
    """SHA-256 of the issuer as submitted (None: not known, a leaf from a file)."""
    second: bytes | None
    """SHA-256 of the certificate above it in the chain (the CA when the issuer only signs
    precertificates for it)."""
    domains: tuple[tuple[int, str], ...]
    issuer_name: int
    """64 bits of the hash of its issuer's name key: the chain's issuer must carry it."""
    issuer_key_hash: bytes | None
    """A precertificate's SHA-256 of its issuer's SubjectPublicKeyInfo."""
    chain: tuple[bytes, ...] = ()
    """The SHA-256s of the chain logged with the entry, issuer first (empty: a file's)."""


def hash64(data: bytes) -> int:
    """A signed 64-bit integer from a hash of ``data`` (SQLite's INTEGER range)."""
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big", signed=True)


SUFFIXES = PublicSuffixList()
"""The Public Suffix List the package ships (read once per process; worker processes start
with it read, see :data:`trustgraph.ingest.parallel.PRELOAD`)."""


def registered_domain(name: str) -> str | None:
    """The registered domain (eTLD+1) of a DNS name, wildcards and case aside (None: an IP
    address, a public suffix itself, or not a domain name)."""
    text = name.strip().rstrip(".").lower().removeprefix("*.")
    if not text or " " in text or _IP_LIKE.fullmatch(text):
        return None
    found = SUFFIXES.privatesuffix(text)
    return found if isinstance(found, str) else None


@lru_cache(maxsize=4096)
def _issuer_keys(issuer: bytes) -> tuple[bytes, int]:
    """(name key, its 64-bit hash) of an issuer Name's DER (issuers repeat)."""
    key = names.name_key(names.rdns_from_der(issuer)).encode()
    return key, hash64(key)


def facts_of(
    der_bytes: bytes,
    precert: bool,
    logged: int | None,
    issuer: bytes | None,
    second: bytes | None = None,
    issuer_key_hash: bytes | None = None,
    chain: tuple[bytes, ...] = (),
) -> LeafFacts:
    """The facts of a certificate (``precert``: a precertificate's TBSCertificate), read
    by ``cryptography``, else (legacy encodings it refuses) by trustgraph's DER walker.

    Raises:
        ValueError: the bytes are not a certificate (TBSCertificate).
    """
    whole = _wrapped(der_bytes) if precert else der_bytes
    try:
        validity, serial, issuer_der, dns = _read(whole)
    except ValueError:
        validity, serial, issuer_der, dns = _read_der(der_bytes, precert)
    name_key, name_hash = _issuer_keys(issuer_der)
    found: dict[int, str] = {}
    for name in dns:
        domain = registered_domain(name)
        if domain is not None:
            found.setdefault(hash64(domain.encode()), domain)
    return LeafFacts(
        int(validity[0].timestamp()),
        int(validity[1].timestamp()),
        logged,
        precert,
        hash64(name_key + b"\0" + serial),
        issuer,
        second,
        tuple(sorted(found.items())),
        name_hash,
        issuer_key_hash,
        chain,
    )


_Read = tuple[tuple[datetime, datetime], bytes, bytes, list[str]]
"""(notBefore, notAfter), the serial's content octets, the issuer Name's DER, DNS names."""


def _wrapped(tbs: bytes) -> bytes:
    """A TBSCertificate as a certificate with an empty signature."""
    body = tbs + _FAKE_SIGNATURE
    return b"\x30" + der_length(len(body)) + body


def der_length(size: int) -> bytes:
    if size < 0x80:
        return bytes([size])
    octets = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(octets)]) + octets


def _read(whole: bytes) -> _Read:
    """The facts read by ``cryptography``.

    Raises:
        ValueError: it refuses the bytes.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # negative serials and the like are kept
        cert = x509.load_der_x509_certificate(whole)
        serial = cert.serial_number
        octets = serial.to_bytes((serial.bit_length() + 8) // 8, "big", signed=True)
        return (
            (cert.not_valid_before_utc, cert.not_valid_after_utc),
            octets,
            cert.issuer.public_bytes(),
            _dns_names(cert),
        )


def _read_der(der_bytes: bytes, precert: bool) -> _Read:
    """The facts read by trustgraph's DER walker (legacy encodings).

    Raises:
        der.DerError: the bytes are not a certificate (TBSCertificate).
    """
    parts = der.split_tbs(der_bytes) if precert else der.split_certificate(der_bytes)
    dns: list[str] = []
    for extension in parts.extensions:
        if extension.oid == SAN_OID:
            value = extension.value
            outer = der.read_tlv(value, 0)
            dns = [
                item.content(value).decode("ascii", "replace")
                for item in der.children(value, outer)
                if item.tag == _DNS_NAME
            ]
    return der.parse_validity(parts.validity), parts.serial, parts.issuer, dns


def _dns_names(cert: x509.Certificate) -> list[str]:
    """The DNS names of the subjectAltName, else the subject's common name."""
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        return [str(n) for n in san.value.get_values_for_type(x509.DNSName)]
    except x509.ExtensionNotFound:
        common = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        return [str(common[0].value)] if common else []


@dataclass(frozen=True, slots=True)
class TileFacts:
    """A data tile read: its index and width, its entries' Merkle leaf hashes, and each
    entry's facts (or why it could not be read)."""

    index: int
    width: int
    hashes: list[bytes]
    facts: list[LeafFacts | str]
    root: bytes | None = None
    """The Merkle Tree Hash of a full tile's leaves (computed where the tile is read)."""


def tile_facts(batch: list[tuple[int, int, bytes]]) -> list[TileFacts | str]:
    """Each (index, width, bytes) data tile read (in a worker): its facts, or why the tile
    is not a data tile of that width."""
    found: list[TileFacts | str] = []
    for index, width, data in batch:
        try:
            entries, hashes = read_data_tile(data, width)
        except TileError as exc:
            found.append(f"data tile {index}: {exc}")
            continue
        root = subtree_root(hashes) if width == TILE_WIDTH else None
        found.append(TileFacts(index, width, hashes, [_entry_facts(e) for e in entries], root))
    return found


def _entry_facts(entry: Entry) -> LeafFacts | str:
    issuer = entry.chain[0] if entry.chain else None
    second = entry.chain[1] if len(entry.chain) > 1 else None
    try:
        return facts_of(
            entry.signed,
            entry.precert,
            entry.timestamp,
            issuer,
            second,
            entry.issuer_key_hash,
            tuple(entry.chain),
        )
    except (ValueError, UnicodeDecodeError) as exc:
        return f"not a certificate: {exc}"
