"""Trust data: root-store snapshots with their anchors and distrusted certificates,
subject-name distrust rules, and revocations."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from trustgraph.core.records import Snapshot
from trustgraph.storage.database import Database

SNAPSHOT_COLUMNS = (
    "id",
    "store",
    "as_of",
    "source_kind",
    "source_path",
    "description",
    "sequence",
    "precision",
    "superseded_from",
)
ANCHOR_COLUMNS = (
    "certificate",
    "sha1",
    "distrust_after",
    "distrust_purposes",
    "disabled_from",
    "purposes",
    "sct_not_after",
    "label",
    "attributes",
)
"""What a snapshot says of one anchor (see the ``store_anchors`` table)."""
REVOCATION_COLUMNS = (
    "certificate",
    "issuer_key",
    "serial",
    "revoked_at",
    "no_later_than",
    "source",
    "note",
    "subject_key",
    "spki_sha256",
    "scope",
    "list",
    "origin",
)
"""A revocation names a certificate by fingerprint, by issuer and serial, or by subject and
key (every certificate of that CA); see the ``revocations`` table."""

# -- snapshots ----------------------------------------------------------------------------


def replace_snapshot(
    db: Database,
    store: str,
    as_of: str,
    kind: str,
    path: str,
    description: str | None,
    sequence: str | None = None,
    precision: str = "day",
    superseded_from: str | None = None,
) -> Snapshot:
    """A new, empty snapshot of ``store`` dated ``as_of`` (an earlier one of that date and
    its anchors are deleted)."""
    old = db.conn.execute(
        "SELECT id FROM store_snapshots WHERE store = ? AND as_of = ?", (store, as_of)
    ).fetchone()
    if old:
        db.write("DELETE FROM store_anchors WHERE snapshot_id = ?", (old[0],))
        db.write("DELETE FROM store_blocked WHERE snapshot_id = ?", (old[0],))
        db.write("DELETE FROM store_snapshots WHERE id = ?", (old[0],))
    cursor = db.write(
        "INSERT INTO store_snapshots(store, as_of, source_kind, source_path, description, "
        "loaded_at, sequence, precision, superseded_from) "
        "VALUES (?, ?, ?, ?, ?, datetime('now'), ?, ?, ?)",
        (store, as_of, kind, path, description, sequence, precision, superseded_from),
    )
    assert cursor.lastrowid is not None
    return Snapshot(
        cursor.lastrowid,
        store,
        as_of,
        kind,
        path,
        description,
        sequence,
        precision,
        superseded_from,
    )


def add_anchors(db: Database, snapshot_id: int, rows: Iterable[Sequence[Any]]) -> None:
    """Anchors of a snapshot, as rows of :data:`ANCHOR_COLUMNS` (an anchor the source names
    twice counts once)."""
    db.insert_rows(
        "store_anchors",
        ("snapshot_id", *ANCHOR_COLUMNS),
        [(snapshot_id, *row) for row in rows],
    )


def add_blocked(
    db: Database,
    snapshot_id: int,
    rows: Iterable[tuple[str | None, str | None, str | None, str | None]],
) -> None:
    """Certificates a snapshot distrusts outright, as (fingerprint, issuer name key, serial,
    label); by fingerprint, or by issuer and serial."""
    db.insert_rows(
        "store_blocked",
        ("snapshot_id", "certificate", "issuer_key", "serial", "label"),
        [(snapshot_id, *row) for row in rows],
    )


def snapshots(db: Database, store: str | None = None) -> list[Snapshot]:
    """Every snapshot (of ``store`` if given), by store and date."""
    sql = (
        f"SELECT {', '.join(SNAPSHOT_COLUMNS)} FROM store_snapshots"
        + (" WHERE store = ?" if store is not None else "")
        + " ORDER BY store, as_of"
    )
    return [Snapshot(*row) for row in db.conn.execute(sql, (store,) if store is not None else ())]


def snapshot_of_day(db: Database, store: str, as_of: str) -> Snapshot | None:
    """The snapshot of ``store`` dated ``as_of``, if there is one."""
    row = db.conn.execute(
        f"SELECT {', '.join(SNAPSHOT_COLUMNS)} FROM store_snapshots WHERE store = ? AND as_of = ?",
        (store, as_of),
    ).fetchone()
    return Snapshot(*row) if row else None


def sha256_by_sha1(db: Database, sha1s: Iterable[str]) -> dict[str, str]:
    """The SHA-256 of the loaded certificates that have these SHA-1 fingerprints."""
    sql = "SELECT sha1, sha256 FROM certificates WHERE sha1 IN ({marks})"
    return dict(db.in_batches(sql, sorted(set(sha1s))))


def anchor_counts(db: Database) -> dict[int, int]:
    """Snapshot id -> how many anchors it lists."""
    return {
        row[0]: row[1]
        for row in db.conn.execute(
            "SELECT snapshot_id, COUNT(*) FROM store_anchors GROUP BY snapshot_id"
        )
    }


_RESOLVED = """
FROM store_anchors a
LEFT JOIN certificates c ON c.sha256 = COALESCE(
    a.certificate, (SELECT s.sha256 FROM certificates s WHERE s.sha1 = a.sha1 LIMIT 1))
WHERE a.snapshot_id = ?
ORDER BY COALESCE(a.certificate, c.sha256, a.sha1)
"""
# A store may name an anchor by SHA-1 only: it is matched to a loaded certificate when one
# has that SHA-1.


def snapshot_anchors(db: Database, snapshot_id: int) -> list[dict[str, Any]]:
    """Each anchor of a snapshot: the row of :data:`ANCHOR_COLUMNS`, with ``sha256`` (the
    certificate's, when known), ``ca`` (its CA when its bytes are loaded, else None) and
    ``subject`` (the certificate's, else the source's label)."""
    columns = ", ".join(f"a.{name}" for name in ANCHOR_COLUMNS)
    rows = db.conn.execute(
        f"SELECT {columns}, COALESCE(a.certificate, c.sha256), "
        "CASE WHEN c.der IS NOT NULL THEN c.ca_id END, COALESCE(c.subject, a.label) " + _RESOLVED,
        (snapshot_id,),
    )
    return [
        dict(zip((*ANCHOR_COLUMNS, "sha256", "ca", "subject"), row, strict=True)) for row in rows
    ]


def anchors_without_bytes(db: Database, snapshot_id: int) -> int:
    """How many anchors of a snapshot name no certificate whose bytes are loaded."""
    return db.scalar(
        "SELECT COUNT(*) FROM (SELECT c.der " + _RESOLVED + ") WHERE der IS NULL",
        (snapshot_id,),
    )


def blocked_certificates(db: Database, snapshot_id: int) -> set[str]:
    """The loaded certificates a snapshot distrusts (by fingerprint, or issuer and serial)."""
    return {
        row[0]
        for row in db.conn.execute(
            "SELECT COALESCE(b.certificate, c.sha256) FROM store_blocked b "
            "LEFT JOIN certificates c ON b.certificate IS NULL "
            "AND c.issuer_key = b.issuer_key AND c.serial = b.serial "
            "WHERE b.snapshot_id = ?",
            (snapshot_id,),
        )
        if row[0]
    }


# -- distrust rules ---------------------------------------------------------------------


def add_distrust_rule(
    db: Database,
    store: str,
    subjects: str,
    not_before_after: str,
    effective: str,
    source: str,
    note: str | None,
) -> None:
    """A subject-name rule; ``subjects`` is its JSON list of (display name, name key)."""
    db.write(
        "INSERT OR IGNORE INTO distrust_rules(store, subjects, not_before_after, effective, "
        "source, note) VALUES (?, ?, ?, ?, ?, ?)",
        (store, subjects, not_before_after, effective, source, note),
    )


def distrust_rules_in_force(db: Database, store: str, at: str) -> list[tuple[Any, ...]]:
    """(subjects JSON, not_before_after, effective, source) of the rules of ``store`` that
    have taken effect by ``at``, in the order they were added."""
    return db.conn.execute(
        "SELECT subjects, not_before_after, effective, source FROM distrust_rules "
        "WHERE store = ? AND effective <= ? ORDER BY id",
        (store, at),
    ).fetchall()


def distrust_rule_dates(db: Database, store: str) -> list[tuple[str, str]]:
    """(effective, not_before_after) of every rule of ``store``."""
    return [
        (row[0], row[1])
        for row in db.conn.execute(
            "SELECT effective, not_before_after FROM distrust_rules WHERE store = ?", (store,)
        )
    ]


# -- revocations ----------------------------------------------------------------------------


def add_revocations(db: Database, rows: Iterable[Sequence[Any]]) -> None:
    """Revocations as rows of :data:`REVOCATION_COLUMNS` (shorter rows leave the last
    columns NULL)."""
    width = len(REVOCATION_COLUMNS)
    db.insert_rows(
        "revocations",
        REVOCATION_COLUMNS,
        (tuple(row) + (None,) * (width - len(row)) for row in rows),
    )


def replace_list(db: Database, name: str, scope: str, rows: Iterable[Sequence[Any]]) -> int:
    """Replace the revocations of published list ``name`` honoured by ``scope`` with
    ``rows`` (whole rows of :data:`REVOCATION_COLUMNS`); how many it held before."""
    before = db.scalar(
        "SELECT COUNT(*) FROM revocations WHERE list = ? AND scope = ?", (name, scope)
    )
    db.write("DELETE FROM revocations WHERE list = ? AND scope = ?", (name, scope))
    add_revocations(db, rows)
    return before


def list_origins(db: Database, name: str, scope: str) -> list[str]:
    """The files the revocations of list ``name`` honoured by ``scope`` came from."""
    return [
        row[0]
        for row in db.conn.execute(
            "SELECT DISTINCT origin FROM revocations WHERE list = ? AND scope = ? ORDER BY 1",
            (name, scope),
        )
    ]


def list_matches(db: Database, name: str, scope: str) -> list[tuple[str, str, int]]:
    """(source, note, how many loaded certificates it names) of each revocation of list
    ``name`` honoured by ``scope``."""
    return db.conn.execute(
        "SELECT r.source, r.note, "
        "(SELECT COUNT(*) FROM certificates c WHERE r.serial IS NOT NULL "
        "AND c.issuer_key = r.issuer_key AND c.serial = r.serial) + "
        "(SELECT COUNT(*) FROM cas a JOIN certificates c ON c.ca_id = a.ca_id "
        "WHERE r.spki_sha256 IS NOT NULL AND a.subject_key = r.subject_key "
        "AND a.spki_sha256 = r.spki_sha256) "
        "FROM revocations r WHERE r.list = ? AND r.scope = ? ORDER BY r.source",
        (name, scope),
    ).fetchall()


_RESOLVED_REVOCATIONS = """
SELECT COALESCE(r.certificate, c.sha256), r.revoked_at, r.no_later_than, r.source
FROM revocations r LEFT JOIN certificates c ON r.certificate IS NULL
    AND r.serial IS NOT NULL AND c.issuer_key = r.issuer_key AND c.serial = r.serial
WHERE r.spki_sha256 IS NULL AND {scope}
UNION ALL
SELECT c.sha256, r.revoked_at, r.no_later_than, r.source
FROM revocations r JOIN cas a ON a.subject_key = r.subject_key AND a.spki_sha256 = r.spki_sha256
JOIN certificates c ON c.ca_id = a.ca_id
WHERE r.spki_sha256 IS NOT NULL AND {scope}
"""


def revocation_rows(db: Database, scope: str | None = None) -> list[tuple[Any, ...]]:
    """The revocations every view honours (``scope`` None) or those only the clients of
    store ``scope`` honour, matched to loaded certificates: (fingerprint or None,
    revoked_at, no_later_than, source). One naming a CA by subject and key gives a row per
    certificate of that CA."""
    where = "r.scope IS NULL" if scope is None else "r.scope = ?"
    params = () if scope is None else (scope, scope)
    return db.conn.execute(_RESOLVED_REVOCATIONS.format(scope=where), params).fetchall()


# -- intermediates clients know without the server sending them -------------------------------


def replace_preloaded(db: Database, client: str, rows: Iterable[tuple[str, str]]) -> int:
    """Replace the intermediates ``client`` preloads with ``rows`` of (SHA-256, source);
    how many it had before."""
    before = db.scalar("SELECT COUNT(*) FROM preloaded WHERE client = ?", (client,))
    db.write("DELETE FROM preloaded WHERE client = ?", (client,))
    db.insert_rows(
        "preloaded", ("certificate", "client", "source"), ((fp, client, s) for fp, s in rows)
    )
    return before


def preloaded(db: Database, client: str | None = None) -> dict[str, set[str]]:
    """Certificate SHA-256 -> the clients that preload it (of ``client`` only if given)."""
    sql = "SELECT certificate, client FROM preloaded"
    rows = db.conn.execute(
        sql + (" WHERE client = ?" if client else ""), (client,) if client else ()
    )
    found: dict[str, set[str]] = {}
    for fingerprint, name in rows:
        found.setdefault(fingerprint, set()).add(name)
    return found
