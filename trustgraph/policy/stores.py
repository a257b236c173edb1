"""Trust stores as queries see them: the snapshot of a store in force at a date (the latest
dated on or before it) and the anchors it gives, with what the store says of each (see
:class:`~trustgraph.policy.anchors.AnchorTrust`), its distrusted certificates and the
subject-name rules in force then."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from trustgraph.core.records import Snapshot
from trustgraph.core.storekinds import LISTS_ONLY
from trustgraph.core.text import did_you_mean
from trustgraph.errors import UsageError
from trustgraph.policy.anchors import UNRESTRICTED, AnchorSet, AnchorTrust
from trustgraph.policy.coverage import staleness
from trustgraph.policy.distrust import rules_in_force
from trustgraph.policy.revocations import RevocationIndex
from trustgraph.storage import trust
from trustgraph.storage.database import Database


def list_snapshots(db: Database, store: str | None = None) -> list[Snapshot]:
    """Every snapshot (of ``store`` if given), by store and date."""
    return trust.snapshots(db, store)


def snapshot_at(db: Database, store: str, at: str) -> Snapshot:
    """The snapshot of ``store`` in force at ``at`` (the latest dated on or before it).

    Raises:
        UsageError: the store does not exist, or has no snapshot that early.
    """
    return pick_snapshot(store, list_snapshots(db, store), lambda: list_snapshots(db), at)


def pick_snapshot(
    store: str, snapshots: list[Snapshot], every: Callable[[], list[Snapshot]], at: str
) -> Snapshot:
    """The one of ``snapshots`` (those of ``store``, by date) in force at ``at``; ``every``
    gives all stores' snapshots, to name the known stores when ``store`` has none.

    Raises:
        UsageError: the store does not exist, or has no snapshot that early.
    """
    if not snapshots:
        known = sorted({s.store for s in every()})
        raise UsageError(
            f"no trust store named {store!r}{did_you_mean(store, known)}; known stores: "
            f"{', '.join(known) or 'none (add one with `trustgraph store add`)'}"
        )
    usable = [s for s in snapshots if s.as_of <= at]
    if not usable:
        raise UsageError(
            f"trust store {store!r} has no snapshot on or before {at[:10]}; its "
            f"first is dated {snapshots[0].as_of[:10]}"
        )
    return usable[-1]


@dataclass(frozen=True)
class StoreEntry:
    """One anchor entry of a snapshot: how the source names it, the certificate and CA it
    resolves to (None when its bytes are not loaded), and what the store says of it."""

    sha256: str | None
    sha1: str | None
    ca: str | None
    subject: str | None
    trust: AnchorTrust
    disabled_from: str | None
    attributes: dict[str, Any]

    @property
    def limited_to_names(self) -> bool:
        """Whether a constraint of the store limits the anchor to listed DNS names."""
        sets = self.attributes.get("constraints") or []
        return bool(sets) and all(isinstance(s, dict) and "permitted_dns_names" in s for s in sets)

    def in_force(self, at: str) -> bool:
        return self.disabled_from is None or at < self.disabled_from

    def as_dict(self, at: str) -> dict[str, Any]:
        return {
            "sha256": self.sha256,
            "sha1": self.sha1,
            "ca": self.ca,
            "subject": self.subject,
            "certificate_loaded": self.ca is not None,
            "in_force": self.in_force(at),
            "disabled_from": self.disabled_from,
            **self.trust.as_dict(),
            "attributes": self.attributes,
        }


def _set(value: str | None) -> frozenset[str] | None:
    return None if value is None else frozenset(json.loads(value))


def snapshot_entries(db: Database, snapshot: Snapshot) -> list[StoreEntry]:
    """Every anchor entry of a snapshot (see :func:`entries_of`)."""
    return entries_of(db, snapshot, list_snapshots(db, snapshot.store))


def entries_of(db: Database, snapshot: Snapshot, history: list[Snapshot]) -> list[StoreEntry]:
    """Every anchor entry of a snapshot, resolved against the loaded certificates
    (``history``: every snapshot of its store, by date).

    A source that lists anchors without their constraints (a PEM bundle, certifi) does not
    lift them: an entry of such a snapshot keeps the constraints the latest earlier snapshot
    of the store that states them gave the same certificate, and names it in its attributes
    (``constraints_from``).
    """
    entries = [_entry(row) for row in trust.snapshot_anchors(db, snapshot.id)]
    if snapshot.source_kind not in LISTS_ONLY:
        return entries
    stated = _last_stating(history, snapshot)
    if stated is None:
        return entries
    earlier = {_key(e): e for e in (_entry(r) for r in trust.snapshot_anchors(db, stated.id))}
    return [_carried(entry, earlier.get(_key(entry)), stated) for entry in entries]


def _entry(row: dict[str, Any]) -> StoreEntry:
    return StoreEntry(
        row["sha256"],
        row["sha1"],
        row["ca"],
        row["subject"],
        AnchorTrust(
            _set(row["purposes"]),
            row["distrust_after"],
            _set(row["distrust_purposes"]),
            row["sct_not_after"],
        ),
        row["disabled_from"],
        json.loads(row["attributes"] or "{}"),
    )


def _key(entry: StoreEntry) -> str:
    return entry.sha256 or f"sha1:{entry.sha1}"


def _last_stating(history: list[Snapshot], snapshot: Snapshot) -> Snapshot | None:
    """The latest snapshot of the store before ``snapshot`` from a source that states
    constraints (None: there is none)."""
    earlier = [s for s in history if s.as_of < snapshot.as_of and s.source_kind not in LISTS_ONLY]
    return earlier[-1] if earlier else None


def _carried(entry: StoreEntry, earlier: StoreEntry | None, stated: Snapshot) -> StoreEntry:
    """``entry`` with the constraints ``earlier`` (the same certificate in ``stated``) had."""
    if earlier is None:
        return entry
    before = earlier.trust
    if not (before.distrust_after or before.sct_not_after or earlier.disabled_from):
        return entry
    return replace(
        entry,
        trust=replace(
            entry.trust,
            distrust_after=before.distrust_after,
            distrust_purposes=before.distrust_purposes,
            sct_not_after=before.sct_not_after,
        ),
        disabled_from=earlier.disabled_from,
        attributes={
            **entry.attributes,
            "constraints_from": {"as_of": stated.as_of, "source": stated.source_path},
        },
    )


def anchors_at(db: Database, store: str, at: str) -> AnchorSet:
    """The anchors of ``store`` at ``at`` (those of the snapshot in force that are not
    disabled by then), with what the store says of each, its distrusted certificates and
    the subject-name rules in force. Its source says when the snapshot is too old to stand
    for the store then (see :mod:`trustgraph.policy.coverage`).

    Raises:
        UsageError: see :func:`snapshot_at`.
    """
    snapshot = snapshot_at(db, store, at)
    scoped = RevocationIndex.from_database(db, store)
    return anchors_of(db, snapshot, snapshot_entries(db, snapshot), at, scoped)


def anchors_of(
    db: Database,
    snapshot: Snapshot,
    entries: list[StoreEntry],
    at: str,
    scoped: RevocationIndex,
) -> AnchorSet:
    """The anchors :func:`anchors_at` gives from ``snapshot`` (its ``entries`` read), with
    ``scoped``, the revocations only the store's clients honour."""
    store = snapshot.store
    stale = staleness(snapshot, at)
    cas: dict[str, set[str]] = {}
    restrictions: dict[str, AnchorTrust] = {}
    missing = []
    disabled = 0
    limited = 0
    for entry in entries:
        if not entry.in_force(at):
            disabled += 1
            continue
        limited += entry.limited_to_names
        if entry.ca is None or entry.sha256 is None:
            missing.append(entry.sha256 or f"sha1:{entry.sha1}")
            continue
        cas.setdefault(entry.ca, set()).add(entry.sha256)
        known = restrictions.get(entry.ca)
        restrictions[entry.ca] = entry.trust if known is None else known.merged(entry.trust)
    source = {
        "kind": "store",
        "store": store,
        "snapshot": snapshot.as_dict(),
        "anchors_without_certificate_bytes": len(missing),
        "missing_anchors": missing[:MISSING_LISTED],
        "disabled_entries": disabled,
        "anchors_limited_to_names": limited,
        "outdated": stale is not None,
        "staleness": {**stale.as_dict(), "text": stale.describe()} if stale else None,
    }
    return AnchorSet(
        {ca: tuple(sorted(fps)) for ca, fps in cas.items()},
        source,
        {ca: t for ca, t in restrictions.items() if t != UNRESTRICTED},
        frozenset(trust.blocked_certificates(db, snapshot.id)),
        rules_in_force(db, store, at),
        scoped,
    )


MISSING_LISTED = 50
"""How many anchors without loaded bytes a query's parameters name (all are counted)."""
