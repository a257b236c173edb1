"""What a map shows: the CAs to draw (a target's neighbourhood, an owner's CAs, or the whole
graph), the paths to highlight, and the trust context at the date (stores, revocations,
operators), with the certificate texts the page displays."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from trustgraph.analysis.chains import ChainPath, find_chains
from trustgraph.analysis.impact import Scenario, assess, plan_scenario
from trustgraph.errors import UsageError
from trustgraph.graph.model import Edge
from trustgraph.graph.owners import OwnerIndex
from trustgraph.graph.targets import resolve_target
from trustgraph.graph.trustgraph import TrustGraph
from trustgraph.policy.anchors import AnchorSet
from trustgraph.policy.revocations import RevocationIndex
from trustgraph.policy.rules import PathRules
from trustgraph.policy.stores import anchors_at, list_snapshots
from trustgraph.storage import certificates
from trustgraph.storage.database import Database


@dataclass
class MapRequest:
    """What to draw: the CAs, the trust context, what to highlight."""

    title: str
    at: str
    cas: set[str]
    anchors: AnchorSet
    owners: OwnerIndex
    stores: dict[str, list[str]] = field(default_factory=dict)  # CA id -> store names
    highlight: list[ChainPath] = field(default_factory=list)
    revocations: RevocationIndex = field(default_factory=RevocationIndex)
    texts: dict[str, tuple[Any, ...]] = field(default_factory=dict)  # (serial, subject, issuer)
    truncated: dict[str, str] = field(default_factory=dict)  # bound -> why, for highlights


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


def trust_stores_at(db: Database, at: str) -> dict[str, list[str]]:
    """CA id -> the trust stores whose snapshot in force at ``at`` has it as an anchor."""
    result: dict[str, list[str]] = {}
    for name in sorted({s.store for s in list_snapshots(db)}):
        try:
            anchors = anchors_at(db, name, at)
        except UsageError:
            continue
        for ca in anchors.cas:
            result.setdefault(ca, []).append(name)
    return result


def map_request(
    db: Database,
    graph: TrustGraph,
    title: str,
    at: str,
    cas: set[str],
    anchors: AnchorSet,
    highlight: list[ChainPath],
    revocations: RevocationIndex,
    owners: OwnerIndex | None = None,
) -> MapRequest:
    """A map of ``cas`` and the CAs of the highlighted paths, with the trust stores at
    ``at`` and the texts of the certificates drawn."""
    drawn = set(cas) | {
        ca for path in highlight for ca in (path.anchor_ca, *(e.subject_ca for e in path.edges))
    }
    texts = certificates.certificate_texts(db, (e.certificate for e in drawn_edges(graph, drawn)))
    return MapRequest(
        title,
        at,
        drawn,
        anchors,
        owners or OwnerIndex.from_database(db),
        trust_stores_at(db, at),
        highlight,
        revocations,
        texts,
    )


def plan_map(
    db: Database,
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
        UsageError: ``impact`` without a scenario or store; TargetError: a bad target.
    """
    owners = OwnerIndex.from_database(db)
    seeds: set[str] = set()
    resolved = [resolve_target(db, target, rules.at) for target in targets]
    for target in resolved:
        seeds |= set(target.cas)
    for name in owner_names or []:
        seeds |= owners.cas_of({owners.resolve(name)}, rules.at)
    paths: list[ChainPath] = []
    truncated: dict[str, str] = {}
    if highlight == "chains":
        for target in resolved:
            found = find_chains(graph, target, anchors, rules, max_paths=max_paths)
            paths += found.paths
            truncated.update(found.truncated)
    elif highlight == "impact":
        if scenario is None or store is None:
            raise UsageError(
                "--highlight impact needs --store and a scenario "
                "(--distrust-owner, --distrust-root, --revoke-cert or "
                "--distrust-rule)"
            )
        plan = plan_scenario(db, store, rules.at, scenario, rules)
        result = assess(db, plan, graph)
        seeds |= {item.ca for item in result.watched}
        paths = [way.path for way in result.ways_in]
        truncated.update(result.ways_truncated)
    cas = neighbourhood(graph, seeds, depth) if seeds else set(graph.graph.nodes)
    described = ", ".join(t.description for t in resolved) or (
        ", ".join(owner_names or []) or "the whole graph"
    )
    title = f"trustgraph map: {described} at {rules.at[:10]}"
    request = map_request(
        db, graph, title, rules.at, cas, anchors, paths, rules.revocations, owners
    )
    request.truncated = truncated
    return request
