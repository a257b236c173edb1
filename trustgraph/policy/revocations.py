"""Revocations: which certificate was revoked when, and on whose word.

A revocation names a certificate by SHA-256 fingerprint, by issuer name and serial
number, or by subject name and key (every certificate of that CA), resolved against the
certificates loaded. Most hold in every view; some only for one store's clients (Firefox
honours Mozilla's OneCRL): those come with the store's anchors.

A revocation has a date, or only an upper bound: CCADB's "Revocation Status" says
*revoked* without a date, so it is recorded as revoked at an unknown time no later than the
report's date (and a OneCRL record without a creation date, no later than its last change).
At a query time T such a certificate is refused when T is on or after that bound; before
it, it is used but every result that relies on it says that it was revoked at an unknown
date ("revoked by" the bound). An index
that assumes the worst (:meth:`RevocationIndex.assuming_revoked`) refuses such certificates
at every time, which tells what holds without them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from trustgraph.storage import trust
from trustgraph.storage.database import Database


@dataclass(frozen=True, slots=True)
class Revocation:
    certificate: str
    revoked_at: str | None
    no_later_than: str | None
    source: str

    @property
    def source_label(self) -> str:
        """The short name of the source (a case file's source id, before its citation)."""
        return self.source.split(": ", 1)[0]

    @property
    def effective(self) -> str:
        """The time from which the certificate certainly counts as revoked."""
        return self.revoked_at or self.no_later_than or ""

    def describe(self) -> str:
        """The date for people: ``2016-09-29``, or ``by 2021-04-05 (date unknown)`` when
        only a bound is known."""
        if self.revoked_at:
            return self.revoked_at[:10]
        return f"by {self.effective[:10]} (date unknown)"

    def as_dict(self) -> dict[str, Any]:
        return {
            "revoked_at": self.revoked_at,
            "no_later_than": self.no_later_than,
            "source": self.source,
        }


@dataclass(frozen=True)
class RevocationIndex:
    """Revocations by certificate fingerprint (the earliest one counts)."""

    by_certificate: dict[str, Revocation] = field(default_factory=dict)
    assume_revoked: bool = False
    """Refuse certificates revoked at an unknown date at every time (what holds without
    them)."""

    def refusal(self, fingerprint: str, at: str) -> str | None:
        """Why the certificate cannot be used at ``at`` because it is revoked, or None."""
        item = self.by_certificate.get(fingerprint)
        if item is None:
            return None
        if at >= item.effective:
            on = "on " if item.revoked_at else ""
            return f"revoked {on}{item.describe()} ({item.source_label})"
        if self.assume_revoked and not item.revoked_at:
            return f"revoked {item.describe()} ({item.source_label}); assumed already revoked"
        return None

    def caveat(self, fingerprint: str, at: str) -> str | None:
        """A note for a certificate used at ``at`` whose revocation date is unknown."""
        item = self.by_certificate.get(fingerprint)
        if item is None or item.revoked_at or at >= item.effective:
            return None
        return (
            f"certificate {fingerprint} was revoked {item.describe()} ({item.source_label}): "
            f"it may already be revoked on {at[:10]}"
        )

    def pending(self, at: str) -> list[Revocation]:
        """The revocations of unknown date whose bound is after ``at`` (those that
        :meth:`caveat` speaks of)."""
        return [
            item
            for item in self.by_certificate.values()
            if not item.revoked_at and at < item.effective
        ]

    def assuming_revoked(self) -> RevocationIndex:
        """A copy that refuses every certificate revoked at an unknown date, at any time."""
        return RevocationIndex(self.by_certificate, assume_revoked=True)

    def get(self, fingerprint: str) -> Revocation | None:
        return self.by_certificate.get(fingerprint)

    def with_extra(self, items: Iterable[Revocation]) -> RevocationIndex:
        """A copy with more revocations (what-if scenarios); earlier ones win."""
        merged = dict(self.by_certificate)
        for item in items:
            _keep_earliest(merged, item)
        return RevocationIndex(merged, self.assume_revoked)

    @classmethod
    def from_database(cls, db: Database, scope: str | None = None) -> RevocationIndex:
        """The revocations every view honours (``scope`` None), or those only the clients
        of store ``scope`` honour (Mozilla's OneCRL), matched to loaded certificates."""
        merged: dict[str, Revocation] = {}
        for fingerprint, revoked_at, no_later_than, source in trust.revocation_rows(db, scope):
            if fingerprint:
                _keep_earliest(merged, Revocation(fingerprint, revoked_at, no_later_than, source))
        return cls(merged)


def _keep_earliest(into: dict[str, Revocation], item: Revocation) -> None:
    known = into.get(item.certificate)
    if known is None or item.effective < known.effective:
        into[item.certificate] = item


EMPTY = RevocationIndex()
