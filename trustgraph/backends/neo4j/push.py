"""Pushing the database into Neo4j.

The graph in Neo4j: ``(:CA {id, ...})-[:ISSUED {certificate, ...}]->(:CA)`` with the facts
path rules need on each relationship, and ``(:Certificate {sha256, ...})`` with what the
checks and the serial report need. Writes are batched ``UNWIND`` statements with parameters,
keyed by uniqueness constraints, so a push is idempotent; progress is checkpointed per stage
in Neo4j itself (``:TrustgraphPush`` nodes keyed by the database's id), so an interrupted
push resumes where it stopped and a wiped server gets everything again.
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from trustgraph.backends.neo4j.connection import Neo4jGraph
from trustgraph.backends.neo4j.derived import certificate_extras
from trustgraph.backends.neo4j.properties import (
    CA_PROPERTIES,
    CA_ROOT_PROPERTIES,
    EDGE_KEY,
    EDGE_PROPERTIES,
    EDGE_REVOCATION_PROPERTIES,
    set_clause,
)
from trustgraph.core.kinds import GRAPH_KINDS
from trustgraph.core.progress import NullProgress, Progress
from trustgraph.graph.model import edge_from_record
from trustgraph.policy.revocations import RevocationIndex
from trustgraph.policy.rules import PathRules
from trustgraph.storage import push as push_rows
from trustgraph.storage.database import Database

BATCH = 5000

SCHEMA = (
    "CREATE CONSTRAINT trustgraph_ca IF NOT EXISTS FOR (c:CA) REQUIRE c.id IS UNIQUE",
    "CREATE CONSTRAINT trustgraph_certificate IF NOT EXISTS "
    "FOR (c:Certificate) REQUIRE c.sha256 IS UNIQUE",
    "CREATE CONSTRAINT trustgraph_issued IF NOT EXISTS "
    "FOR ()-[r:ISSUED]-() REQUIRE r.certificate IS UNIQUE",
)


@dataclass
class PushReport:
    target: str
    counts: dict[str, int] = field(default_factory=dict)
    resumed: dict[str, int] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)
    changes: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "pushed": self.counts,
            "resumed_after_rowid": self.resumed,
            "removed_stale": self.removed,
            "changes": self.changes,
        }


def _certificate_rows(db: Database, after: int, limit: int) -> list[tuple[int, dict[str, Any]]]:
    rows = []
    for rowid, record in push_rows.certificate_rows(db, after, limit):
        der_bytes, not_before = record["der"], record["not_before"]
        rows.append(
            (
                rowid,
                {
                    "sha256": record["sha256"],
                    # Names only ever compared for equality server-side: short hashes store
                    # and group far faster in Neo4j than the names.
                    "subject_hash": _text_hash(record["subject"]),
                    "issuer_hash": _text_hash(record["issuer_key"]),
                    "serial": record["serial"],
                    "not_before": not_before,
                    "not_after": record["not_after"],
                    "is_ca": None if record["is_ca"] is None else bool(record["is_ca"]),
                    "sig_hash": record["sig_hash"],
                    "spki_sha256": record["spki_sha256"],
                    "key_algorithm": record["key_algorithm"],
                    "key_size": record["key_size"],
                    "key_curve": record["key_curve"],
                    "issuer_ca": record["issuer_ca"],
                    "is_root": bool(record["is_root"]),
                    "has_bytes": der_bytes is not None,
                    **certificate_extras(der_bytes, not_before, record["issuer_key"]),
                },
            )
        )
    return rows


def _text_hash(text: str) -> int:
    """A 64-bit hash of a text (collisions: about one in four billion billion pairs)."""
    return int.from_bytes(
        hashlib.blake2b(text.encode(), digest_size=8).digest(), "big", signed=True
    )


def _ca_rows(db: Database, after: int, limit: int) -> list[tuple[int, dict[str, Any]]]:
    return push_rows.ca_rows(db, after, limit)


def _edge_rows(db: Database, after: int, limit: int) -> list[tuple[int, dict[str, Any]]]:
    """Every edge row (graph kinds become relationships; the others remove stale ones and
    mark roots), with the derived ``can_issue``, ``graph`` and ``root``."""
    rows = []
    for rowid, record in push_rows.edge_rows(db, after, limit):
        record["can_issue"] = _can_issue(record)
        record["self_issued"] = bool(record["self_issued"])
        record["graph"] = record["kind"] in GRAPH_KINDS and record["issuer_ca"] is not None
        record["root"] = bool(record["self_issued"]) and record["issuer_ca"] in (
            None,
            record["subject_ca"],
        )
        rows.append((rowid, record))
    return rows


def _can_issue(record: dict[str, Any]) -> bool:
    if record["issuer_ca"] is None:
        return False
    return PathRules.can_issue(edge_from_record(record))


# Into an empty label (a first push, or a wiped server), nodes and relationships are
# created rather than merged: several times faster, and safe, because the rows of one table
# are distinct and a stage starts fresh only when Neo4j holds none of its kind. The CREATE
# and MERGE forms share their SET clauses.
_CA_PROPERTIES = set_clause("c", [p for p in CA_PROPERTIES if p not in CA_ROOT_PROPERTIES])
_WRITE_CAS = "UNWIND $rows AS row\nMERGE (c:CA {id: row.ca_id})" + _CA_PROPERTIES
_CREATE_CAS = "UNWIND $rows AS row\nCREATE (c:CA {id: row.ca_id})" + _CA_PROPERTIES
_WRITE_CERTIFICATES = """
UNWIND $rows AS row
MERGE (c:Certificate {sha256: row.sha256})
SET c += row
"""
_WRITE_EDGES = """
UNWIND $rows AS row
OPTIONAL MATCH ()-[old:ISSUED {certificate: row.certificate}]->()
USING INDEX old:ISSUED(certificate)
WITH row, old
WHERE old IS NOT NULL AND (NOT row.graph OR startNode(old).id <> row.issuer_ca
                           OR endNode(old).id <> row.subject_ca)
DELETE old
"""
_EDGE_ENDS = """
UNWIND $rows AS row
MERGE (i:CA {id: row.issuer_ca})
MERGE (s:CA {id: row.subject_ca})
"""
_EDGE_PROPERTIES = set_clause(
    "r", [p for p in EDGE_PROPERTIES if p not in (EDGE_KEY, *EDGE_REVOCATION_PROPERTIES)]
)
_WRITE_GRAPH_EDGES = (
    _EDGE_ENDS + "MERGE (i)-[r:ISSUED {certificate: row.certificate}]->(s)" + _EDGE_PROPERTIES
)
_CREATE_GRAPH_EDGES = (
    _EDGE_ENDS + "CREATE (i)-[r:ISSUED {certificate: row.certificate}]->(s)" + _EDGE_PROPERTIES
)
_WRITE_ROOTS = """
UNWIND $rows AS row
MATCH (c:CA {id: row.subject_ca})
USING INDEX c:CA(id)
SET c.root = true,
    c.root_certificates = CASE WHEN row.certificate IN coalesce(c.root_certificates, [])
                          THEN c.root_certificates
                          ELSE coalesce(c.root_certificates, []) + row.certificate END
"""
_WRITE_CERTIFICATE_EDGES = """
UNWIND $rows AS row
MATCH (c:Certificate {sha256: row.certificate})
USING INDEX c:Certificate(sha256)
SET c.issuer_ca = CASE WHEN row.graph THEN row.issuer_ca ELSE null END, c.is_root = row.root
"""
_CREATE_CERTIFICATES = """
UNWIND $rows AS row
CREATE (c:Certificate)
SET c = row
"""


@dataclass
class _Writer:
    """Writes the batches of one push; ``fresh`` names the stages that began empty."""

    neo: Neo4jGraph
    fresh: set[str] = field(default_factory=set)

    def cas(self, rows: list[dict[str, Any]]) -> int:
        return self.neo.write(_CREATE_CAS if "cas" in self.fresh else _WRITE_CAS, {"rows": rows})

    def certificates(self, rows: list[dict[str, Any]]) -> int:
        fresh = "certificates" in self.fresh
        return self.neo.write(
            _CREATE_CERTIFICATES if fresh else _WRITE_CERTIFICATES, {"rows": rows}
        )

    def edges(self, rows: list[dict[str, Any]]) -> int:
        changes = 0
        if "edges" not in self.fresh:  # relationships to replace or remove may exist
            changes += self.neo.write(_WRITE_EDGES, {"rows": rows})
        if "certificates" not in self.fresh:  # their issuer_ca may predate this push
            changes += self.neo.write(_WRITE_CERTIFICATE_EDGES, {"rows": rows})
        graph = [r for r in rows if r["graph"]]
        create = _CREATE_GRAPH_EDGES if "edges" in self.fresh else _WRITE_GRAPH_EDGES
        changes += self.neo.write(create, {"rows": graph})
        roots = [r for r in rows if r["root"]]
        if roots:
            changes += self.neo.write(_WRITE_ROOTS, {"rows": roots})
        return changes


Stage = tuple[
    str,
    Callable[[Database, int, int], list[tuple[int, dict[str, Any]]]],
    Callable[[_Writer, list[dict[str, Any]]], int],
]
STAGES: tuple[Stage, ...] = (
    ("cas", _ca_rows, _Writer.cas),
    ("certificates", _certificate_rows, _Writer.certificates),
    ("edges", _edge_rows, _Writer.edges),
)


def push(
    db: Database,
    neo: Neo4jGraph,
    progress: Progress | None = None,
    *,
    restart: bool = False,
    batch: int = BATCH,
) -> PushReport:
    """Push the database into Neo4j: CAs, certificates, issuance edges, revocations.

    Each stage resumes after the last batch an earlier push of this database committed (the
    checkpoints live in Neo4j, so a wiped server gets everything again; ``restart`` starts
    over). Afterwards, what Neo4j holds beyond the database (rows deleted locally since an
    earlier push) is removed. A push with nothing new changes nothing.

    Raises:
        Neo4jError: the server is unreachable or refused a statement.
    """
    progress = progress or NullProgress()
    database_id = db.identity()
    assert database_id is not None
    report = PushReport(neo.settings.describe())
    for statement in SCHEMA:
        neo.run(statement)
    if restart:
        report.changes += neo.write(_CLEAR_CHECKPOINTS, {"database": database_id})
    writer = _Writer(neo)
    for stage in STAGES:
        name, _read, _write = stage
        if neo.run(_HELD[name][0])[0]["n"] == 0:
            writer.fresh.add(name)
        watermark = _checkpoint(neo, database_id, name)
        report.resumed[name] = watermark
        total = push_rows.rows_after(db, name, watermark)
        progress.start(f"pushing {name}", total)
        report.counts[name] = _push_stage(
            db, writer, stage, database_id, watermark, batch, report, progress
        )
        progress.finish()
    report.removed = _remove_stale(db, neo)
    report.changes += sum(report.removed.values())
    report.changes += _push_revocations(db, neo)
    return report


# Concurrent transactions per stage. Nodes are independent; relationships lock both of
# their CAs, so concurrent edge batches would deadlock on busy issuers (and be retried).
WRITERS = {"cas": 2, "certificates": 2, "edges": 1}


def _push_stage(
    db: Database,
    writer: _Writer,
    stage: Stage,
    database_id: str,
    watermark: int,
    batch: int,
    report: PushReport,
    progress: Progress,
) -> int:
    """Write one stage's rows after ``watermark``: the next batch is read while earlier
    ones are written, by up to :data:`WRITERS` concurrent transactions (Neo4j then uses
    more than one core). The checkpoint only ever moves past batches that committed, in order, so an
    interrupted push resumes without a gap."""
    name, read, write = stage
    writers = WRITERS[name]
    pushed = 0
    in_flight: deque[tuple[Future[int], int, int]] = deque()

    def settle(block: bool) -> None:
        nonlocal pushed
        while in_flight and (block or in_flight[0][0].done()):
            future, mark, count = in_flight.popleft()
            report.changes += future.result()
            report.changes += writer.neo.write(
                _SAVE_CHECKPOINT, {"database": database_id, "stage": name, "watermark": mark}
            )
            pushed += count
            progress.advance(count)
            block = block and len(in_flight) >= writers * 2

    with ThreadPoolExecutor(writers) as pool:
        try:
            while rows := read(db, watermark, batch):
                records = [record for _rowid, record in rows]
                in_flight.append((pool.submit(write, writer, records), rows[-1][0], len(rows)))
                watermark = rows[-1][0]
                settle(block=len(in_flight) >= writers * 2)
            while in_flight:
                settle(block=True)
        finally:
            for future, _mark, _count in in_flight:
                future.cancel()
    return pushed


_CONSTRAINT_NAMES = tuple(statement.split()[2] for statement in SCHEMA)
MISSING_SCHEMA = (
    "Neo4j lacks trustgraph's constraints, which the catalog queries use (a bulk import "
    "creates none): run `trustgraph neo4j push` once"
)


def missing_constraints(neo: Neo4jGraph) -> list[str]:
    """The names of the constraints a push creates that Neo4j does not hold.

    Raises:
        Neo4jError: the server is unreachable.
    """
    held = {row["name"] for row in neo.run("SHOW CONSTRAINTS YIELD name")}
    return [name for name in _CONSTRAINT_NAMES if name not in held]


def pending(db: Database, neo: Neo4jGraph) -> dict[str, int]:
    """Rows of each stage the database holds beyond what its pushes to ``neo`` committed
    (all zero: Neo4j is up to date with the database).

    Raises:
        Neo4jError: the server is unreachable.
    """
    database_id = db.identity(create=False)
    result = {}
    for name, _read, _write in STAGES:
        watermark = _checkpoint(neo, database_id, name) if database_id else 0
        result[name] = push_rows.rows_after(db, name, watermark)
    return result


_HELD_COUNTS = (
    "RETURN COUNT { MATCH (:CA) } AS cas, COUNT { MATCH (:Certificate) } AS "
    "certificates, COUNT { MATCH ()-[:ISSUED]->() } AS edges"
)


def held(neo: Neo4jGraph) -> dict[str, int]:
    """How many CAs, certificates and edges Neo4j holds.

    Raises:
        Neo4jError: the server is unreachable.
    """
    return {key: int(value) for key, value in neo.run(_HELD_COUNTS)[0].items()}


_CLEAR_CHECKPOINTS = "MATCH (p:TrustgraphPush {database: $database}) DELETE p"
_SAVE_CHECKPOINT = """
MERGE (p:TrustgraphPush {database: $database, stage: $stage})
SET p.watermark = $watermark
"""


def _checkpoint(neo: Neo4jGraph, database_id: str, stage: str) -> int:
    rows = neo.run(
        "MATCH (p:TrustgraphPush {database: $database, stage: $stage}) RETURN p.watermark AS w",
        {"database": database_id, "stage": stage},
    )
    return int(rows[0]["w"]) if rows else 0


# What Neo4j holds, and the statements that remove what the database no longer has. Labels
# and keys are constants; the ids to remove go in as parameters.
_HELD: dict[str, tuple[str, str, str]] = {
    "cas": (
        "MATCH (c:CA) RETURN count(c) AS n",
        "MATCH (c:CA) RETURN c.id AS id",
        "UNWIND $ids AS id MATCH (c:CA {id: id}) USING INDEX c:CA(id) DETACH DELETE c",
    ),
    "certificates": (
        "MATCH (c:Certificate) RETURN count(c) AS n",
        "MATCH (c:Certificate) RETURN c.sha256 AS id",
        "UNWIND $ids AS id MATCH (c:Certificate {sha256: id}) USING INDEX c:Certificate(sha256) "
        "DELETE c",
    ),
    "edges": (
        "MATCH ()-[r:ISSUED]->() RETURN count(r) AS n",
        "MATCH ()-[r:ISSUED]->() RETURN r.certificate AS id",
        "UNWIND $ids AS id MATCH ()-[r:ISSUED {certificate: id}]->() "
        "USING INDEX r:ISSUED(certificate) DELETE r",
    ),
}


def _remove_stale(db: Database, neo: Neo4jGraph) -> dict[str, int]:
    """Remove nodes and relationships the database no longer has. Every local row has just
    been merged, so equal counts mean nothing is stale and nothing is read back."""
    removed: dict[str, int] = {}
    for stage, (count, ids, delete) in _HELD.items():
        local = push_rows.stage_ids(db, stage)
        if neo.run(count)[0]["n"] == len(local):
            continue
        stale = sorted({row["id"] for row in neo.run(ids)} - local)
        for start in range(0, len(stale), BATCH):
            neo.write(delete, {"ids": stale[start : start + BATCH]})
        removed[stage] = len(stale)
    return removed


_HELD_REVOCATIONS = """
MATCH ()-[r:ISSUED]->() WHERE r.revoked_at IS NOT NULL
RETURN r.certificate AS certificate, r.revoked_at AS effective, r.revocation_source AS source
"""
_CLEAR_REVOCATIONS = """
UNWIND $certificates AS certificate
MATCH ()-[r:ISSUED {certificate: certificate}]->()
USING INDEX r:ISSUED(certificate)
SET r.revoked_at = null, r.revocation_source = null
"""
_WRITE_REVOCATIONS = """
UNWIND $rows AS row
MATCH ()-[r:ISSUED {certificate: row.certificate}]->()
USING INDEX r:ISSUED(certificate)
SET r.revoked_at = row.effective, r.revocation_source = row.source
"""


def revocation_marks(db: Database) -> dict[str, tuple[str, str]]:
    """What each revoked certificate's relationship carries: (revoked_at, revocation_source)."""
    index = RevocationIndex.from_database(db)
    return {fp: (r.effective, r.source_label) for fp, r in index.by_certificate.items()}


def _push_revocations(db: Database, neo: Neo4jGraph) -> int:
    """Bring the revocation marks on relationships in line with the database; only what
    differs is written."""
    wanted = revocation_marks(db)
    held = {
        row["certificate"]: (row["effective"], row["source"]) for row in neo.run(_HELD_REVOCATIONS)
    }
    changes = 0
    cleared = sorted(set(held) - set(wanted))
    for start in range(0, len(cleared), BATCH):
        changes += neo.write(_CLEAR_REVOCATIONS, {"certificates": cleared[start : start + BATCH]})
    rows = [
        {"certificate": fp, "effective": effective, "source": source}
        for fp, (effective, source) in sorted(wanted.items())
        if held.get(fp) != (effective, source)
    ]
    for start in range(0, len(rows), BATCH):
        changes += neo.write(_WRITE_REVOCATIONS, {"rows": rows[start : start + BATCH]})
    return changes


def clear(neo: Neo4jGraph) -> int:
    """Remove trustgraph's nodes, relationships and push checkpoints, in batches so that
    a large graph does not need one huge transaction; how many changes that made."""
    total = 0
    while changes := neo.write(_CLEAR_BATCH, {"limit": BATCH}):
        total += changes
    return total


_CLEAR_BATCH = """
MATCH (n) WHERE n:CA OR n:Certificate OR n:TrustgraphPush
WITH n LIMIT $limit
DETACH DELETE n
"""
