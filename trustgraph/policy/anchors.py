"""Trust anchors: the CAs a path may start from, and the certificate that stands for each.

An anchor is a CA (name + key), not a certificate: a root that is also cross-signed is one
anchor whichever of its certificates the trust store lists. Its own certificate is never
judged (expiry, self-signature and algorithm do not matter).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from trustgraph.policy.distrust import NameRule
from trustgraph.storage import edges
from trustgraph.storage.database import Database


@dataclass(frozen=True)
class AnchorSet:
    """Anchor CAs, each with the fingerprints of its anchor certificates (sorted), and what
    the trust store they come from says beyond that: per-anchor distrust-after dates,
    certificates it distrusts outright, and subject-name distrust rules in force."""

    cas: dict[str, tuple[str, ...]]
    source: dict[str, Any] = field(default_factory=dict)
    distrust_after: dict[str, str] = field(default_factory=dict)
    blocked: frozenset[str] = frozenset()
    name_rules: tuple[NameRule, ...] = ()

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

    def as_dict(self) -> dict[str, Any]:
        result = {**self.source, "count": len(self.cas)}
        if self.distrust_after:
            result["distrust_after"] = dict(sorted(self.distrust_after.items()))
        if self.blocked:
            result["distrusted_certificates"] = sorted(self.blocked)
        if self.name_rules:
            result["name_rules"] = [rule.as_dict() for rule in self.name_rules]
        return result


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
