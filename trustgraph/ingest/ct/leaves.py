"""The facts kept of a leaf certificate (from a CT entry or a file): validity, when it was
logged, whether it is a precertificate, its identity (issuer name and serial, shared by a
precertificate and its certificate so that the pair counts once), the issuer as submitted,
and the registered domains of its names (eTLD+1 by the Public Suffix List, private
suffixes such as ``github.io`` included).
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass, replace

from publicsuffixlist import PublicSuffixList

from trustgraph.ingest.ct.tiles import Entry, TileError, read_data_tile
from trustgraph.x509 import der, names

SAN_OID = "2.5.29.17"
COMMON_NAME = "2.5.4.3"
_DNS_NAME = 0x82


@dataclass(frozen=True, slots=True)
class LeafFacts:
    """What is kept of one leaf; times in seconds (validity) and milliseconds (logged)
    since the epoch; ``ident`` and domain ids are 64-bit hashes."""

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
    issuer_name: int = 0
    """64 bits of SHA-256 of its issuer's name key: the chain's issuer must carry it."""
    issuer_key_hash: bytes | None = None
    """A precertificate's SHA-256 of its issuer's SubjectPublicKeyInfo."""


def hash64(data: bytes) -> int:
    """A signed 64-bit integer from SHA-256 (SQLite's INTEGER range)."""
    return int.from_bytes(hashlib.sha256(data).digest()[:8], "big", signed=True)


SUFFIXES = PublicSuffixList()
"""The Public Suffix List the package ships (read once per process; worker processes start
with it read, see :data:`trustgraph.ingest.parallel.PRELOAD`)."""


def registered_domain(name: str) -> str | None:
    """The registered domain (eTLD+1) of a DNS name, wildcards and case aside (None: an IP
    address, a public suffix itself, or not a domain name)."""
    text = name.strip().rstrip(".").lower()
    text = text.removeprefix("*.")
    if not text or " " in text:
        return None
    try:
        ipaddress.ip_address(text)
        return None
    except ValueError:
        pass
    found = SUFFIXES.privatesuffix(text)
    return found if isinstance(found, str) else None


def facts_of(
    der_bytes: bytes,
    precert: bool,
    logged: int | None,
    issuer: bytes | None,
    second: bytes | None = None,
) -> LeafFacts:
    """The facts of a certificate (``precert``: a precertificate's TBSCertificate).

    Raises:
        der.DerError: the bytes are not a certificate (TBSCertificate).
    """
    parts = der.split_tbs(der_bytes) if precert else der.split_certificate(der_bytes)
    not_before, not_after = der.parse_validity(parts.validity)
    found: dict[int, str] = {}
    for name in _dns_names(parts):
        domain = registered_domain(name)
        if domain is not None:
            found.setdefault(hash64(domain.encode()), domain)
    issuer_key = names.name_key(names.rdns_from_der(parts.issuer)).encode()
    return LeafFacts(
        int(not_before.timestamp()),
        int(not_after.timestamp()),
        logged,
        precert,
        hash64(issuer_key + b"\0" + parts.serial),
        issuer,
        second,
        tuple(sorted(found.items())),
        hash64(issuer_key),
    )


def _dns_names(parts: der.CertificateParts) -> list[str]:
    """The DNS names of the subjectAltName, else the subject's common name."""
    for extension in parts.extensions:
        if extension.oid == SAN_OID:
            value = extension.value
            outer = der.read_tlv(value, 0)
            return [
                item.content(value).decode("ascii", "replace")
                for item in der.children(value, outer)
                if item.tag == _DNS_NAME
            ]
    common = names.first_value(names.rdns_from_der(parts.subject), COMMON_NAME)
    return [common] if common else []


@dataclass(frozen=True, slots=True)
class TileFacts:
    """A data tile read: its index and width, its entries' Merkle leaf hashes, and each
    entry's facts (or why it could not be read)."""

    index: int
    width: int
    hashes: list[bytes]
    facts: list[LeafFacts | str]


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
        found.append(TileFacts(index, width, hashes, [_entry_facts(e) for e in entries]))
    return found


def _entry_facts(entry: Entry) -> LeafFacts | str:
    issuer = entry.chain[0] if entry.chain else None
    second = entry.chain[1] if len(entry.chain) > 1 else None
    try:
        facts = facts_of(entry.signed, entry.precert, entry.timestamp, issuer, second)
        return replace(facts, issuer_key_hash=entry.issuer_key_hash)
    except (der.DerError, ValueError, UnicodeDecodeError) as exc:
        return f"not a certificate: {exc}"
