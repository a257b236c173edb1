"""What a push to Neo4j reads: the rows of each stage after a watermark (a rowid), in rowid
order, and the ids each stage holds."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from trustgraph.core.kinds import GRAPH_KINDS
from trustgraph.storage.database import Database
from trustgraph.storage.edges import EDGE_FIELDS, EDGE_FROM, GRAPH_CA_COLUMNS, GRAPH_EDGE_COLUMNS

STAGE_TABLES = {"cas": "cas", "certificates": "certificates", "edges": "edges"}

PUSH_CERTIFICATE_COLUMNS = (
    "sha256",
    "der",
    "subject",
    "issuer_key",
    "serial",
    "not_before",
    "not_after",
    "is_ca",
    "sig_hash",
    "spki_sha256",
    "key_algorithm",
    "key_size",
    "key_curve",
    "issuer_ca",
    "is_root",
)
_CERTIFICATE_SQL = """
SELECT c.rowid, c.sha256, c.der, c.subject, c.issuer_key, c.serial, c.not_before,
       c.not_after, c.is_ca, c.sig_hash, c.spki_sha256, c.key_algorithm, c.key_size,
       c.key_curve, e.issuer_ca,
       c.subject_key = c.issuer_key AND (e.issuer_ca IS NULL OR e.issuer_ca = c.ca_id)
FROM certificates c LEFT JOIN edges e ON e.certificate = c.sha256
WHERE c.rowid > ? ORDER BY c.rowid LIMIT ?
"""
_CA_SQL = (
    f"SELECT rowid, {', '.join(GRAPH_CA_COLUMNS)} FROM cas WHERE rowid > ? ORDER BY rowid LIMIT ?"
)
_EDGE_SQL = f"SELECT e.rowid, {EDGE_FIELDS} {EDGE_FROM} WHERE e.rowid > ? ORDER BY e.rowid LIMIT ?"


def _rows(
    db: Database, sql: str, columns: tuple[str, ...], after: int, limit: int
) -> list[tuple[int, dict[str, Any]]]:
    return [
        (row[0], dict(zip(columns, row[1:], strict=True)))
        for row in db.conn.execute(sql, (after, limit))
    ]


def certificate_rows(db: Database, after: int, limit: int) -> list[tuple[int, dict[str, Any]]]:
    """(rowid, record of :data:`PUSH_CERTIFICATE_COLUMNS`) of certificates after ``after``."""
    return _rows(db, _CERTIFICATE_SQL, PUSH_CERTIFICATE_COLUMNS, after, limit)


def ca_rows(db: Database, after: int, limit: int) -> list[tuple[int, dict[str, Any]]]:
    """(rowid, record of the graph's CA columns) of CAs after ``after``."""
    return _rows(db, _CA_SQL, GRAPH_CA_COLUMNS, after, limit)


def edge_rows(db: Database, after: int, limit: int) -> list[tuple[int, dict[str, Any]]]:
    """(rowid, record of the graph's edge columns) of every edge row after ``after``, of any
    kind."""
    return _rows(db, _EDGE_SQL, GRAPH_EDGE_COLUMNS, after, limit)


def rows_after(db: Database, stage: str, watermark: int) -> int:
    """How many rows of a stage's table lie after ``watermark``."""
    return db.scalar(f"SELECT COUNT(*) FROM {STAGE_TABLES[stage]} WHERE rowid > ?", (watermark,))


def last_rowid(db: Database, stage: str) -> int:
    """The largest rowid of a stage's table (0 when it is empty)."""
    return db.scalar(f"SELECT COALESCE(MAX(rowid), 0) FROM {STAGE_TABLES[stage]}")


_STAGE_IDS = {
    "cas": "SELECT ca_id FROM cas",
    "certificates": "SELECT sha256 FROM certificates",
    "edges": "SELECT certificate FROM edges WHERE kind IN ({kinds}) AND issuer_ca IS NOT NULL",
}


def stage_ids(db: Database, stage: str) -> set[str]:
    """The ids a stage pushes: CA ids, certificate fingerprints, or the certificates of
    graph edges."""
    sql = _STAGE_IDS[stage]
    if "{kinds}" in sql:
        rows: Iterator[tuple[Any, ...]] = db.conn.execute(
            sql.format(kinds=",".join("?" for _ in GRAPH_KINDS)), GRAPH_KINDS
        )
    else:
        rows = db.conn.execute(sql)
    return {row[0] for row in rows}
