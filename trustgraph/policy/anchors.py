"""Trust anchors: the CAs a path may start from, the certificate that stands for each, and
what the trust store says of each beyond membership.

An anchor is a CA (name + key), not a certificate: a root that is also cross-signed is one
anchor whichever of its certificates the trust store lists. Its own certificate is never
judged (expiry, self-signature and algorithm do not matter).

Root programs restrict anchors in a few ways, one model for all (:class:`AnchorTrust`):
the purposes (EKUs) the anchor is trusted for (Microsoft's trust list; a query with
``--purpose serverAuth`` drops anchors not trusted for it); a distrust-after date, by
notBefore, for all purposes (NSS ``CKA_NSS_SERVER_DISTRUST_AFTER``) or some (Microsoft's
"NotBefore" date and EKUs); a cut-off on SCT time (Chrome's ``sct_not_after``), judged on
the last certificate of a path when it carries embedded SCTs. A store's disabled dates
(Microsoft) take an anchor out of the set from that day.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from trustgraph.policy.distrust import NameRule
from trustgraph.policy.revocations import EMPTY, RevocationIndex
from trustgraph.storage import edges
from trustgraph.storage.database import Database
from trustgraph.x509.keyusage import SERVER_AUTH as SERVER_AUTH

ANY_PURPOSE = "2.5.29.37.0"


@dataclass(frozen=True)
class AnchorTrust:
    """What a store says of one anchor beyond membership (None: no restriction)."""

    purposes: frozenset[str] | None = None
    distrust_after: str | None = None
    distrust_purposes: frozenset[str] | None = None
    sct_not_after: str | None = None

    def trusted_for(self, purpose: str | None) -> bool:
        """Whether the anchor is trusted for the EKU ``purpose`` (None: any purpose; an
        anchor trusted for no purpose at all is trusted for none)."""
        if self.purposes is not None and not self.purposes:
            return False
        return (
            purpose is None
            or self.purposes is None
            or purpose in self.purposes
            or ANY_PURPOSE in self.purposes
        )

    def cutoff_for(self, purpose: str | None) -> str | None:
        """The latest notBefore trusted below the anchor for ``purpose`` (None: any
        purpose, where a cut-off that leaves some trusted purpose open does not apply)."""
        if self.distrust_after is None or self.distrust_purposes is None:
            return self.distrust_after
        if purpose is None:
            covered = self.purposes is not None and self.purposes <= self.distrust_purposes
            return self.distrust_after if covered else None
        return self.distrust_after if purpose in self.distrust_purposes else None

    def merged(self, other: AnchorTrust) -> AnchorTrust:
        """The trust of one CA that a store lists by two certificates: what either allows."""
        purposes = (
            None
            if self.purposes is None or other.purposes is None
            else self.purposes | other.purposes
        )
        return AnchorTrust(
            purposes,
            _later(self.distrust_after, other.distrust_after),
            None
            if self.distrust_purposes is None or other.distrust_purposes is None
            else self.distrust_purposes & other.distrust_purposes,
            _later(self.sct_not_after, other.sct_not_after),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "purposes": sorted(self.purposes) if self.purposes is not None else None,
            "distrust_after": self.distrust_after,
            "distrust_purposes": (
                sorted(self.distrust_purposes) if self.distrust_purposes is not None else None
            ),
            "sct_not_after": self.sct_not_after,
        }


def _later(a: str | None, b: str | None) -> str | None:
    """The later of two cut-offs (None: none, which is later than any)."""
    return None if a is None or b is None else max(a, b)


@dataclass(frozen=True)
class AnchorSet:
    """Anchor CAs, each with the fingerprints of its anchor certificates (sorted), and what
    the trust store they come from says beyond that: per-anchor trust restrictions,
    certificates it distrusts outright, subject-name distrust rules in force, and the
    revocations its clients alone honour."""

    cas: dict[str, tuple[str, ...]]
    source: dict[str, Any] = field(default_factory=dict)
    trust: dict[str, AnchorTrust] = field(default_factory=dict)
    blocked: frozenset[str] = frozenset()
    name_rules: tuple[NameRule, ...] = ()
    revocations: RevocationIndex = field(default=EMPTY, compare=False)
    """Dated revocations only this store's clients honour (Mozilla's OneCRL)."""

    def certificate_for(self, ca_id: str) -> str:
        """The anchor certificate that stands for ``ca_id`` in paths (the lowest SHA-256)."""
        return self.cas[ca_id][0]

    def ordered(self) -> list[str]:
        """Anchor CAs in the order of their representative certificate's fingerprint."""
        return sorted(self.cas, key=self.certificate_for)

    def __contains__(self, ca_id: object) -> bool:
        return ca_id in self.cas

    def __len__(self) -> int:
        return len(self.cas)

    def without(self, cas: set[str]) -> AnchorSet:
        """The same trust store without the anchors ``cas``."""
        return replace(self, cas={ca: fps for ca, fps in self.cas.items() if ca not in cas})

    def for_purpose(self, purpose: str | None) -> AnchorSet:
        """The anchors trusted for the EKU ``purpose`` (None: every anchor)."""
        kept = {
            ca: fps
            for ca, fps in self.cas.items()
            if ca not in self.trust or self.trust[ca].trusted_for(purpose)
        }
        return self if len(kept) == len(self.cas) else replace(self, cas=kept)

    def trust_of(self, ca_id: str) -> AnchorTrust:
        return self.trust.get(ca_id, UNRESTRICTED)

    def as_dict(self) -> dict[str, Any]:
        result = {**self.source, "count": len(self.cas)}
        restricted = {ca: t for ca, t in self.trust.items() if t != UNRESTRICTED}
        if restricted:
            result["restrictions"] = {ca: t.as_dict() for ca, t in sorted(restricted.items())}
        if self.blocked:
            result["distrusted_certificates"] = sorted(self.blocked)
        if self.name_rules:
            result["name_rules"] = [rule.as_dict() for rule in self.name_rules]
        return result


UNRESTRICTED = AnchorTrust()


def _group(rows: Iterable[tuple[str, str]]) -> dict[str, tuple[str, ...]]:
    grouped: dict[str, set[str]] = {}
    for fingerprint, ca in rows:
        grouped.setdefault(ca, set()).add(fingerprint)
    return {ca: tuple(sorted(fps)) for ca, fps in grouped.items()}


def anchors_from_fingerprints(
    db: Database, fingerprints: Iterable[str], source: dict[str, Any]
) -> AnchorSet:
    """The anchors whose certificates have these fingerprints (unknown ones are ignored)."""
    return AnchorSet(_group(edges.certificate_cas(db, fingerprints)), source)


def database_roots(db: Database) -> AnchorSet:
    """Every root in the database: self-issued certificates no other key signed."""
    source = {
        "kind": "database-roots",
        "description": "every self-signed root certificate in the database",
    }
    return AnchorSet(_group(edges.root_certificates(db)), source)
