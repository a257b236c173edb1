"""What a map shows: the CAs to draw (a target's neighbourhood, an owner's CAs, or the whole
graph), the paths to highlight at every date, and the trust context (store membership,
certificate states, operators), with the certificate texts the page displays.

A map answers on every day what the command line answers at midnight (UTC) of that day,
the time a bare date means to ``--at``. Reachability can only change at an event (a
snapshot of the store, a certificate becoming valid or expiring, a revocation, a distrust
rule, a signature-hash cut-off), so the highlighted paths are computed once per interval
between the first days that see an event, by the same searches ``chains`` and ``impact``
run, at midnight of that day; each certificate carries its states on the same days under
the same rules. Around the date asked, at most ``MAX_SLICES`` intervals are computed; the
map says which dates it covers.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from trustgraph.analysis.chains import ChainPath, find_chains
from trustgraph.analysis.impact import Scenario, assess, plan_scenario, ways_in
from trustgraph.analysis.records import Records
from trustgraph.analysis.stores import anchor_history
from trustgraph.analysis.timeline import events_for
from trustgraph.core.times import day_of, first_day_from, one_second_after
from trustgraph.errors import UsageError
from trustgraph.graph.model import Edge
from trustgraph.graph.owners import OwnerIndex
from trustgraph.graph.targets import Target
from trustgraph.graph.trustgraph import TrustGraph
from trustgraph.policy.anchors import AnchorSet
from trustgraph.policy.rules import PathRules, for_anchors

MAX_SLICES = 240
EVER_TIME = "0001-01-01T00:00:00Z"
MAX_CLOSED = 200
EVER = ""
"""The start of the first interval: since before any event."""


@dataclass(frozen=True)
class Highlight:
    """What a map shows at a moment: the paths to highlight, the paths a scenario closes
    (impact maps), and the bounds that cut either."""

    paths: list[ChainPath]
    closed: list[ChainPath] = field(default_factory=list)
    truncated: dict[str, str] = field(default_factory=dict)


Highlighter = Callable[[str], Highlight]
"""Given a moment, what to highlight then."""


@dataclass(frozen=True)
class Slice:
    """An interval between events (from ``start``, until the next slice) and the indexes
    of the paths highlighted and closed in it."""

    start: str
    paths: tuple[int, ...]
    closed: tuple[int, ...] = ()
    truncated: dict[str, str] = field(default_factory=dict)


@dataclass
class MapRequest:
    """What to draw: the CAs, the trust context, what to highlight when."""

    title: str
    at: str
    cas: set[str]
    anchors: AnchorSet
    owners: OwnerIndex
    rules: PathRules
    mode: str = "plain"
    """``chains`` (paths to targets), ``impact`` (surviving ways in), ``ways`` (the demo's
    ways into a set of CAs) or ``plain`` (nothing highlighted)."""
    store: str | None = None
    stores: dict[str, list[tuple[str, str, str | None]]] = field(default_factory=dict)
    """CA id -> (store, from, until) for every span in which it was an anchor."""
    paths: list[ChainPath] = field(default_factory=list)
    slices: list[Slice] = field(default_factory=list)
    covered: tuple[str, str | None] = (EVER, None)
    """The dates the slices cover: [from, until) ("": since ever; None: for ever after)."""
    edge_states: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    texts: dict[str, tuple[Any, ...]] = field(default_factory=dict)  # (serial, subject, issuer)
    distrusted: set[str] = field(default_factory=set)
    watched: set[str] = field(default_factory=set)

    def slice_at(self, moment: str) -> Slice | None:
        """The slice in force at ``moment``, or None outside the dates covered."""
        if moment < self.covered[0] or (self.covered[1] is not None and moment >= self.covered[1]):
            return None
        index = bisect_right([s.start for s in self.slices], moment) - 1
        return self.slices[index] if index >= 0 else None

    @property
    def highlight(self) -> list[ChainPath]:
        """The paths highlighted at the date of the map."""
        found = self.slice_at(self.at)
        return [self.paths[i] for i in found.paths] if found else []

    @property
    def truncated(self) -> dict[str, str]:
        """The bounds that cut the highlight at the date of the map."""
        found = self.slice_at(self.at)
        return dict(found.truncated) if found else {}


def neighbourhood(graph: TrustGraph, seeds: set[str], depth: int) -> set[str]:
    """``seeds`` and every CA within ``depth`` issuance steps of them, either direction."""
    found = set(seeds)
    queue = deque((ca, 0) for ca in seeds)
    while queue:
        ca, distance = queue.popleft()
        if distance >= depth or ca not in graph.graph:
            continue
        for other in (*graph.graph.predecessors(ca), *graph.graph.successors(ca)):
            if other not in found:
                found.add(other)
                queue.append((other, distance + 1))
    return found


def drawn_edges(graph: TrustGraph, cas: set[str]) -> list[Edge]:
    """The certificates between drawn CAs (self-signatures aside), by fingerprint."""
    return sorted(
        (
            e
            for e in graph.edges.values()
            if e.issuer_ca in cas and e.subject_ca in cas and not e.is_self_loop
        ),
        key=lambda e: e.certificate,
    )


def edge_states(edge: Edge, rules: PathRules) -> list[tuple[str, str]]:
    """The states a certificate passes through, as (from, state) with the first from
    ``EVER``: ``valid``, ``valid, revocation date unknown`` (revoked at an unknown date
    that may still be to come), or why path rules refuse it (``not yet valid``,
    ``expired``, ``revoked``, ``hash refused``, ``unusable``, ``excluded``)."""
    moments = set()
    if edge.not_before:
        moments.add(edge.not_before)
    if edge.not_after:
        moments.add(one_second_after(edge.not_after))
    revocation = rules.revocations.get(edge.certificate)
    if revocation and revocation.effective:
        moments.add(revocation.effective)
    cutoff = rules.signature_policy.not_accepted_from.get(edge.sig_hash or "")
    if cutoff:
        moments.add(cutoff)
    days = sorted({first_day_from(m) for m in moments if m > EVER_TIME})
    states: list[tuple[str, str]] = []
    for day in [EVER, *days]:
        state = _state(edge, replace(rules, at=day or EVER_TIME))
        if not states or states[-1][1] != state:
            states.append((day, state))
    return states


def _state(edge: Edge, rules: PathRules) -> str:
    refusal = rules.judge(edge)
    if refusal is not None:
        return refusal.state
    if rules.revocations.caveat(edge.certificate, rules.at):
        return "valid, revocation date unknown"
    return "valid"


def store_spans(
    records: Records, stores: Iterable[str], cas: set[str]
) -> dict[str, list[tuple[str, str, str | None]]]:
    """CA id -> every (store, from, until) span in which a drawn CA was an anchor."""
    spans: dict[str, list[tuple[str, str, str | None]]] = {}
    for store in sorted(set(stores)):
        history = anchor_history(records, store)
        opened: dict[str, str] = {}
        for as_of, anchors in history:
            for ca in sorted(set(opened) - anchors):
                spans.setdefault(ca, []).append((store, opened.pop(ca), as_of))
            for ca in sorted((anchors & cas) - set(opened)):
                opened[ca] = as_of
        for ca, start in sorted(opened.items()):
            spans.setdefault(ca, []).append((store, start, None))
    return spans


def time_slices(
    at: str, moments: Iterable[str], highlighter: Highlighter, limit: int = MAX_SLICES
) -> tuple[list[ChainPath], list[Slice], tuple[str, str | None]]:
    """The highlighted paths in every interval between ``moments`` (at most ``limit``
    intervals, those nearest ``at``): the distinct paths, the slices, and the dates covered."""
    boundaries = sorted({m for m in moments if m} | {at})
    middle = bisect_right(boundaries, at) - 1
    first = max(0, min(middle - limit // 2, len(boundaries) - limit))
    window = boundaries[first : first + limit]
    covered = (
        EVER if first == 0 else window[0],
        None if first + limit >= len(boundaries) else boundaries[first + limit],
    )
    starts = ([EVER] if first == 0 else []) + window
    paths: list[ChainPath] = []
    known: dict[tuple[str, ...], int] = {}

    def numbered(found: list[ChainPath]) -> tuple[int, ...]:
        for path in found:
            key = tuple(path.certificates)
            if key not in known:
                known[key] = len(paths)
                paths.append(path)
        return tuple(known[tuple(path.certificates)] for path in found)

    slices: list[Slice] = []
    for start in starts:
        shown = highlighter(start or EVER_TIME)
        item = Slice(start, numbered(shown.paths), numbered(shown.closed), shown.truncated)
        if slices and replace(slices[-1], start=start) == item:
            continue
        slices.append(item)
    return paths, slices, covered


def map_request(
    records: Records,
    graph: TrustGraph,
    title: str,
    rules: PathRules,
    cas: set[str],
    anchors: AnchorSet,
    owners: OwnerIndex,
    *,
    store: str | None = None,
    mode: str = "plain",
    highlighter: Highlighter | None = None,
    region: Iterable[Target] = (),
    distrusted: set[str] | None = None,
    watched: set[str] | None = None,
) -> MapRequest:
    """A map of ``cas`` (and of every CA a highlighted path passes), with the paths the
    ``highlighter`` gives in every interval between the events of the ``region`` targets,
    the states of the certificates drawn, and the store spans of its CAs."""
    rules = replace(rules, at=day_of(rules.at))
    request = MapRequest(title, rules.at, set(cas), anchors, owners, rules, mode, store)
    request.distrusted = set(distrusted or ())
    request.watched = set(watched or ())
    if highlighter is not None:
        moments = {
            first_day_from(event.at)
            for target in region
            for event in events_for(records, graph, target, store, rules, rules.revocations)
            if event.at > EVER_TIME
        }
        request.paths, request.slices, request.covered = time_slices(rules.at, moments, highlighter)
        request.cas |= {ca for path in request.paths for ca in _path_cas(path)}
    stores = {s.store for s in records.snapshots()}
    request.stores = store_spans(records, stores, request.cas)
    edges = drawn_edges(graph, request.cas)
    request.edge_states = {edge.certificate: edge_states(edge, rules) for edge in edges}
    request.texts = records.certificate_texts(e.certificate for e in edges)
    return request


def _path_cas(path: ChainPath) -> list[str]:
    return [path.anchor_ca, *(edge.subject_ca for edge in path.edges)]


def anchors_then(records: Records, store: str | None, fixed: AnchorSet, moment: str) -> AnchorSet:
    """The anchors at ``moment``: the store's snapshot then (none before its first), or the
    fixed set when the map has no store."""
    if store is None:
        return fixed
    try:
        return records.anchors_at(store, moment)
    except UsageError:
        return AnchorSet({})


def chains_highlighter(
    records: Records,
    graph: TrustGraph,
    targets: list[Target],
    anchors: AnchorSet,
    store: str | None,
    rules: PathRules,
    max_paths: int,
) -> Highlighter:
    """Highlights the paths ``chains`` finds to each target at a moment."""

    def highlight(moment: str) -> Highlight:
        found = Highlight([])
        then = anchors_then(records, store, anchors, moment)
        for target in targets:
            result = find_chains(graph, target, then, replace(rules, at=moment), max_paths)
            found.paths.extend(result.paths)
            found.truncated.update(result.truncated)
        return found

    return highlight


def impact_highlighter(
    records: Records,
    graph: TrustGraph,
    store: str,
    scenario: Scenario,
    rules: PathRules,
    owners: OwnerIndex,
) -> Highlighter:
    """Highlights the ways in that survive ``scenario`` were it applied at a moment, and
    the paths from the distrusted anchors that it closes."""

    def highlight(moment: str) -> Highlight:
        try:
            plan = plan_scenario(records, store, scenario, replace(rules, at=moment), owners)
        except UsageError:
            return Highlight([])  # before the store's first snapshot
        paths, truncated = ways_in(graph, plan)
        removed = AnchorSet({ca: plan.anchors_before.cas[ca] for ca in plan.removed})
        # The closed paths lead from a distrusted anchor to the first watched CA below it.
        below = frozenset(plan.watched - plan.removed)
        target = Target("watched", below, None, "the watched CAs")
        closed = find_chains(graph, target, removed, plan.rules_before, MAX_CLOSED)
        truncated.update({f"closed paths: {k}": v for k, v in closed.truncated.items()})
        return Highlight(paths, closed.paths, truncated)

    return highlight


def region_seeds(
    records: Records, owners: OwnerIndex, targets: list[str], owner_names: list[str] | None, at: str
) -> tuple[set[str], list[Target], str]:
    """The CAs a region grows from (the targets' and the owners' CAs at ``at``), the
    resolved targets, and a description of the region ("the whole graph" when neither).

    Raises:
        TargetError: a target or owner matches nothing.
    """
    seeds: set[str] = set()
    resolved = [records.resolve_target(target, at) for target in targets]
    for target in resolved:
        seeds |= set(target.cas)
    for name in owner_names or []:
        seeds |= owners.cas_of({owners.resolve(name)}, at)
    described = ", ".join(t.description for t in resolved) or (
        ", ".join(owner_names or []) or "the whole graph"
    )
    return seeds, resolved, described


def plan_map(
    records: Records,
    graph: TrustGraph,
    *,
    targets: list[str],
    anchors: AnchorSet,
    rules: PathRules,
    highlight: str | None = None,
    owner_names: list[str] | None = None,
    depth: int = 1,
    scenario: Scenario | None = None,
    store: str | None = None,
    max_paths: int = 200,
) -> MapRequest:
    """What to draw for a ``render`` request.

    The CAs of the targets and of the ``--owner`` organisations, everything within
    ``depth`` issuance steps of them, and the CAs of the highlighted paths; with neither
    targets nor owners, the whole graph. ``highlight`` is ``chains`` (paths from the
    anchors to each target) or ``impact`` (the surviving ways in of ``scenario``).

    Raises:
        UsageError: ``impact`` without a scenario or store, or a database without CAs to
            draw; TargetError: a bad target.
    """
    if not graph.graph.number_of_nodes():
        raise UsageError("nothing to draw: the database holds no CAs; load certificates first")
    owners = records.owners()
    rules = for_anchors(rules, anchors)
    seeds, resolved, described = region_seeds(records, owners, targets, owner_names, rules.at)
    options: dict[str, Any] = {"store": store}
    if highlight == "chains":
        options.update(
            mode="chains",
            highlighter=chains_highlighter(
                records, graph, resolved, anchors, store, rules, max_paths
            ),
            region=resolved,
        )
    elif highlight == "impact":
        if scenario is None or store is None:
            raise UsageError(
                "{highlight} impact needs {store} and a scenario ({distrust_owner}, "
                "{distrust_root}, {revoke_cert} or {distrust_rule})",
                parameters=(
                    "highlight",
                    "store",
                    "distrust_owner",
                    "distrust_root",
                    "revoke_cert",
                    "distrust_rule",
                ),
            )
        plan = plan_scenario(records, store, scenario, rules, owners)
        result = assess(records, plan, graph)
        watched = {item.ca for item in result.watched}
        seeds |= watched
        options.update(
            mode="impact",
            highlighter=impact_highlighter(records, graph, store, scenario, rules, owners),
            region=[Target("watched", frozenset(watched), None, "the watched CAs")],
            distrusted=set(result.removed),
            watched=watched,
        )
    cas = neighbourhood(graph, seeds, depth) if seeds else set(graph.graph.nodes)
    title = f"trustgraph map: {described}"
    return map_request(records, graph, title, rules, cas, anchors, owners, **options)
