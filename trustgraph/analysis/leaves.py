"""The leaves behind CAs: unexpired leaf certificates and their registered domains at a
date, for a target and the CAs below it (by issuing CA), and for each way in from a
store's anchors, with what the store's partial distrust of that anchor would break
(a distrust-after date on notBefore, an SCT cut-off on the earliest logged time).

A certificate logged twice, or as a precertificate and a certificate, counts once. The
counts are those of the leaves loaded: which logs, which entries, synced when, is part of
every answer (a partial corpus undercounts).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from trustgraph.analysis.chains import ChainPath, find_chains
from trustgraph.analysis.records import Records
from trustgraph.core.times import parse_iso
from trustgraph.graph.targets import Target
from trustgraph.graph.trustgraph import TrustGraph
from trustgraph.policy.anchors import SERVER_AUTH, AnchorSet
from trustgraph.policy.rules import PathRules

if TYPE_CHECKING:
    from trustgraph.analysis.impact import ImpactResult


@dataclass(frozen=True)
class LeafCount:
    """Unexpired leaves and their registered domains."""

    leaves: int
    domains: int

    def as_dict(self) -> dict[str, int]:
        return {"unexpired_leaves": self.leaves, "registered_domains": self.domains}


@dataclass
class WayLeaves:
    """A way in (a path from an anchor to a target CA) and the leaves it carries."""

    path: ChainPath
    entered: str
    count: LeafCount
    broken: dict[str, LeafCount] = field(default_factory=dict)
    """What the store's partial distrust of the path's anchor would break, by rule."""


@dataclass
class Corpus:
    """Which leaves were counted: each source with its checkpoint and stored entries."""

    sources: list[dict[str, Any]]
    total: int

    @property
    def empty(self) -> bool:
        return not self.total


@dataclass
class LeavesResult:
    target: Target
    at: str
    region: set[str]
    total: LeafCount
    by_ca: dict[str, LeafCount]
    corpus: Corpus
    anchors: AnchorSet | None = None
    ways: list[WayLeaves] = field(default_factory=list)
    truncated: dict[str, str] = field(default_factory=dict)


def seconds(moment: str) -> int:
    parsed = parse_iso(moment)
    assert parsed is not None
    return int(parsed.timestamp())


def below(graph: TrustGraph, cas: set[str], rules: PathRules) -> set[str]:
    """``cas`` and every CA they issue for, directly or through others, by certificates
    usable at the rules' date (no depth beyond the rules' maximum)."""
    found = set(cas)
    queue = deque((ca, 0) for ca in cas)
    while queue:
        ca, depth = queue.popleft()
        if depth >= rules.max_depth:
            continue
        for edge in graph.out_edges(ca):
            if edge.subject_ca not in found and rules.usable(edge) and rules.can_issue(edge):
                found.add(edge.subject_ca)
                queue.append((edge.subject_ca, depth + 1))
    return found


def corpus(records: Records) -> Corpus:
    """The sources of the leaves loaded, with the ranges of entries stored."""
    ranges: dict[int, list[list[int]]] = {}
    for source, start, count in records.leaf_ranges():
        ranges.setdefault(source, []).append([start, start + count])
    return Corpus(
        [
            {**source.as_dict(), "entries_stored": ranges.get(source.id, [])}
            for source in records.leaf_sources()
        ],
        records.leaf_count(),
    )


def count_leaves(
    records: Records,
    graph: TrustGraph,
    target: Target,
    rules: PathRules,
    anchors: AnchorSet | None = None,
    max_paths: int = 200,
) -> LeavesResult:
    """The leaves of ``target`` and the CAs below it at the rules' date, by issuing CA; with
    ``anchors``, by way in from them too."""
    at = seconds(rules.at)
    region = below(graph, set(target.cas), rules)
    per_ca = records.unexpired_by_ca(at)
    by_ca = {ca: LeafCount(*per_ca[ca]) for ca in sorted(region) if ca in per_ca}
    total = LeafCount(*records.unexpired_of(sorted(region), at))
    result = LeavesResult(target, rules.at, region, total, by_ca, corpus(records), anchors)
    if anchors is not None:
        chains = find_chains(graph, target, anchors, rules, max_paths)
        result.truncated = chains.truncated
        result.ways = [_way(records, graph, path, anchors, rules, at) for path in chains.paths]
    return result


def _way(
    records: Records,
    graph: TrustGraph,
    path: ChainPath,
    anchors: AnchorSet,
    rules: PathRules,
    at: int,
) -> WayLeaves:
    entered = path.edges[-1].subject_ca if path.edges else path.anchor_ca
    cas = sorted(below(graph, {entered}, rules))
    way = WayLeaves(path, entered, LeafCount(*records.unexpired_of(cas, at)))
    trust = anchors.trust_of(path.anchor_ca)
    purpose = SERVER_AUTH if rules.checks_names else None
    cutoff = trust.cutoff_for(purpose)
    if cutoff:
        way.broken[f"distrust-after {cutoff[:10]}"] = LeafCount(
            *records.unexpired_of(cas, at, issued_after=seconds(cutoff))
        )
    if trust.sct_not_after:
        way.broken[f"sct-not-after {trust.sct_not_after[:10]}"] = LeafCount(
            *records.unexpired_of(cas, at, logged_after=seconds(trust.sct_not_after) * 1000)
        )
    return way


@dataclass
class ImpactLeaves:
    """The leaves an impact answer carries: behind each CA that loses every path (issued
    by it), all of them together, and behind each surviving way in (the CA it enters and
    those below), with what the store's partial distrust of its anchor would break."""

    corpus: Corpus
    lost: dict[str, LeafCount]
    lost_total: LeafCount
    ways: list[WayLeaves]


def impact_leaves(records: Records, result: ImpactResult) -> ImpactLeaves | None:
    """The leaves behind an impact answer at its date (None: no leaves are loaded)."""
    found = corpus(records)
    if found.empty:
        return None
    at = seconds(result.at)
    lost = result.lost_cas
    per_ca = records.unexpired_by_ca(at)
    rules = result.rules
    anchors = result.anchors_after
    return ImpactLeaves(
        found,
        {ca: LeafCount(*per_ca.get(ca, (0, 0))) for ca in lost},
        LeafCount(*records.unexpired_of(lost, at)),
        [_way(records, result.graph, way.path, anchors, rules, at) for way in result.ways_in],
    )
