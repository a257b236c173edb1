"""Trust stores over time and side by side: a store's entries at a date, anchors added and
removed between two dates or between two stores, and the history of a store's anchors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from trustgraph.analysis.records import Records
from trustgraph.core.records import Snapshot
from trustgraph.policy.anchors import SERVER_AUTH
from trustgraph.policy.coverage import Staleness, StoreCoverage, coverage, staleness
from trustgraph.policy.stores import StoreEntry


@dataclass
class StoreView:
    """A store's entries in force at a date (and those disabled by then), for a purpose."""

    snapshot: Snapshot
    at: str
    purpose: str | None
    entries: list[StoreEntry]
    staleness: Staleness | None = None
    """Why the snapshot is too old to stand for the store at the date (None: it is not)."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "snapshot": self.snapshot.as_dict(),
            "staleness": self.staleness.as_dict() if self.staleness else None,
            "at": self.at,
            "purpose": self.purpose,
            "entries": [entry.as_dict(self.at) for entry in self.entries],
            "in_force": sum(entry.in_force(self.at) for entry in self.entries),
            "without_certificate": sum(entry.ca is None for entry in self.entries),
        }


def show(records: Records, store: str, at: str, server_auth: bool = False) -> StoreView:
    """The entries of ``store`` in force at ``at`` (only those trusted for server
    authentication when ``server_auth``), with what the store says of each.

    Raises:
        UsageError: see :func:`trustgraph.policy.stores.snapshot_at`.
    """
    snapshot = records.snapshot_at(store, at)
    purpose = SERVER_AUTH if server_auth else None
    entries = [e for e in records.snapshot_entries(snapshot) if e.trust.trusted_for(purpose)]
    entries.sort(key=lambda e: ((e.subject or "").casefold(), e.sha256 or e.sha1 or ""))
    return StoreView(snapshot, at, purpose, entries, staleness(snapshot, at))


def coverages(records: Records, store: str | None = None) -> list[StoreCoverage]:
    """The time each snapshot stands for, and the gaps, of every store (or of ``store``).

    Raises:
        UsageError: ``store`` is not a store of the database.
    """
    snapshots = records.snapshots(store)
    if store is not None and not snapshots:
        records.snapshot_at(store, "9999-12-31T23:59:59Z")  # raises the unknown store's error
    names = sorted({s.store for s in snapshots})
    return [coverage(name, [s for s in snapshots if s.store == name]) for name in names]


@dataclass
class StoreDiff:
    """Anchors (by CA) in the second snapshot and not the first (added), and the reverse."""

    first: Snapshot
    second: Snapshot
    added: list[dict[str, Any]]
    removed: list[dict[str, Any]]
    at: str | None = None

    @property
    def across_programs(self) -> bool:
        """Whether two stores are compared (then nothing was added or removed: each has
        anchors the other lacks)."""
        return self.first.store != self.second.store

    @property
    def title(self) -> str:
        if not self.across_programs:
            return f"Store {self.first.store}: {self.first.as_of[:10]} -> {self.second.as_of[:10]}"
        return f"{self.first.store} and {self.second.store} at {(self.at or '')[:10]}"

    def changes(self) -> list[tuple[str, list[dict[str, Any]]]]:
        """(what, anchors) of each side: added and removed, or only in one store."""
        if self.across_programs:
            return [
                (f"only in {self.second.store}", self.added),
                (f"only in {self.first.store}", self.removed),
            ]
        return [("added", self.added), ("removed", self.removed)]

    def as_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "from": self.first.as_dict(),
            "to": self.second.as_dict(),
            "at": self.at,
        }
        if self.across_programs:
            return found | {"only_in_to": self.added, "only_in_from": self.removed}
        return found | {"added": self.added, "removed": self.removed}


def diff(records: Records, store: str, first: str, second: str) -> StoreDiff:
    """Anchors (by CA) added and removed between the snapshots of ``store`` in force at two
    dates (entries disabled by each date do not count).

    Raises:
        UsageError: see :func:`trustgraph.policy.stores.snapshot_at`.
    """
    a, b = records.snapshot_at(store, first), records.snapshot_at(store, second)
    return _diff(_anchor_cas(records, a, first, None), _anchor_cas(records, b, second, None), a, b)


def compare(
    records: Records, first: str, second: str, at: str, server_auth: bool = False
) -> StoreDiff:
    """Anchors (by CA) that store ``second`` has at ``at`` and ``first`` has not (added),
    and the reverse, for server authentication when ``server_auth``.

    Raises:
        UsageError: see :func:`trustgraph.policy.stores.snapshot_at`.
    """
    purpose = SERVER_AUTH if server_auth else None
    a, b = records.snapshot_at(first, at), records.snapshot_at(second, at)
    result = _diff(_anchor_cas(records, a, at, purpose), _anchor_cas(records, b, at, purpose), a, b)
    result.at = at
    return result


def _diff(
    before: dict[str, dict[str, Any]],
    after: dict[str, dict[str, Any]],
    first: Snapshot,
    second: Snapshot,
) -> StoreDiff:
    return StoreDiff(
        first,
        second,
        [after[key] for key in sorted(set(after) - set(before))],
        [before[key] for key in sorted(set(before) - set(after))],
    )


def _anchor_cas(
    records: Records, snapshot: Snapshot, at: str, purpose: str | None
) -> dict[str, dict[str, Any]]:
    result: dict[str, dict[str, Any]] = {}
    for entry in records.snapshot_entries(snapshot):
        if not entry.in_force(at) or not entry.trust.trusted_for(purpose):
            continue
        fingerprint = entry.sha256 or f"sha1:{entry.sha1}"
        key = entry.ca or f"certificate:{fingerprint}"
        listed = result.setdefault(
            key, {"ca": entry.ca, "subject": entry.subject, "certificates": []}
        )
        listed["certificates"].append(fingerprint)
    return result


def anchor_history(records: Records, store: str) -> list[tuple[str, set[str]]]:
    """(date, anchor CA ids in force from that date) at every snapshot of ``store`` and at
    every date within a snapshot's time when one of its entries is disabled, oldest first."""
    snapshots = records.snapshots(store)
    history = []
    for index, snapshot in enumerate(snapshots):
        entries = records.snapshot_entries(snapshot)
        until = snapshots[index + 1].as_of if index + 1 < len(snapshots) else None
        changes = {
            entry.disabled_from
            for entry in entries
            if entry.disabled_from is not None
            and snapshot.as_of < entry.disabled_from
            and (until is None or entry.disabled_from < until)
        }
        for moment in sorted({snapshot.as_of, *changes}):
            history.append(
                (moment, {e.ca for e in entries if e.ca is not None and e.in_force(moment)})
            )
    return history


def anchor_constraints(records: Records, store: str, cas: set[str]) -> list[dict[str, Any]]:
    """What any snapshot of ``store`` says restricts the anchors ``cas``: distrust-after
    dates (with their purposes), SCT cut-offs and disabled dates, once each, by date."""
    found: dict[tuple[Any, ...], dict[str, Any]] = {}
    for snapshot in records.snapshots(store):
        for entry in records.snapshot_entries(snapshot):
            if entry.ca not in cas:
                continue
            trust = entry.trust
            scope = sorted(trust.distrust_purposes) if trust.distrust_purposes else None
            for kind, date, purposes in (
                ("distrust-after", trust.distrust_after, scope),
                ("sct-not-after", trust.sct_not_after, None),
                ("disabled", entry.disabled_from, None),
            ):
                if date:
                    key = (date, kind, entry.ca, tuple(purposes or ()))
                    found.setdefault(
                        key,
                        {
                            "at": date,
                            "kind": kind,
                            "ca": entry.ca,
                            "purposes": purposes,
                            "first_listed": snapshot.as_of,
                        },
                    )
    return [found[key] for key in sorted(found)]


def snapshot_dates(records: Records, store: str) -> list[str]:
    return [s.as_of for s in records.snapshots(store)]
