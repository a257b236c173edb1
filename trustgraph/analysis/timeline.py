"""When a target is reachable from a trust store, and what opens and closes each interval.

Reachability can only change at an event: a snapshot of the store (anchors added or
removed), a certificate of the target's region becoming valid or expiring, a revocation,
a distrust rule taking effect, or a signature-policy cut-off. The timeline evaluates
``reach`` once per event time and reports the intervals in which some anchor reaches the
target, with the anchors of each stretch and the events at each boundary.

A revocation known only by an upper bound ("revoked by" a date) is an event at that bound
marked as such; an anchor that reaches the target only through such certificates is listed
as uncertain in its stretch, since the way in may have closed sooner.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from trustgraph.analysis.caveats import REVOCATION_DATE_UNKNOWN, Caveat
from trustgraph.analysis.reach import find_reach
from trustgraph.analysis.records import Records
from trustgraph.analysis.stores import anchor_constraints, anchor_history, snapshot_dates
from trustgraph.core.times import one_second_after
from trustgraph.graph.targets import Target
from trustgraph.graph.trustgraph import TrustGraph
from trustgraph.policy.coverage import Gap, coverage
from trustgraph.policy.revocations import RevocationIndex
from trustgraph.policy.rules import PathRules
from trustgraph.policy.signatures import ALWAYS


@dataclass(frozen=True)
class Event:
    at: str
    kind: str
    detail: str
    certificate: str | None = None
    ca: str | None = None
    bound: bool = False
    """The event happened at an unknown time no later than ``at``."""
    after: str | None = None
    """With ``bound``, the time after which it happened, when known (the snapshot before the
    one that shows a change)."""

    def as_dict(self) -> dict[str, Any]:
        result = {"at": self.at, "kind": self.kind, "detail": self.detail, "bound": self.bound}
        if self.after:
            result["after"] = self.after
        if self.certificate:
            result["certificate"] = self.certificate
        if self.ca:
            result["ca"] = self.ca
        return result


@dataclass
class Stretch:
    start: str
    end: str | None
    anchors: list[str]
    uncertain: list[str] = field(default_factory=list)
    """Anchors that reach the target only through certificates revoked at an unknown date."""


@dataclass
class Interval:
    start: str
    end: str | None
    opened_by: list[Event]
    closed_by: list[Event]
    stretches: list[Stretch] = field(default_factory=list)


@dataclass
class TimelineResult:
    target: Target
    store: str
    rules: PathRules
    graph: TrustGraph
    intervals: list[Interval] = field(default_factory=list)
    evaluated: int = 0
    constraints: list[dict[str, Any]] = field(default_factory=list)
    """What the store says restricts the anchors that reach the target (see
    :func:`~trustgraph.analysis.stores.anchor_constraints`)."""
    gaps: list[Gap] = field(default_factory=list)
    """The times up to the timeline's end that no snapshot of the store stands for (see
    :mod:`~trustgraph.policy.coverage`): answers then come from an outdated snapshot."""
    until: str = ""
    """The last time considered."""

    def __repr__(self) -> str:
        return (
            f"TimelineResult({self.target.description!r} from {self.store}: "
            f"{len(self.intervals)} intervals up to {self.until[:10]})"
        )


def region_edges(graph: TrustGraph, target: Target, max_depth: int) -> set[str]:
    """Certificates that could lie on some path of at most ``max_depth`` certificates to
    ``target`` at some time."""
    if target.certificate and target.certificate not in graph.edges:
        return set()
    if target.certificate:
        start, below, found = [graph.edges[target.certificate].issuer_ca], 1, {target.certificate}
    else:
        start, below, found = list(target.cas), 0, set()
    distance = dict.fromkeys(start, below)
    queue = deque(start)
    while queue:
        ca = queue.popleft()
        if distance[ca] >= max_depth:
            continue
        for edge in graph.in_edges(ca):
            found.add(edge.certificate)
            if edge.issuer_ca not in distance:
                distance[edge.issuer_ca] = distance[ca] + 1
                queue.append(edge.issuer_ca)
    return {fp for fp in found if fp}


def events_for(
    records: Records,
    graph: TrustGraph,
    target: Target,
    store: str | None,
    rules: PathRules,
    revocations: RevocationIndex,
) -> list[Event]:
    """Every time at which reachability of ``target`` from ``store`` (or from fixed anchors,
    when None) may change."""
    events = _store_events(records, graph, store) if store else []
    for fingerprint in sorted(region_edges(graph, target, rules.max_depth)):
        edge = graph.edges[fingerprint]
        if edge.not_before:
            events.append(
                Event(edge.not_before, "valid-from", "certificate becomes valid", fingerprint)
            )
        if edge.not_after:
            events.append(
                Event(
                    one_second_after(edge.not_after), "expired", "certificate expires", fingerprint
                )
            )
        revocation = revocations.get(fingerprint)
        if revocation and revocation.effective:
            events.append(
                Event(
                    revocation.effective,
                    "revoked",
                    f"revoked {revocation.describe()} ({revocation.source_label})",
                    fingerprint,
                    bound=revocation.revoked_at is None,
                )
            )
    for effective, cutoff in records.rule_dates(store) if store else []:
        events.append(
            Event(
                effective,
                "distrust-rule",
                f"distrust of certificates issued after {cutoff[:10]} takes effect",
            )
        )
    for hash_name, cutoff in rules.signature_policy.not_accepted_from.items():
        if cutoff != ALWAYS:
            events.append(
                Event(cutoff, "signature-policy", f"{hash_name} signatures no longer accepted")
            )
    return sorted(events, key=lambda e: (e.at, e.kind, e.certificate or ""))


def _store_events(records: Records, graph: TrustGraph, store: str) -> list[Event]:
    """Anchors entering and leaving ``store``. An anchor of the first snapshot loaded was
    present then (since when, the data does not say); a change a snapshot shows happened
    after the snapshot before it (a bound); a disabled date is exact."""
    events: list[Event] = []
    snapshots = set(snapshot_dates(records, store))
    previous: set[str] = set()
    seen: str | None = None
    for as_of, cas in anchor_history(records, store):
        shown = as_of in snapshots
        for ca in sorted(cas - previous):
            label = graph.label(ca)
            if seen is None:
                detail = f"{label} present in the first snapshot of {store} loaded ({as_of[:10]})"
                events.append(Event(as_of, "anchor-present", detail, ca=ca))
            else:
                detail = f"{label} added to {store} between {seen[:10]} and {as_of[:10]}"
                events.append(Event(as_of, "anchor-added", detail, ca=ca, bound=True, after=seen))
        for ca in sorted(previous - cas):
            label = graph.label(ca)
            if shown:
                detail = (
                    f"{label} removed from {store} between {(seen or as_of)[:10]} and {as_of[:10]}"
                )
                events.append(Event(as_of, "anchor-removed", detail, ca=ca, bound=True, after=seen))
            else:
                detail = f"{label} disabled in {store} from {as_of[:10]}"
                events.append(Event(as_of, "anchor-removed", detail, ca=ca))
        previous = cas
        if shown:
            seen = as_of
    return events


def timeline(
    records: Records,
    graph: TrustGraph,
    target: Target,
    store: str,
    rules: PathRules,
    until: str | None = None,
) -> TimelineResult:
    """The intervals in which ``target`` is reachable from ``store`` (from its first snapshot
    to ``until``, default the query time of ``rules``).

    Raises:
        UsageError: the store does not exist.
    """
    rules = records.with_revocations(rules, store)
    revocations = rules.revocations
    result = TimelineResult(target, store, rules, graph)
    snapshots = snapshot_dates(records, store)
    if not snapshots:
        records.snapshot_at(store, rules.at)  # raises the store's error
    first, last = snapshots[0], until or rules.at
    events = events_for(records, graph, target, store, rules, revocations)
    times = sorted({first} | {e.at for e in events if first <= e.at <= last})
    states: list[tuple[str, list[str], list[str]]] = []
    for moment in times:
        anchors = records.anchors_at(store, moment)
        reach = find_reach(graph, target, anchors, replace(rules, at=moment))
        uncertain = [r.ca for r in reach.reached if _uncertain(r.caveats)]
        states.append((moment, sorted(r.ca for r in reach.reached), sorted(uncertain)))
    result.evaluated = len(states)
    result.until = last
    result.gaps = [
        gap for gap in coverage(store, records.snapshots(store)).gaps if gap.start <= last
    ]
    result.intervals = _intervals(states, events)
    reaching = {ca for _moment, cas, _uncertain in states for ca in cas}
    result.constraints = anchor_constraints(records, store, reaching)
    return result


OPENING = frozenset({"anchor-present", "anchor-added", "valid-from"})
CLOSING = frozenset({"anchor-removed", "expired", "revoked", "distrust-rule", "signature-policy"})


def _relevant(events: list[Event], kinds: frozenset[str], anchors: list[str]) -> list[Event]:
    """The events of a boundary that can explain it: of the right kind, and for anchor
    changes, about the anchors involved."""
    return [e for e in events if e.kind in kinds and (e.ca is None or e.ca in anchors)]


def _uncertain(caveats: Iterable[Caveat]) -> bool:
    return any(caveat.kind == REVOCATION_DATE_UNKNOWN for caveat in caveats)


def _intervals(
    states: list[tuple[str, list[str], list[str]]], events: list[Event]
) -> list[Interval]:
    by_time: dict[str, list[Event]] = {}
    for event in events:
        by_time.setdefault(event.at, []).append(event)
    intervals: list[Interval] = []
    current: Interval | None = None
    for moment, anchors, uncertain in states:
        here = by_time.get(moment, [])
        if anchors and current is None:
            current = Interval(moment, None, _relevant(here, OPENING, anchors), [])
            intervals.append(current)
        if current is None:
            continue
        if not anchors:
            current.end = moment
            current.closed_by = _relevant(here, CLOSING, current.stretches[-1].anchors)
            current.stretches[-1].end = moment
            current = None
        elif not current.stretches or (
            current.stretches[-1].anchors,
            current.stretches[-1].uncertain,
        ) != (anchors, uncertain):
            if current.stretches:
                current.stretches[-1].end = moment
            current.stretches.append(Stretch(moment, None, anchors, uncertain))
    return intervals
