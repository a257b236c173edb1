"""What became of a set of anchors in one root program: the constraints the program put on
them (distrust-after dates, SCT cut-offs, disabled dates) with the snapshot that first
listed each, the snapshots between which each was removed, and which are still listed in
the latest snapshot (and how old that is). The telling of a distrust (Entrust 2024,
Symantec 2018) program by program."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from trustgraph.analysis.records import Records
from trustgraph.analysis.stores import anchor_constraints, anchor_history
from trustgraph.policy.coverage import staleness


@dataclass(frozen=True)
class Removal:
    """Anchors last listed at ``last_seen`` and gone from the snapshot of ``gone_by``."""

    last_seen: str
    gone_by: str
    cas: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"last_seen": self.last_seen, "gone_by": self.gone_by, "cas": list(self.cas)}


@dataclass
class AnchorFate:
    """The fate of the anchors ``cas`` in ``store`` (see the module's description)."""

    store: str
    cas: set[str]
    listed: set[str] = field(default_factory=set)
    """The anchors of ``cas`` any snapshot of the store listed."""
    constraints: list[dict[str, Any]] = field(default_factory=list)
    removals: list[Removal] = field(default_factory=list)
    still_listed: set[str] = field(default_factory=set)
    latest: str | None = None
    outdated: str | None = None
    """Why the latest snapshot may not stand for the store today (None: it does)."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "store": self.store,
            "listed": sorted(self.listed),
            "constraints": self.constraints,
            "removals": [removal.as_dict() for removal in self.removals],
            "still_listed": sorted(self.still_listed),
            "latest_snapshot": self.latest,
            "outdated": self.outdated,
        }


def anchor_fate(records: Records, store: str, cas: set[str], today: str) -> AnchorFate:
    """What ``store`` did with the anchors ``cas`` over its history, up to ``today``.

    Raises:
        UsageError: ``store`` has no snapshots.
    """
    fate = AnchorFate(store, set(cas))
    history = anchor_history(records, store)
    for _moment, present in history:
        fate.listed |= present & cas
    fate.constraints = anchor_constraints(records, store, fate.listed)
    fate.removals = _removals(history, cas)
    snapshots = records.snapshots(store)
    if snapshots:
        fate.latest = snapshots[-1].as_of
        fate.still_listed = history[-1][1] & cas if history else set()
        stale = staleness(snapshots[-1], today)
        fate.outdated = stale.describe() if stale else None
    return fate


def _removals(history: list[tuple[str, set[str]]], cas: set[str]) -> list[Removal]:
    """The anchors of ``cas`` present at one moment of ``history`` and gone at the next,
    by those two moments."""
    found = []
    for (seen, before), (gone, after) in pairwise(history):
        removed = (before - after) & cas
        if removed:
            found.append(Removal(seen, gone, tuple(sorted(removed))))
    return found
