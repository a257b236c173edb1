"""What the reports read: certificates for the checks and the bulk export, and groups of
certificates sharing an issuer and a serial number."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from trustgraph.core.kinds import DECLARED, GRAPH_KINDS
from trustgraph.core.records import GroupRow
from trustgraph.storage.database import Database

CHECK_COLUMNS = (
    "sha256",
    "der",
    "subject",
    "issuer",
    "subject_key",
    "issuer_key",
    "serial",
    "not_before",
    "not_after",
    "is_ca",
    "sig_hash",
    "key_algorithm",
    "key_size",
    "key_curve",
    "spki_sha256",
    "issuer_ca",
    "is_root",
    "eku",
)
_CHECK_SQL = """
SELECT c.sha256, c.der, c.subject, c.issuer, c.subject_key, c.issuer_key, c.serial,
       c.not_before, c.not_after, c.is_ca, c.sig_hash, c.key_algorithm, c.key_size,
       c.key_curve, c.spki_sha256, e.issuer_ca,
       c.subject_key = c.issuer_key AND (e.issuer_ca IS NULL OR e.issuer_ca = c.ca_id), c.eku
FROM certificates c LEFT JOIN edges e ON e.certificate = c.sha256
WHERE c.der IS NOT NULL AND c.not_before >= ?
ORDER BY c.sha256
"""


def check_rows(db: Database, since: str | None = None) -> Iterator[tuple[Any, ...]]:
    """Every certificate with bytes (notBefore on or after ``since``, if given), by
    fingerprint, as rows of :data:`CHECK_COLUMNS`."""
    yield from db.conn.execute(_CHECK_SQL, (since or "",))


EXPORT_COLUMNS = (
    "sha256",
    "subject",
    "issuer",
    "serial",
    "not_before",
    "not_after",
    "ca_id",
    "issuer_ca",
    "kind",
    "reason",
    "is_ca",
    "path_len",
    "key_usage",
    "eku",
    "sig_name",
    "key_algorithm",
    "key_size",
    "key_curve",
    "self_issued",
    "spki_sha256",
    "parser",
    "metadata_only",
)
_EXPORT_SQL = """
SELECT c.sha256, c.subject, c.issuer, c.serial, c.not_before, c.not_after, c.ca_id,
       e.issuer_ca, e.kind, e.reason, c.is_ca, c.path_len, c.key_usage, c.eku,
       c.sig_name, c.key_algorithm, c.key_size, c.key_curve, c.subject_key = c.issuer_key,
       c.spki_sha256, c.parser, c.der IS NULL
FROM certificates c LEFT JOIN edges e ON e.certificate = c.sha256
ORDER BY c.sha256
"""


def export_rows(db: Database) -> Iterator[dict[str, Any]]:
    """Every certificate with its edge, by fingerprint, as records of
    :data:`EXPORT_COLUMNS`."""
    for row in db.conn.execute(_EXPORT_SQL):
        yield dict(zip(EXPORT_COLUMNS, row, strict=True))


# -- serial numbers ---------------------------------------------------------------------


def serials_by_issuer_name(db: Database, ca_only: bool) -> list[GroupRow]:
    """Groups of two or more certificates with bytes sharing issuer name and serial (only
    cA=TRUE certificates with ``ca_only``), by issuer key and serial."""
    # Pairs first, from the (issuer_key, serial) index alone; then the few members.
    pairs = db.conn.execute(
        "SELECT issuer_key, serial FROM certificates WHERE serial IS NOT NULL "
        "GROUP BY issuer_key, serial HAVING COUNT(*) > 1 ORDER BY issuer_key, serial"
    ).fetchall()
    groups = []
    for key, serial in pairs:
        fps = [
            fp
            for fp, has_bytes, is_ca in db.conn.execute(
                "SELECT sha256, der IS NOT NULL, is_ca FROM certificates "
                "WHERE issuer_key = ? AND serial = ? ORDER BY sha256",
                (key, serial),
            )
            if has_bytes and (not ca_only or is_ca == 1)
        ]
        if len(fps) > 1:
            groups.append((key, serial, fps))
    return groups


def serials_by_issuing_ca(db: Database, ca_only: bool, name_members: set[str]) -> list[GroupRow]:
    """Groups of two or more certificates an issuing CA certified under one serial. An edge
    decided by name joins a certificate to a CA of its issuer name, so these groups lie
    within the issuer-name groups (``name_members``); only a declared edge (metadata naming
    the issuer) can cross names, so the certificates sharing a serial with one are added."""
    declared = db.conn.execute(
        "SELECT c.serial FROM certificates c JOIN edges e ON e.certificate = c.sha256 "
        "WHERE e.kind = ? AND c.der IS NOT NULL AND c.serial IS NOT NULL",
        (DECLARED,),
    ).fetchall()
    wanted = set(name_members)
    wanted.update(
        row[0]
        for row in db.in_batches(
            "SELECT sha256 FROM certificates WHERE serial IN ({marks})",
            {serial for (serial,) in declared},
        )
    )
    grouped: dict[tuple[str, str], list[str]] = {}
    for fp, serial, issuer_ca, is_ca in db.in_batches(
        "SELECT c.sha256, c.serial, e.issuer_ca, c.is_ca FROM certificates c "
        "JOIN edges e ON e.certificate = c.sha256 "
        "WHERE c.sha256 IN ({marks}) AND c.der IS NOT NULL AND c.serial IS NOT NULL "
        "AND e.issuer_ca IS NOT NULL",
        wanted,
    ):
        if not ca_only or is_ca == 1:
            grouped.setdefault((issuer_ca, serial), []).append(fp)
    return [
        (ca, serial, sorted(fps)) for (ca, serial), fps in sorted(grouped.items()) if len(fps) > 1
    ]


def issuer_of(db: Database, fingerprint: str) -> str:
    """The issuer name (RFC 4514 text) of a stored certificate."""
    return str(
        db.conn.execute(
            "SELECT issuer FROM certificates WHERE sha256 = ?", (fingerprint,)
        ).fetchone()[0]
    )


def certificate_fields(
    db: Database, fingerprint: str, columns: Sequence[str]
) -> tuple[bytes, dict[str, Any]]:
    """The DER of a stored certificate and the values of ``columns`` (constants of the
    certificates table)."""
    row = db.conn.execute(
        f"SELECT der, {', '.join(columns)} FROM certificates WHERE sha256 = ?", (fingerprint,)
    ).fetchone()
    return row[0], dict(zip(columns, row[1:], strict=True))


def scope_rows(db: Database) -> Iterator[tuple[str, str | None, str, str | None, bool]]:
    """Every CA certificate, as (fingerprint, issuing CA if the graph has the edge, its own
    CA, EKU as JSON, is a self-issued root), for deciding which CAs can issue TLS
    certificates."""
    yield from db.conn.execute(
        f"""
        SELECT c.sha256, CASE WHEN e.kind IN ({",".join("?" for _ in GRAPH_KINDS)})
                              THEN e.issuer_ca END,
               c.ca_id, c.eku,
               c.subject_key = c.issuer_key AND (e.issuer_ca IS NULL OR e.issuer_ca = c.ca_id)
        FROM certificates c LEFT JOIN edges e ON e.certificate = c.sha256
        WHERE c.ca_id IS NOT NULL AND (c.is_ca = 1 OR c.subject_key = c.issuer_key)
        """,
        GRAPH_KINDS,
    )
