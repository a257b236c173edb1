"""Backends: where the graph lives when a query runs.

* ``memory``: networkx graphs built from the local database: of the region a query can use
  (the target's ancestors, read on demand, so a query on a million certificates starts at
  once), or of the whole database when the caller passes one or the query needs it.
* ``neo4j``: the graph pushed to Neo4j (``trustgraph neo4j push``). The named queries of
  ``queries/`` narrow the work on the server (the region a path search can use, walked up
  from the target one step per query; the certificates a check should judge); trustgraph's
  rule engine then decides the answer from what they return, on exactly the code the memory
  backend runs. So both backends give the same answers, truncation notes included; the
  local database still supplies anchors, owners, trust stores and certificate bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol

from trustgraph import stores
from trustgraph.anchors import AnchorSet, database_roots
from trustgraph.catalog import query
from trustgraph.chains import ChainsResult, find_chains
from trustgraph.checks import CheckReport, run_checks, select
from trustgraph.checks.calendar_days import CLUSTER
from trustgraph.crosssigns import CrossSignedCA, find_cross_signs
from trustgraph.database import Database
from trustgraph.graph import (
    TrustGraph,
    ca_from_record,
    cas_by_id,
    edge_from_record,
    edges_into,
    edges_of,
)
from trustgraph.impact import ImpactResult, ScenarioPlan, assess
from trustgraph.linking import GRAPH_KINDS, VERIFIED
from trustgraph.neo4jdb import Neo4jGraph
from trustgraph.pathrules import PathRules
from trustgraph.progress import Progress
from trustgraph.reach import ReachResult, find_reach
from trustgraph.serials import SerialGroup, find_serial_groups, serial_groups
from trustgraph.sigpolicy import ALWAYS
from trustgraph.targets import Target
from trustgraph.timeline import TimelineResult, timeline

_CHUNK = 2000


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

    def check(self, names: list[str] | None, since: str | None) -> CheckReport: ...

    def timeline(self, target: Target, store: str, rules: PathRules) -> TimelineResult: ...


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
        return self._add_records(graph, list(edges_into(self.db, cas)))

    def _add_certificate(self, graph: TrustGraph, certificate: str) -> None:
        self._add_records(graph, list(edges_of(self.db, [certificate])))

    def _add_records(self, graph: TrustGraph, records: list[dict[str, Any]]) -> set[str]:
        edges = [edge_from_record(record) for record in records]
        self._add_cas(graph, {ca for e in edges for ca in (e.issuer_ca, e.subject_ca)})
        for edge in edges:
            if edge.certificate not in graph.edges:
                graph.add_edge(edge)
        return {edge.issuer_ca for edge in edges}

    def _add_cas(self, graph: TrustGraph, cas: Iterable[str]) -> None:
        for record in cas_by_id(self.db, set(cas) - set(graph.graph.nodes)):
            graph.add_ca(ca_from_record(record))

    def chains(
        self, target: Target, anchors: AnchorSet, rules: PathRules, max_paths: int, timeout: float
    ) -> ChainsResult:
        graph = self.region(target, None, anchors.cas)
        return find_chains(graph, target, anchors, rules, max_paths, timeout)

    def reach(self, target: Target, anchors: AnchorSet, rules: PathRules) -> ReachResult:
        return find_reach(self.region(target, None, anchors.cas), target, anchors, rules)

    def cross_signs(self, at: str | None) -> tuple[list[CrossSignedCA], TrustGraph]:
        return find_cross_signs(self.graph, set(database_roots(self.db).cas), at), self.graph

    def serial_groups(self, scope: str) -> list[SerialGroup]:
        return find_serial_groups(self.db, scope)

    def impact(self, plan: ScenarioPlan, horizon: str | None, paths_per_ca: int) -> ImpactResult:
        watched = Target("watched", frozenset(plan.watched), None, "the watched CAs")
        graph = self.region(watched, None, plan.anchors_before.cas)
        return assess(self.db, plan, graph, horizon, paths_per_ca)

    def check(self, names: list[str] | None, since: str | None) -> CheckReport:
        return run_checks(self.db, names, since, progress=self.progress)

    def timeline(self, target: Target, store: str, rules: PathRules) -> TimelineResult:
        graph = self.region(target, rules.max_depth, _store_anchors(self.db, store))
        return timeline(self.db, graph, target, store, rules)


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


def _store_anchors(db: Database, store: str) -> set[str]:
    """Every CA that was ever an anchor of ``store``."""
    return set().union(*(cas for _, cas in stores.anchor_history(db, store)))


class Neo4jBackend:
    """Queries on the graph pushed to Neo4j, narrowed there by the query catalog."""

    name = "neo4j"

    def __init__(self, db: Database, neo: Neo4jGraph, progress: Progress | None = None) -> None:
        self.db = db
        self.neo = neo
        self.progress = progress

    def run(
        self, name: str, parameters: dict[str, Any], timeout: float | None = None
    ) -> list[dict[str, Any]]:
        """Run catalog query ``name`` with parameters.

        Raises:
            Neo4jError: the server is unreachable, refused the query or timed out.
        """
        return self.neo.run(query(name).text, parameters, timeout)

    def rule_parameters(self, anchors: AnchorSet, rules: PathRules) -> dict[str, Any]:
        """The parameters by which ``region-step`` keeps only edges that could be usable."""
        cutoffs = rules.signature_policy.not_accepted_from
        return {
            "at": rules.at,
            "kinds": [VERIFIED] if rules.verified_only else list(GRAPH_KINDS),
            "blocked": sorted(anchors.blocked),
            "revoked": sorted(
                fp
                for fp in rules.revocations.by_certificate
                if rules.revocations.refusal(fp, rules.at)
            ),
            "signature_cutoffs": {h: ("" if c == ALWAYS else c) for h, c in cutoffs.items()},
        }

    def search_region(self, target: Target, anchors: AnchorSet, rules: PathRules) -> TrustGraph:
        """Every edge that could be usable at the time of ``rules`` on a way up from
        ``target`` (walked up one level per query, to the top): a part of the graph on
        which the path search finds exactly what it finds on the whole graph, because it
        only ever follows such edges."""
        graph = self._walk_up(target, "region-step", self.rule_parameters(anchors, rules), None)
        self._add_cas(graph, set(target.cas) | set(anchors.cas))
        return graph

    def ancestors(self, target: Target, max_depth: int, cas: Iterable[str]) -> TrustGraph:
        """Every edge within ``max_depth`` certificates above ``target``, at any time, with
        the CAs ``cas`` too: the region a timeline follows."""
        graph = self._walk_up(target, "edges-into", {}, max_depth)
        self._add_cas(graph, set(cas) | set(target.cas))
        return graph

    def _walk_up(
        self, target: Target, step: str, parameters: dict[str, Any], levels: int | None
    ) -> TrustGraph:
        """:func:`walk_up` with catalog query ``step``."""

        def into(graph: TrustGraph, cas: set[str]) -> set[str]:
            return self._add_edges(graph, step, parameters, "cas", cas)

        def certificate(graph: TrustGraph, fingerprint: str) -> None:
            self._add_edges(graph, "edges", {}, "certificates", [fingerprint])

        return walk_up(target, levels, into, certificate)

    def _add_edges(
        self,
        graph: TrustGraph,
        name: str,
        parameters: dict[str, Any],
        key: str,
        values: Iterable[str],
    ) -> set[str]:
        """Add the edges catalog query ``name`` returns for ``values`` (of parameter
        ``key``, in chunks); their issuers."""
        issuers: set[str] = set()
        wanted = sorted(set(values))
        for start in range(0, len(wanted), _CHUNK):
            chunk = {**parameters, key: wanted[start : start + _CHUNK]}
            for row in self.run(name, chunk):
                for key in ("issuer", "subject"):
                    if row[key]["id"] not in graph.graph:
                        graph.add_ca(_ca(row[key]))
                edge = edge_from_record(row["edge"])
                if edge.certificate not in graph.edges:
                    graph.add_edge(edge)
                issuers.add(edge.issuer_ca)
        return issuers

    def _add_cas(self, graph: TrustGraph, cas: Iterable[str]) -> None:
        missing = sorted(set(cas) - set(graph.graph.nodes))
        for start in range(0, len(missing), _CHUNK):
            for row in self.run("cas", {"ids": missing[start : start + _CHUNK]}):
                graph.add_ca(_ca(row["ca"]))

    def chains(
        self, target: Target, anchors: AnchorSet, rules: PathRules, max_paths: int, timeout: float
    ) -> ChainsResult:
        graph = self.search_region(target, anchors, rules)
        return find_chains(graph, target, anchors, rules, max_paths, timeout)

    def reach(self, target: Target, anchors: AnchorSet, rules: PathRules) -> ReachResult:
        return find_reach(self.search_region(target, anchors, rules), target, anchors, rules)

    def cross_signs(self, at: str | None) -> tuple[list[CrossSignedCA], TrustGraph]:
        rows = self.run("cross-signs", {"at": at})
        graph = TrustGraph()
        certificates = {fp for row in rows for fp in row["certificates"]}
        self._add_edges(graph, "edges", {}, "certificates", certificates)
        self._add_cas(graph, {row["ca"] for row in rows})
        roots = {row["ca"] for row in self.run("roots", {})}
        wanted = {row["ca"] for row in rows}
        return [item for item in find_cross_signs(graph, roots, at) if item.ca in wanted], graph

    def serial_groups(self, scope: str) -> list[SerialGroup]:
        by_name = [
            (str(row["issuer_hash"]), row["serial"], row["certificates"])
            for row in self.run("serials-by-issuer-name", {"scope": scope})
        ]
        by_ca = [
            (row["issuer_ca"], row["serial"], row["certificates"])
            for row in self.run("serials-by-issuing-ca", {"scope": scope})
        ]
        return serial_groups(self.db, by_name, by_ca)

    def impact(self, plan: ScenarioPlan, horizon: str | None, paths_per_ca: int) -> ImpactResult:
        # The region of the rules before the scenario holds the one after: a scenario only
        # takes trust away.
        watched = Target("watched", frozenset(plan.watched), None, "the watched CAs")
        graph = self.search_region(watched, plan.anchors_before, plan.rules_before)
        return assess(self.db, plan, graph, horizon, paths_per_ca)

    def check(self, names: list[str] | None, since: str | None) -> CheckReport:
        chosen = [c.info.name for c in select(names)]
        candidates: dict[str, set[str]] = {}
        for name in chosen:
            parameters: dict[str, Any] = {"since": since or ""}
            if name == "non-working-day-issuance":
                parameters["cluster"] = CLUSTER
            rows = self.run(f"check-{name}", parameters)
            candidates[name] = {row["certificate"] for row in rows}
        return run_checks(self.db, chosen, since, candidates, self.progress)

    def timeline(self, target: Target, store: str, rules: PathRules) -> TimelineResult:
        graph = self.ancestors(target, rules.max_depth, _store_anchors(self.db, store))
        return timeline(self.db, graph, target, store, rules)


def _ca(properties: dict[str, Any]) -> Any:
    return ca_from_record({**properties, "ca_id": properties["id"]})
