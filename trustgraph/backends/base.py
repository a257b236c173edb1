"""The backend protocol (what every backend answers) and the walk up from a target that
both backends use to read only the part of the graph a query can use."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from trustgraph.analysis.chains import ChainsResult
from trustgraph.analysis.crosssigns import CrossSignedCA
from trustgraph.analysis.impact import ImpactResult, ScenarioPlan
from trustgraph.analysis.reach import ReachResult
from trustgraph.analysis.serials import SerialGroup
from trustgraph.analysis.stores import anchor_history
from trustgraph.analysis.timeline import TimelineResult
from trustgraph.graph.targets import Target
from trustgraph.graph.trustgraph import TrustGraph
from trustgraph.policy.anchors import AnchorSet
from trustgraph.policy.rules import PathRules
from trustgraph.storage.database import Database

if TYPE_CHECKING:  # the checks (and their calendars) load only when a check runs
    from trustgraph.analysis.checks import CheckReport


class Backend(Protocol):
    name: str

    def chains(
        self, target: Target, anchors: AnchorSet, rules: PathRules, max_paths: int, timeout: float
    ) -> ChainsResult: ...

    def reach(self, target: Target, anchors: AnchorSet, rules: PathRules) -> ReachResult: ...

    def cross_signs(self, at: str | None) -> tuple[list[CrossSignedCA], TrustGraph]: ...

    def serial_groups(self, scope: str) -> list[SerialGroup]: ...

    def impact(
        self, plan: ScenarioPlan, horizon: str | None, paths_per_ca: int
    ) -> ImpactResult: ...

    def check(
        self, names: list[str] | None, since: str | None, scope: str = "tls"
    ) -> CheckReport: ...

    def timeline(self, target: Target, store: str, rules: PathRules) -> TimelineResult: ...


Step = Callable[[TrustGraph, set[str]], set[str]]


def walk_up(
    target: Target,
    levels: int | None,
    step: Step,
    add_certificate: Callable[[TrustGraph, str], None],
) -> TrustGraph:
    """A graph of the edges ``step`` adds into the target's CAs (or into the issuer of the
    target certificate, which ``add_certificate`` adds first), then into their issuers, and
    so on: at most ``levels`` certificates deep (None: until no new issuer appears)."""
    graph = TrustGraph()
    if target.certificate:
        add_certificate(graph, target.certificate)
        if target.certificate not in graph.edges:
            return graph
        frontier, depth = {graph.edges[target.certificate].issuer_ca}, 1
    else:
        frontier, depth = set(target.cas), 0
    seen = set(frontier)
    while frontier and (levels is None or depth < levels):
        frontier = step(graph, frontier) - seen
        seen |= frontier
        depth += 1
    return graph


def store_anchors(db: Database, store: str) -> set[str]:
    """Every CA that was ever an anchor of ``store``."""
    return set().union(*(cas for _, cas in anchor_history(db, store)))
