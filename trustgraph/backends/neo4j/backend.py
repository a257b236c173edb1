"""The Neo4j backend: queries on the graph pushed to Neo4j. The named queries of the
catalog narrow the work on the server (the region a path search can use, walked up from the
target one step per query; the certificates a check should judge); trustgraph's rule engine
then decides the answer from what they return, on exactly the code the memory backend runs,
so both backends give the same answers, truncation notes included. The local database still
supplies anchors, owners, trust stores and certificate bytes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from trustgraph.backends.base import CrossSignRegion, walk_up
from trustgraph.backends.neo4j.catalog import query
from trustgraph.backends.neo4j.connection import Neo4jGraph
from trustgraph.core.kinds import GRAPH_KINDS, VERIFIED
from trustgraph.core.records import GroupRow
from trustgraph.graph.model import CA, ca_from_record, edge_from_record
from trustgraph.graph.targets import Target
from trustgraph.graph.trustgraph import TrustGraph
from trustgraph.policy.anchors import AnchorSet
from trustgraph.policy.rules import PathRules
from trustgraph.policy.signatures import ALWAYS

_CHUNK = 2000


class Neo4jBackend:
    """Queries on the graph pushed to Neo4j, narrowed there by the query catalog."""

    name = "neo4j"

    def __init__(self, neo: Neo4jGraph) -> None:
        self.neo = neo

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
                for end in ("issuer", "subject"):
                    if row[end]["id"] not in graph.graph:
                        graph.add_ca(_ca(row[end]))
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

    def cross_sign_region(self, at: str | None) -> CrossSignRegion:
        rows = self.run("cross-signs", {"at": at})
        graph = TrustGraph()
        certificates = {fp for row in rows for fp in row["certificates"]}
        self._add_edges(graph, "edges", {}, "certificates", certificates)
        self._add_cas(graph, {row["ca"] for row in rows})
        roots = frozenset(row["ca"] for row in self.run("roots", {}))
        return CrossSignRegion(graph, roots, frozenset(row["ca"] for row in rows))

    def serial_rows(self, scope: str) -> tuple[list[GroupRow], list[GroupRow]]:
        by_name = [
            (str(row["issuer_hash"]), row["serial"], row["certificates"])
            for row in self.run("serials-by-issuer-name", {"scope": scope})
        ]
        by_ca = [
            (row["issuer_ca"], row["serial"], row["certificates"])
            for row in self.run("serials-by-issuing-ca", {"scope": scope})
        ]
        return by_name, by_ca

    def check_candidates(
        self, checks: Mapping[str, Mapping[str, Any]], since: str | None
    ) -> dict[str, set[str]]:
        candidates: dict[str, set[str]] = {}
        for name, parameters in checks.items():
            rows = self.run(f"check-{name}", {**parameters, "since": since or ""})
            candidates[name] = {row["certificate"] for row in rows}
        return candidates


def _ca(properties: dict[str, Any]) -> CA:
    return ca_from_record({**properties, "ca_id": properties["id"]})
