"""The memory backend: queries on networkx graphs of the local database, of the region a
query can use (the target's ancestors, read on demand, so that a query on a million
certificates starts at once), or of the whole database when the caller passes one or the
query needs it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from trustgraph.analysis.chains import ChainsResult, find_chains
from trustgraph.analysis.crosssigns import CrossSignedCA, find_cross_signs
from trustgraph.analysis.impact import ImpactResult, ScenarioPlan, assess
from trustgraph.analysis.reach import ReachResult, find_reach
from trustgraph.analysis.serials import SerialGroup, find_serial_groups
from trustgraph.analysis.timeline import TimelineResult, timeline
from trustgraph.backends.base import store_anchors, walk_up
from trustgraph.core.progress import Progress
from trustgraph.graph.model import CA, ca_from_record, edge_from_record
from trustgraph.graph.owners import OwnerIndex
from trustgraph.graph.targets import Target
from trustgraph.graph.trustgraph import TrustGraph
from trustgraph.policy.anchors import AnchorSet, database_roots
from trustgraph.policy.rules import PathRules
from trustgraph.storage import edges as edge_rows
from trustgraph.storage.database import Database

if TYPE_CHECKING:  # the checks (and their calendars) load only when a check runs
    from trustgraph.analysis.checks import CheckReport


class MemoryBackend:
    """Queries on networkx graphs of the local database: of the whole database when one is
    given (or for cross-signs), else of the region a query can use, read on demand, so that
    a command on a large database starts at once."""

    name = "memory"

    def __init__(
        self, db: Database, graph: TrustGraph | None = None, progress: Progress | None = None
    ) -> None:
        self.db = db
        self._graph = graph
        self.progress = progress
        self._cas: dict[str, CA] = {}
        """CA records read so far: every query's region adds the anchors' CAs again."""

    @property
    def graph(self) -> TrustGraph:
        """The whole graph, built on first use."""
        if self._graph is None:
            self._graph = TrustGraph.from_database(self.db, self.progress)
        return self._graph

    def region(self, target: Target, levels: int | None, cas: Iterable[str]) -> TrustGraph:
        """Every edge within ``levels`` certificates above ``target`` (None: all of them),
        with the CAs ``cas`` too; the whole graph when one was given."""
        if self._graph is not None:
            return self._graph
        graph = walk_up(target, levels, self._add_edges_into, self._add_certificate)
        self._add_cas(graph, set(cas) | set(target.cas))
        return graph

    def _add_edges_into(self, graph: TrustGraph, cas: set[str]) -> set[str]:
        return self._add_records(graph, list(edge_rows.edges_into(self.db, cas)))

    def _add_certificate(self, graph: TrustGraph, certificate: str) -> None:
        self._add_records(graph, list(edge_rows.edges_of(self.db, [certificate])))

    def _add_records(self, graph: TrustGraph, records: list[dict[str, Any]]) -> set[str]:
        edges = [edge_from_record(record) for record in records]
        self._add_cas(graph, {ca for e in edges for ca in (e.issuer_ca, e.subject_ca)})
        for edge in edges:
            if edge.certificate not in graph.edges:
                graph.add_edge(edge)
        return {edge.issuer_ca for edge in edges}

    def _add_cas(self, graph: TrustGraph, cas: Iterable[str]) -> None:
        wanted = set(cas) - set(graph.graph.nodes)
        for record in edge_rows.cas_by_id(self.db, wanted - set(self._cas)):
            ca = ca_from_record(record)
            self._cas[ca.ca_id] = ca
        for ca_id in sorted(wanted & set(self._cas)):
            graph.add_ca(self._cas[ca_id])

    def chains(
        self, target: Target, anchors: AnchorSet, rules: PathRules, max_paths: int, timeout: float
    ) -> ChainsResult:
        graph = self.region(target, None, anchors.cas)
        return find_chains(graph, target, anchors, rules, max_paths, timeout)

    def reach(self, target: Target, anchors: AnchorSet, rules: PathRules) -> ReachResult:
        return find_reach(self.region(target, None, anchors.cas), target, anchors, rules)

    def cross_signs(self, at: str | None) -> tuple[list[CrossSignedCA], TrustGraph]:
        roots = set(database_roots(self.db).cas)
        owners = OwnerIndex.from_database(self.db)
        return find_cross_signs(self.graph, roots, at, owners), self.graph

    def serial_groups(self, scope: str) -> list[SerialGroup]:
        return find_serial_groups(self.db, scope)

    def impact(self, plan: ScenarioPlan, horizon: str | None, paths_per_ca: int) -> ImpactResult:
        watched = Target("affected", plan.region_cas, None, "the CAs the scenario can affect")
        graph = self.region(watched, None, plan.anchors_before.cas)
        return assess(self.db, plan, graph, horizon, paths_per_ca)

    def check(self, names: list[str] | None, since: str | None, scope: str = "tls") -> CheckReport:
        from trustgraph.analysis.checks import run_checks

        return run_checks(self.db, names, since, progress=self.progress, scope=scope)

    def timeline(self, target: Target, store: str, rules: PathRules) -> TimelineResult:
        graph = self.region(target, rules.max_depth, store_anchors(self.db, store))
        return timeline(self.db, graph, target, store, rules)
