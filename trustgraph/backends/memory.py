"""The memory backend: queries on networkx graphs of the local database, of the region a
query can use (the target's ancestors, read on demand, so that a query on a million
certificates starts at once), or of the whole database when the caller passes one or the
query needs it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from trustgraph.backends.base import CrossSignRegion, walk_up
from trustgraph.core.progress import Progress
from trustgraph.graph.model import CA, ca_from_record, edge_from_record
from trustgraph.graph.targets import Target
from trustgraph.graph.trustgraph import TrustGraph
from trustgraph.policy.anchors import AnchorSet, database_roots
from trustgraph.policy.rules import PathRules
from trustgraph.storage import edges as edge_rows
from trustgraph.storage.database import Database


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

    def search_region(self, target: Target, anchors: AnchorSet, rules: PathRules) -> TrustGraph:
        return self.region(target, None, anchors.cas)

    def ancestors(self, target: Target, levels: int, cas: Iterable[str]) -> TrustGraph:
        return self.region(target, levels, cas)

    def cross_sign_region(self, at: str | None) -> CrossSignRegion:
        return CrossSignRegion(self.graph, frozenset(database_roots(self.db).cas), None)

    def serial_rows(self, scope: str) -> None:
        return None

    def check_candidates(self, checks: Mapping[str, Mapping[str, Any]], since: str | None) -> None:
        return None
