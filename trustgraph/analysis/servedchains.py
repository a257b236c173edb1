"""The chains servers send for a CA's certificates, as commonly configured: what a client
meets when no real chain is at hand.

An assumption, and said to be one: a server sends the certificate that issued its
certificate, then that one's issuers up to, not including, a self-signed root, as its CA
published them when the server was set up. Two variants: *long* follows
cross-certificates as far as they go (the compatibility chains CAs published: Sectigo's
through AddTrust, Let's Encrypt's through DST Root CA X3); *short* stops below the first
CA that has a root certificate of its own. At each step the issuer certificate valid when
the server was set up and expiring last is taken; none valid then ends the chain.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from trustgraph.x509.certificate import CertificateRecord
from trustgraph.x509.signatures import Outcome, verify

LONG = "long"
SHORT = "short"
LOGGED = "logged"
"""The variant of a chain a CT entry was logged with (observed, not assumed)."""
MAX_LENGTH = 8
ASSUMPTION = (
    "the chains are those a server would send as commonly configured (not observed): the "
    "issuing CA's certificate and its issuers up to a root, through cross-certificates "
    "('long') or stopping below the first CA with a root certificate ('short'), as "
    "published when the server was set up"
)

Lookup = Callable[[str], Sequence[CertificateRecord]]
"""Loaded CA certificates by normalized subject."""


@dataclass(frozen=True)
class ServedChain:
    """One chain a server may send for a certificate issued by ``certificates[0]``'s CA:
    the CA certificates it sends, nearest first, and which variant it is."""

    variant: str
    certificates: tuple[CertificateRecord, ...]

    @property
    def key(self) -> tuple[str, ...]:
        return tuple(record.sha256 for record in self.certificates)


def served_chains(
    start: CertificateRecord, lookup: Lookup, configured: datetime
) -> list[ServedChain]:
    """The long and the short chain from ``start`` (one when they are the same)."""
    long = _climb(start, lookup, configured, stop_at_root=False)
    short = _climb(start, lookup, configured, stop_at_root=True)
    found = [ServedChain(LONG, long)]
    if short != long:
        found.append(ServedChain(SHORT, short))
    return found


def _climb(
    start: CertificateRecord, lookup: Lookup, configured: datetime, stop_at_root: bool
) -> tuple[CertificateRecord, ...]:
    chain = [start]
    seen = {(start.subject_key, start.spki)}
    while len(chain) < MAX_LENGTH:
        top = chain[-1]
        issuers = [c for c in lookup(top.issuer_key) if c.sha256 != top.sha256 and _signed(c, top)]
        roots = [c for c in issuers if c.self_issued and _signed(c, c)]
        if stop_at_root and roots:
            break
        root_prints = {c.sha256 for c in roots}
        onward = [
            c
            for c in issuers
            if c.sha256 not in root_prints and (c.subject_key, c.spki) not in seen
        ]
        chosen = _preferred(onward, configured)
        if chosen is None:
            break
        chain.append(chosen)
        seen.add((chosen.subject_key, chosen.spki))
    return tuple(chain)


def _preferred(
    candidates: list[CertificateRecord], configured: datetime
) -> CertificateRecord | None:
    valid = [c for c in candidates if c.not_before <= configured <= c.not_after]
    return max(valid, key=lambda c: (c.not_after, c.sha256)) if valid else None


def _signed(issuer: CertificateRecord, child: CertificateRecord) -> bool:
    checked = verify(issuer.spki, child.signature, child.tbs, child.signature_value)
    return checked.outcome is Outcome.VERIFIED
