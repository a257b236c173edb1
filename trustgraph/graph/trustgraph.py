"""The memory backend's graph: CAs as nodes, certificates as edges, in networkx.

Built from the database on demand. Each edge carries an :class:`Edge` with what the path
rules need of its certificate, so that queries never go back to SQLite mid-search.
"""

from __future__ import annotations

from functools import cached_property

from trustgraph.core.progress import NullProgress, Progress
from trustgraph.graph.model import CA, Edge, ca_from_record, edge_from_record
from trustgraph.storage import edges as edge_rows
from trustgraph.storage.database import Database


class TrustGraph:
    """CAs and issuance edges. ``graph`` is a networkx MultiDiGraph keyed by fingerprint."""

    def __init__(self) -> None:
        import networkx as nx  # here, not at the top: commands that never query start faster

        self.graph = nx.MultiDiGraph()
        self.edges: dict[str, Edge] = {}

    @classmethod
    def from_database(cls, db: Database, progress: Progress | None = None) -> TrustGraph:
        """Build the graph of every CA and every verified, unverifiable or declared edge."""
        progress = progress or NullProgress()
        result = cls()
        for record in edge_rows.ca_records(db):
            result.add_ca(ca_from_record(record))
        progress.start("building the graph", edge_rows.edge_count(db))
        for count, record in enumerate(edge_rows.edge_records(db), start=1):
            result.add_edge(edge_from_record(record))
            if count % 10_000 == 0:
                progress.advance(10_000)
        progress.finish()
        return result

    def add_ca(self, ca: CA) -> None:
        self.graph.add_node(ca.ca_id, ca=ca)

    def add_edge(self, edge: Edge) -> None:
        for node in (edge.issuer_ca, edge.subject_ca):
            if node not in self.graph:
                self.graph.add_node(node, ca=None)
        self.graph.add_edge(edge.issuer_ca, edge.subject_ca, key=edge.certificate, edge=edge)
        self.edges[edge.certificate] = edge
        self.__dict__.pop("_out", None)
        self.__dict__.pop("_in", None)

    def ca(self, ca_id: str) -> CA | None:
        if ca_id not in self.graph:
            return None
        info: CA | None = self.graph.nodes[ca_id].get("ca")
        return info

    def label(self, ca_id: str) -> str:
        """A short name for people: the CA's common name (else organisation, else subject),
        or the start of its id when the CA is not in the graph."""
        info = self.ca(ca_id)
        return info.label if info else ca_id

    @cached_property
    def _out(self) -> dict[str, list[Edge]]:
        return self._adjacency(outgoing=True)

    @cached_property
    def _in(self) -> dict[str, list[Edge]]:
        return self._adjacency(outgoing=False)

    def _adjacency(self, *, outgoing: bool) -> dict[str, list[Edge]]:
        result: dict[str, list[Edge]] = {}
        for _u, _v, edge in self.graph.edges(data="edge"):
            if edge.is_self_loop:
                continue
            node = edge.issuer_ca if outgoing else edge.subject_ca
            result.setdefault(node, []).append(edge)
        for edges in result.values():
            edges.sort(key=lambda e: e.certificate)
        return result

    def out_edges(self, ca_id: str) -> list[Edge]:
        """Certificates issued by ``ca_id`` to other CAs, by fingerprint (no self-loops)."""
        return self._out.get(ca_id, [])

    def in_edges(self, ca_id: str) -> list[Edge]:
        """Certificates certifying ``ca_id`` issued by other CAs, by fingerprint."""
        return self._in.get(ca_id, [])

    def certificates_of(self, ca_id: str) -> list[Edge]:
        """Every edge certifying ``ca_id``, self-signed ones included, by fingerprint."""
        if ca_id not in self.graph:
            return []
        return sorted(
            (data for _u, _v, data in self.graph.in_edges(ca_id, data="edge")),
            key=lambda e: e.certificate,
        )
