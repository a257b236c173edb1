"""Which anchors reach a target, without enumerating paths.

A backward search from the target over labelled states. A label at a CA summarises the
path-dependent facts of one way down to the target that the rules still need:

* ``depth``: certificates below (for ``max_depth``),
* ``intermediates``: non-self-issued intermediates below (for pathLenConstraint),
* ``names_ok``: a bit per name constraint of the region, set when every name below
  satisfies it (for name constraints),
* ``kind``: the weakest edge kind below,
* ``latest``: the latest notBefore below (for distrust-after dates and subject-name rules),
* ``sct``: the earliest embedded SCT of the last certificate (for an anchor's cut-off on
  SCT time).

Only Pareto-optimal labels are kept per CA. The search explores walks, not only simple
paths; that is exact, because removing a cycle from a valid walk leaves a valid path (fewer
intermediates, fewer names, the same certificates otherwise). So an anchor is listed
exactly when ``chains`` finds a path from it, with the length of its shortest path and the
strongest weakest-edge kind among its paths.

Each anchor carries its caveats: its best path uses an edge weaker than verified, or every
path from it uses a certificate revoked at an unknown date (found by searching again with
those certificates refused).
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field, replace
from typing import Any

from trustgraph.analysis.caveats import (
    DECLARED_EDGE,
    REVOCATION_DATE_UNKNOWN,
    UNVERIFIABLE_EDGE,
    Caveat,
)
from trustgraph.core.kinds import DECLARED, VERIFIED
from trustgraph.graph.model import Edge
from trustgraph.graph.search import ForwardState, SearchContext
from trustgraph.graph.targets import Target
from trustgraph.graph.trustgraph import TrustGraph
from trustgraph.policy.anchors import AnchorSet
from trustgraph.policy.rules import KIND_BY_RANK, KIND_RANK, PathRules, for_anchors
from trustgraph.x509.stored import NameConstraints


@dataclass(frozen=True, slots=True)
class Label:
    depth: int
    intermediates: int
    names_ok: int
    kind: int
    latest: str = ""
    sct: str = ""

    def dominates(self, other: Label) -> bool:
        return (
            self.depth <= other.depth
            and self.intermediates <= other.intermediates
            and self.names_ok & other.names_ok == other.names_ok
            and self.kind >= other.kind
            and self.latest <= other.latest
            and self.sct <= other.sct
        )


@dataclass(frozen=True)
class ReachedAnchor:
    ca: str
    certificate: str
    shortest: int
    best_kind: str
    caveats: tuple[Caveat, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "ca": self.ca,
            "certificate": self.certificate,
            "shortest_path": self.shortest,
            "best_weakest_edge": self.best_kind,
            "caveats": [caveat.as_dict() for caveat in self.caveats],
        }


@dataclass
class ReachResult:
    target: Target
    anchors: AnchorSet
    rules: PathRules
    graph: TrustGraph = field(repr=False)
    reached: list[ReachedAnchor] = field(default_factory=list)
    labels: int = 0
    seconds: float = 0.0

    def parameters(self) -> dict[str, Any]:
        return self.rules.as_dict()

    def __repr__(self) -> str:
        return (
            f"ReachResult({self.target.description!r} at {self.rules.at[:10]}: "
            f"{len(self.reached)} of {len(self.anchors)} anchors reach it)"
        )


class _Search:
    def __init__(self, context: SearchContext) -> None:
        self.context = context
        self.labels: dict[str, list[Label]] = {}
        self.queue: deque[tuple[str, Label]] = deque()
        self.bits: dict[NameConstraints, int] = {}
        self.all_bits = 0
        self._pass: dict[str, int] = {}
        anchors = context.anchors
        self.tracks_dates = bool(anchors.name_rules) or any(
            context.distrust_after(ca) for ca in anchors.cas
        )

    def index_constraints(self, region: set[str]) -> None:
        """Give a bit to each distinct name constraint on an issuing edge of the region."""
        if not self.context.rules.checks_names:
            return
        for ca in sorted(region):
            for edge in self.context.intermediate_in_edges(ca):
                if edge.name_constraints is not None and edge.name_constraints not in self.bits:
                    self.bits[edge.name_constraints] = 1 << len(self.bits)
        self.all_bits = (1 << len(self.bits)) - 1

    def passes(self, edge: Edge) -> int:
        """The bits of the region's name constraints that ``edge``'s names satisfy."""
        known = self._pass.get(edge.certificate)
        if known is None:
            known = 0
            for constraints, bit in self.bits.items():
                if self.context.allowed_by(edge, constraints):
                    known |= bit
            self._pass[edge.certificate] = known
        return known

    def offer(self, ca: str, label: Label) -> None:
        cutoff = self.context.cutoff_at(ca)
        if cutoff is not None and label.latest > cutoff:
            return
        kept = self.labels.setdefault(ca, [])
        if any(old.dominates(label) for old in kept):
            return
        kept[:] = [old for old in kept if not label.dominates(old)]
        kept.append(label)
        self.queue.append((ca, label))

    def step(self, edge: Edge, label: Label, final: bool) -> Label | None:
        """The label above ``edge`` given the label below it, or None if the rules refuse."""
        if label.depth + 1 > self.context.rules.max_depth:
            return None
        names_ok = label.names_ok
        intermediates = label.intermediates
        if not final:
            if edge.path_len is not None and intermediates > edge.path_len:
                return None
            constraints = edge.name_constraints
            if constraints is not None and self.bits and not names_ok & self.bits[constraints]:
                return None
        if final or not edge.self_issued:
            names_ok &= self.passes(edge) if self.bits else names_ok
            intermediates += 0 if final else 1
        latest = label.latest
        if self.tracks_dates and edge.not_before and edge.not_before > latest:
            latest = edge.not_before
        # The last certificate's earliest SCT, for an anchor's cut-off on SCT time ('' when
        # it has none or it is unknown: then the cut-off is not judged).
        sct = (edge.sct_earliest or "") if final else label.sct
        return Label(
            label.depth + 1,
            intermediates,
            names_ok,
            min(label.kind, KIND_RANK[edge.kind]),
            latest,
            sct,
        )

    def run(self) -> None:
        for edge in self.context.final_edges():
            start = Label(0, 0, self.all_bits, KIND_RANK["verified"])
            above = self.step(edge, start, final=True)
            if above is not None:
                self.offer(edge.issuer_ca, above)
        while self.queue:
            ca, label = self.queue.popleft()
            if label not in self.labels.get(ca, ()):
                continue  # dominated after it was queued
            for edge in self.context.intermediate_in_edges(ca):
                above = self.step(edge, label, final=False)
                if above is not None:
                    self.offer(edge.issuer_ca, above)


def find_reach(
    graph: TrustGraph, target: Target, anchors: AnchorSet, rules: PathRules
) -> ReachResult:
    """The anchors from which a valid path to ``target`` exists under ``rules`` (and the
    revocations the anchors' store honours), each with its caveats."""
    started = time.perf_counter()
    rules = for_anchors(rules, anchors)
    result = ReachResult(target, anchors, rules, graph)
    reached, result.labels = _reached(graph, target, anchors, rules)
    pending = rules.revocations.pending(rules.at)
    surely: set[str] = set()
    if pending and reached:
        strict = replace(rules, revocations=rules.revocations.assuming_revoked())
        surely = {item.ca for item in _reached(graph, target, anchors, strict)[0]}
    bound = max(item.effective for item in pending)[:10] if pending else ""
    result.reached = [
        replace(item, caveats=_caveats(item, item.ca in surely or not pending, bound))
        for item in reached
    ]
    result.seconds = time.perf_counter() - started
    return result


def _caveats(item: ReachedAnchor, certain: bool, bound: str) -> tuple[Caveat, ...]:
    found = []
    if not certain:
        found.append(
            Caveat(
                REVOCATION_DATE_UNKNOWN,
                "every path from this anchor uses a certificate revoked at an unknown date "
                f"(by {bound} at the latest): it may no longer reach the target; chains "
                "names the certificates",
                item.ca,
            )
        )
    if item.best_kind != VERIFIED:
        found.append(
            Caveat(
                DECLARED_EDGE if item.best_kind == DECLARED else UNVERIFIABLE_EDGE,
                f"every path from this anchor uses an edge that is only {item.best_kind}",
                item.ca,
            )
        )
    return tuple(found)


def _reached(
    graph: TrustGraph, target: Target, anchors: AnchorSet, rules: PathRules
) -> tuple[list[ReachedAnchor], int]:
    """The anchors that reach the target, and how many labels the search kept."""
    context = SearchContext(graph, rules, target, anchors)
    anchors = context.anchors
    search = _Search(context)
    search.index_constraints(set(context.distances()))
    search.run()
    reached: list[ReachedAnchor] = [
        ReachedAnchor(ca, anchors.certificate_for(ca), 0, KIND_BY_RANK[KIND_RANK["verified"]])
        for ca in sorted(context.goal_cas)
        if ca in anchors
    ]
    for ca, all_labels in search.labels.items():
        cutoff = context.distrust_after(ca)
        sct_not_after = anchors.trust_of(ca).sct_not_after
        labels = [
            lb
            for lb in all_labels
            if (cutoff is None or lb.latest <= cutoff)
            and not (sct_not_after and lb.sct and lb.sct > sct_not_after)
        ]
        if labels and ca in anchors and ca not in context.forbidden:
            reached.append(
                ReachedAnchor(
                    ca,
                    anchors.certificate_for(ca),
                    min(label.depth for label in labels),
                    KIND_BY_RANK[max(label.kind for label in labels)],
                )
            )
    ordered = sorted(reached, key=lambda r: (r.shortest, r.certificate))
    return ordered, sum(len(labels) for labels in search.labels.values())


@dataclass(frozen=True)
class _Arrival:
    anchor: str
    depth: int
    kind: int
    state: ForwardState


def _dominates(a: _Arrival, b: _Arrival) -> bool:
    sa, sb = a.state, b.state
    return (
        a.depth <= b.depth
        and a.kind >= b.kind
        and (sa.remaining is None or (sb.remaining is not None and sa.remaining >= sb.remaining))
        and set(sa.constraints) <= set(sb.constraints)
        and (sa.cutoff is None or (sb.cutoff is not None and sa.cutoff >= sb.cutoff))
    )


ReachMap = dict[str, dict[str, tuple[int, int]]]


def reach_everything(graph: TrustGraph, anchors: AnchorSet, rules: PathRules) -> ReachMap:
    """For every CA, the anchors that reach it, with the shortest length and the best
    weakest-edge rank: ``reach`` for all CA targets at once, by a forward search from every
    anchor over labelled states (the same rules, and the same walk-to-path argument)."""
    context = SearchContext(graph, rules, Target("", frozenset(), None, ""), anchors)
    anchors = context.anchors
    reached: ReachMap = {}
    labels: dict[tuple[str, str], list[_Arrival]] = {}
    queue: deque[tuple[str, _Arrival]] = deque()
    verified = KIND_RANK["verified"]
    for anchor in anchors.ordered():
        reached.setdefault(anchor, {})[anchor] = (0, verified)
        start = _Arrival(anchor, 0, verified, context.start_state(anchor))
        labels[(anchor, anchor)] = [start]
        queue.append((anchor, start))
    while queue:
        ca, label = queue.popleft()
        if label not in labels.get((ca, label.anchor), ()):
            continue
        if label.depth >= rules.max_depth:
            continue
        for edge in graph.out_edges(ca):
            if not context.admits(edge, label.state):
                continue
            depth, kind = label.depth + 1, min(label.kind, KIND_RANK[edge.kind])
            if context.final_ok(edge, label.state):
                _record(reached, edge.subject_ca, label.anchor, depth, kind)
            following = context.after_intermediate(edge, label.state)
            if following is None:
                continue
            arrival = _Arrival(label.anchor, depth, kind, following)
            kept = labels.setdefault((edge.subject_ca, label.anchor), [])
            if any(_dominates(old, arrival) for old in kept):
                continue
            kept[:] = [old for old in kept if not _dominates(arrival, old)]
            kept.append(arrival)
            queue.append((edge.subject_ca, arrival))
    return reached


def _record(reached: ReachMap, ca: str, anchor: str, depth: int, kind: int) -> None:
    entry = reached.setdefault(ca, {})
    known = entry.get(anchor)
    if known is None:
        entry[anchor] = (depth, kind)
    else:
        entry[anchor] = (min(known[0], depth), max(known[1], kind))
