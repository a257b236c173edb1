"""Trust stores over time: anchors added and removed between two dates, and the history
of a store's anchors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from trustgraph.policy.stores import list_snapshots, snapshot_at
from trustgraph.storage import trust
from trustgraph.storage.database import Database
from trustgraph.storage.trust import Snapshot


@dataclass
class StoreDiff:
    store: str
    first: Snapshot
    second: Snapshot
    added: list[dict[str, Any]]
    removed: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "store": self.store,
            "from": self.first.as_dict(),
            "to": self.second.as_dict(),
            "added": self.added,
            "removed": self.removed,
        }


def diff(db: Database, store: str, first: str, second: str) -> StoreDiff:
    """Anchors (by CA) added and removed between the snapshots in force at two dates.

    Raises:
        UsageError: see :func:`trustgraph.policy.stores.snapshot_at`.
    """
    a, b = snapshot_at(db, store, first), snapshot_at(db, store, second)
    before, after = _anchor_cas(db, a.id), _anchor_cas(db, b.id)
    return StoreDiff(
        store,
        a,
        b,
        [after[key] for key in sorted(set(after) - set(before))],
        [before[key] for key in sorted(set(before) - set(after))],
    )


def _anchor_cas(db: Database, snapshot_id: int) -> dict[str, dict[str, Any]]:
    result: dict[str, dict[str, Any]] = {}
    for fingerprint, ca, subject in trust.snapshot_anchor_subjects(db, snapshot_id):
        key = ca or f"certificate:{fingerprint}"
        entry = result.setdefault(key, {"ca": ca, "subject": subject, "certificates": []})
        entry["certificates"].append(fingerprint)
    return result


def anchor_history(db: Database, store: str) -> list[tuple[str, set[str]]]:
    """(snapshot date, anchor CA ids) of every snapshot of ``store``, oldest first."""
    return [(s.as_of, set(_anchor_cas(db, s.id))) for s in list_snapshots(db, store)]


def snapshot_dates(db: Database, store: str) -> list[str]:
    return [s.as_of for s in list_snapshots(db, store)]


def anchor_counts(db: Database) -> dict[int, int]:
    """Snapshot id -> how many anchors it lists."""
    return trust.anchor_counts(db)
