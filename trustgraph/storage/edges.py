"""Issuance edges, the declarations behind declared edges, and the graph's read model: CA
and edge records in the form both backends build the graph from."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from trustgraph.core.kinds import DECLARED, GRAPH_KINDS, NONE, RELINKABLE_KINDS
from trustgraph.storage.database import Database
from trustgraph.storage.schema import EDGE_COLUMNS

# -- writing edges and declarations -------------------------------------------------------


def store_edges(db: Database, rows: Iterable[Sequence[Any]]) -> None:
    """Edge rows in :data:`EDGE_COLUMNS` order, replacing any earlier decision."""
    db.insert_rows("edges", EDGE_COLUMNS, rows, replace=True)


NO_ISSUER = "issuer not in the database"
"""The reason of a ``none`` edge decided while no CA of the issuer's name was loaded."""


def pending_fingerprints(db: Database, new_issuer_names: Iterable[str] = ()) -> list[str]:
    """Certificates whose edge must be decided: with bytes and no edge yet, or a declared
    edge now that bytes are here; those with a relinkable edge whose issuer name is among
    ``new_issuer_names``; and those said to have no issuer although a CA of their issuer's
    name is loaded (left so by an interrupted load of an older trustgraph). Sorted."""
    found = {
        row[0]
        for row in db.conn.execute(
            "SELECT c.sha256 FROM certificates c LEFT JOIN edges e ON e.certificate = c.sha256 "
            "WHERE c.der IS NOT NULL AND (e.certificate IS NULL OR e.kind = ?)",
            (DECLARED,),
        )
    }
    found.update(stale_unlinked(db))
    names = set(new_issuer_names)
    if names:
        kinds = ",".join("?" for _ in RELINKABLE_KINDS)
        found.update(
            fingerprint
            for fingerprint, issuer_key in db.conn.execute(
                "SELECT c.sha256, c.issuer_key FROM certificates c "
                f"JOIN edges e ON e.certificate = c.sha256 "
                f"WHERE c.der IS NOT NULL AND e.kind IN ({kinds})",
                RELINKABLE_KINDS,
            )
            if issuer_key in names
        )
    return sorted(found)


def stale_unlinked(db: Database, limit: int | None = None) -> list[str]:
    """Certificates with bytes whose edge says no issuer is loaded, although a CA of their
    issuer's name with a key is (at most ``limit``)."""
    rows = db.conn.execute(
        "SELECT e.certificate FROM edges e JOIN certificates c ON c.sha256 = e.certificate "
        "WHERE e.kind = ? AND e.reason = ? AND c.der IS NOT NULL AND EXISTS "
        "(SELECT 1 FROM cas a WHERE a.subject_key = c.issuer_key AND a.spki IS NOT NULL)"
        + (" LIMIT ?" if limit is not None else ""),
        (NONE, NO_ISSUER, *((limit,) if limit is not None else ())),
    )
    return [row[0] for row in rows]


def link_rows(db: Database, fingerprints: Sequence[str]) -> list[tuple[Any, ...]]:
    """(sha256, issuer_key, ca_id, aki, der) of these certificates."""
    return list(
        db.in_batches(
            "SELECT sha256, issuer_key, ca_id, aki, der FROM certificates "
            "WHERE sha256 IN ({marks})",
            fingerprints,
        )
    )


def issuer_candidates(db: Database, name_keys: Iterable[str]) -> Iterator[tuple[Any, ...]]:
    """(subject_key, ca_id, spki, ski) of the CAs with a key whose subject is one of
    ``name_keys``, by CA id within each batch of names."""
    yield from db.in_batches(
        "SELECT subject_key, ca_id, spki, ski FROM cas WHERE subject_key IN ({marks}) "
        "AND spki IS NOT NULL ORDER BY ca_id",
        name_keys,
    )


def store_declaration(
    db: Database,
    fingerprint: str,
    issuer_certificate: str | None,
    same_ca_as: str | None,
    source: str,
) -> None:
    db.write(
        "INSERT OR REPLACE INTO declarations(certificate, issuer_certificate, same_ca_as, source) "
        "VALUES (?, ?, ?, ?)",
        (fingerprint, issuer_certificate, same_ca_as, source),
    )


def metadata_only_declarations(db: Database) -> list[tuple[Any, ...]]:
    """Declared certificates without bytes: (sha256, subject_key, subject, subject_cn,
    subject_o, declared issuer certificate, same_ca_as)."""
    return db.conn.execute(
        "SELECT c.sha256, c.subject_key, c.subject, c.subject_cn, c.subject_o, "
        "       d.issuer_certificate, d.same_ca_as "
        "FROM declarations d JOIN certificates c ON c.sha256 = d.certificate "
        "WHERE c.der IS NULL"
    ).fetchall()


def declared_issuer_certificate(db: Database, fingerprint: str) -> str | None:
    """The certificate a declaration names as the issuer's, if any."""
    row = db.conn.execute(
        "SELECT issuer_certificate FROM declarations WHERE certificate = ?", (fingerprint,)
    ).fetchone()
    return str(row[0]) if row and row[0] else None


def set_certificate_ca(db: Database, fingerprint: str, ca_id: str) -> None:
    db.write("UPDATE certificates SET ca_id = ? WHERE sha256 = ?", (ca_id, fingerprint))


def ensure_keyless_ca(
    db: Database,
    ca_id: str,
    subject: str,
    subject_key: str,
    cn: str | None,
    org: str | None,
    subject_folded: str,
    cn_folded: str | None,
) -> None:
    """A CA known by metadata only (no key): stored unless it is already."""
    db.write(
        "INSERT OR IGNORE INTO cas(ca_id, subject, subject_key, subject_cn, subject_o, "
        "key_algorithm, subject_folded, cn_folded) VALUES (?, ?, ?, ?, ?, 'unknown', ?, ?)",
        (ca_id, subject, subject_key, cn, org, subject_folded, cn_folded),
    )


def remove_orphan_keyless_cas(db: Database) -> None:
    """Delete CAs without a key that no certificate certifies any more."""
    db.write(
        "DELETE FROM cas WHERE spki IS NULL AND ca_id NOT IN "
        "(SELECT ca_id FROM certificates WHERE ca_id IS NOT NULL)"
    )


# -- the graph's read model -----------------------------------------------------------------

GRAPH_CA_COLUMNS = (
    "ca_id",
    "subject",
    "subject_key",
    "subject_cn",
    "subject_o",
    "key_algorithm",
    "key_size",
    "key_curve",
)
GRAPH_EDGE_COLUMNS = (
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
    "sct_earliest",
)
EDGE_FIELDS = """e.certificate, e.issuer_ca, e.subject_ca, e.kind, c.not_before, c.not_after,
       c.is_ca, c.path_len, c.key_usage, c.eku, c.name_constraints, c.subject_key, c.san,
       c.subject_key = c.issuer_key, c.sig_hash, c.unreadable_critical, c.sct_earliest"""
"""The expressions of :data:`GRAPH_EDGE_COLUMNS`, over ``edges e`` and ``certificates c``."""
EDGE_FROM = "FROM edges e JOIN certificates c ON c.sha256 = e.certificate"
_EDGE_SELECT = f"SELECT {EDGE_FIELDS} {EDGE_FROM}"
_GRAPH_KIND_MARKS = ",".join("?" for _ in GRAPH_KINDS)
_IN_GRAPH = f"e.kind IN ({_GRAPH_KIND_MARKS}) AND e.issuer_ca IS NOT NULL"


def _records(rows: Iterable[Sequence[Any]], columns: tuple[str, ...]) -> Iterator[dict[str, Any]]:
    for row in rows:
        yield dict(zip(columns, row, strict=True))


def ca_records(db: Database) -> Iterator[dict[str, Any]]:
    """Every CA as a record of :data:`GRAPH_CA_COLUMNS` (the form pushed to Neo4j too)."""
    rows = db.conn.execute(f"SELECT {', '.join(GRAPH_CA_COLUMNS)} FROM cas")
    return _records(rows, GRAPH_CA_COLUMNS)


def cas_by_id(db: Database, ids: Iterable[str]) -> Iterator[dict[str, Any]]:
    """These CAs, as records of :data:`GRAPH_CA_COLUMNS`."""
    sql = f"SELECT {', '.join(GRAPH_CA_COLUMNS)} FROM cas WHERE ca_id IN ({{marks}})"
    return _records(db.in_batches(sql, ids), GRAPH_CA_COLUMNS)


def edge_records(db: Database) -> Iterator[dict[str, Any]]:
    """Every graph edge as a record of :data:`GRAPH_EDGE_COLUMNS` (the form pushed to Neo4j
    too)."""
    rows = db.conn.execute(f"{_EDGE_SELECT} WHERE {_IN_GRAPH}", GRAPH_KINDS)
    return _records(rows, GRAPH_EDGE_COLUMNS)


def edges_into(db: Database, cas: Iterable[str]) -> Iterator[dict[str, Any]]:
    """The graph edges certifying these CAs, as records of :data:`GRAPH_EDGE_COLUMNS`."""
    sql = f"{_EDGE_SELECT} WHERE {_IN_GRAPH} AND e.subject_ca IN ({{marks}})"
    return _records(db.in_batches(sql, cas, GRAPH_KINDS), GRAPH_EDGE_COLUMNS)


def cas_issued_by(db: Database, cas: Iterable[str]) -> set[str]:
    """The CAs that graph edges from these CAs certify."""
    sql = f"SELECT e.subject_ca FROM edges e WHERE {_IN_GRAPH} AND e.issuer_ca IN ({{marks}})"
    return {row[0] for row in db.in_batches(sql, cas, GRAPH_KINDS)}


def edges_of(db: Database, certificates: Iterable[str]) -> Iterator[dict[str, Any]]:
    """The graph edges of these certificates, as records of :data:`GRAPH_EDGE_COLUMNS`."""
    sql = f"{_EDGE_SELECT} WHERE {_IN_GRAPH} AND e.certificate IN ({{marks}})"
    return _records(db.in_batches(sql, certificates, GRAPH_KINDS), GRAPH_EDGE_COLUMNS)


def edge_count(db: Database) -> int:
    """Edge rows of every kind."""
    return db.scalar("SELECT COUNT(*) FROM edges")


def root_certificates(db: Database) -> list[tuple[str, str]]:
    """(sha256, ca_id) of every root: a self-issued certificate no other key signed."""
    return db.conn.execute(
        "SELECT c.sha256, c.ca_id FROM certificates c JOIN edges e ON e.certificate = c.sha256 "
        "WHERE c.subject_key = c.issuer_key AND (e.issuer_ca IS NULL OR e.issuer_ca = c.ca_id)"
    ).fetchall()


def certificate_cas(db: Database, fingerprints: Iterable[str]) -> list[tuple[str, str]]:
    """(sha256, ca_id) of these certificates, where their CA is known."""
    sql = "SELECT sha256, ca_id FROM certificates WHERE ca_id IS NOT NULL AND sha256 IN ({marks})"
    return [(row[0], row[1]) for row in db.in_batches(sql, fingerprints)]
