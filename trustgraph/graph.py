"""The memory backend's graph: CAs as nodes, certificates as edges, in networkx.

Built from the database on demand. Each edge carries an :class:`Edge` with what the path
rules need of its certificate, so that queries never go back to SQLite mid-search.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from trustgraph.certificate import NameConstraints, general_names_from_json
from trustgraph.database import Database
from trustgraph.linking import GRAPH_KINDS
from trustgraph.nameconstraints import CertificateNames
from trustgraph.progress import NullProgress, Progress


@dataclass(frozen=True, slots=True)
class Edge:
    """One certificate as an issuance edge, with the facts path rules need."""

    certificate: str
    issuer_ca: str
    subject_ca: str
    kind: str
    not_before: str | None
    not_after: str | None
    is_ca: bool | None
    path_len: int | None
    key_usage: int | None
    eku: tuple[str, ...] | None
    name_constraints: NameConstraints | None
    names: CertificateNames
    self_issued: bool
    sig_hash: str | None
    defect: str | None

    @property
    def is_self_loop(self) -> bool:
        return self.issuer_ca == self.subject_ca


@dataclass(frozen=True, slots=True)
class CA:
    ca_id: str
    subject: str
    subject_key: str
    common_name: str | None
    organization: str | None
    key: str

    @property
    def label(self) -> str:
        return self.common_name or self.organization or self.subject


CA_COLUMNS = (
    "ca_id",
    "subject",
    "subject_key",
    "subject_cn",
    "subject_o",
    "key_algorithm",
    "key_size",
    "key_curve",
)


def ca_records(db: Database) -> Iterator[dict[str, Any]]:
    """Every CA as a record of ``CA_COLUMNS`` (the form pushed to Neo4j too)."""
    for row in db.conn.execute(f"SELECT {', '.join(CA_COLUMNS)} FROM cas"):
        yield dict(zip(CA_COLUMNS, row, strict=True))


def ca_from_record(record: Mapping[str, Any]) -> CA:
    algorithm, size, curve = (
        record.get("key_algorithm"),
        record.get("key_size"),
        record.get("key_curve"),
    )
    key = (algorithm or "unknown") + (f"-{curve}" if curve else f"-{size}" if size else "")
    return CA(
        str(record["ca_id"]),
        str(record["subject"]),
        str(record["subject_key"]),
        record.get("subject_cn"),
        record.get("subject_o"),
        key,
    )


EDGE_COLUMNS = (
    "certificate",
    "issuer_ca",
    "subject_ca",
    "kind",
    "not_before",
    "not_after",
    "is_ca",
    "path_len",
    "key_usage",
    "eku",
    "name_constraints",
    "subject_key",
    "san",
    "self_issued",
    "sig_hash",
    "unreadable_critical",
)
EDGE_SQL = """
SELECT e.certificate, e.issuer_ca, e.subject_ca, e.kind, c.not_before, c.not_after, c.is_ca,
       c.path_len, c.key_usage, c.eku, c.name_constraints, c.subject_key, c.san,
       c.subject_key = c.issuer_key, c.sig_hash, c.unreadable_critical
FROM edges e JOIN certificates c ON c.sha256 = e.certificate
WHERE e.kind IN ({kinds}) AND e.issuer_ca IS NOT NULL
"""


def _records(
    db: Database,
    sql: str,
    columns: tuple[str, ...],
    values: Iterable[str],
    leading: tuple[Any, ...],
) -> Iterator[dict[str, Any]]:
    wanted = sorted(set(values))
    for start in range(0, len(wanted), 900):
        chunk = wanted[start : start + 900]
        query = sql.format(marks=",".join("?" for _ in chunk))
        for row in db.conn.execute(query, (*leading, *chunk)):
            yield dict(zip(columns, row, strict=True))


def edges_into(db: Database, cas: Iterable[str]) -> Iterator[dict[str, Any]]:
    """The graph edges certifying these CAs, as records of ``EDGE_COLUMNS``."""
    sql = (
        EDGE_SQL.format(kinds=",".join("?" for _ in GRAPH_KINDS)) + " AND e.subject_ca IN ({marks})"
    )
    return _records(db, sql, EDGE_COLUMNS, cas, GRAPH_KINDS)


def edges_of(db: Database, certificates: Iterable[str]) -> Iterator[dict[str, Any]]:
    """The graph edges of these certificates, as records of ``EDGE_COLUMNS``."""
    sql = (
        EDGE_SQL.format(kinds=",".join("?" for _ in GRAPH_KINDS))
        + " AND e.certificate IN ({marks})"
    )
    return _records(db, sql, EDGE_COLUMNS, certificates, GRAPH_KINDS)


def cas_by_id(db: Database, ids: Iterable[str]) -> Iterator[dict[str, Any]]:
    """These CAs, as records of ``CA_COLUMNS``."""
    sql = f"SELECT {', '.join(CA_COLUMNS)} FROM cas WHERE ca_id IN ({{marks}})"
    return _records(db, sql, CA_COLUMNS, ids, ())


def edge_records(db: Database) -> Iterator[dict[str, Any]]:
    """Every graph edge as a record of ``EDGE_COLUMNS`` (the form pushed to Neo4j too)."""
    marks = ",".join("?" for _ in GRAPH_KINDS)
    for row in db.conn.execute(EDGE_SQL.format(kinds=marks), GRAPH_KINDS):
        yield dict(zip(EDGE_COLUMNS, row, strict=True))


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
        for record in ca_records(db):
            result.add_ca(ca_from_record(record))
        progress.start(
            "building the graph", db.conn.execute("SELECT COUNT(*) FROM edges").fetchone()[0]
        )
        for count, record in enumerate(edge_records(db), start=1):
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


def edge_from_record(record: Mapping[str, Any]) -> Edge:
    """An :class:`Edge` from a record of ``EDGE_COLUMNS`` (a database row or Neo4j
    relationship properties: both backends build edges here, so they agree)."""
    is_ca, path_len = record.get("is_ca"), record.get("path_len")
    key_usage, eku = record.get("key_usage"), record.get("eku")
    constraints, san = record.get("name_constraints"), record.get("san")
    defect = record.get("unreadable_critical")
    return Edge(
        certificate=str(record["certificate"]),
        issuer_ca=str(record["issuer_ca"]),
        subject_ca=str(record["subject_ca"]),
        kind=str(record["kind"]),
        not_before=_text(record.get("not_before")),
        not_after=_text(record.get("not_after")),
        is_ca=None if is_ca is None else bool(is_ca),
        path_len=None if path_len is None else int(path_len),
        key_usage=None if key_usage is None else int(key_usage),
        eku=None if eku is None else tuple(json.loads(eku)),
        name_constraints=None if constraints is None else NameConstraints.from_json(constraints),
        names=CertificateNames(
            str(record["subject_key"]), general_names_from_json(json.loads(san)) if san else ()
        ),
        self_issued=bool(record.get("self_issued")),
        sig_hash=_text(record.get("sig_hash")),
        defect=None if defect is None else f"unreadable critical extension(s) {defect}",
    )


def _text(value: object) -> str | None:
    return None if value is None else str(value)
