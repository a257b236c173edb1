"""Certificates, CAs, where each certificate was found, and what could not be loaded."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from trustgraph.storage.database import Database
from trustgraph.storage.schema import CA_COLUMNS, CERTIFICATE_COLUMNS

PROBLEM_COLUMNS = ("source_id", "location", "certificate", "kind", "reason", "count")
OCCURRENCE_COLUMNS = ("source_id", "location", "certificate")


def insert_certificates(db: Database, rows: Iterable[Sequence[Any]]) -> int:
    """Certificate rows in :data:`CERTIFICATE_COLUMNS` order (replacing metadata-only rows
    of the same fingerprint); how many rows the database took."""
    return db.insert_rows("certificates", CERTIFICATE_COLUMNS, rows, replace=True)


def insert_metadata_only(db: Database, row: dict[str, Any]) -> None:
    """A certificate known only by metadata: a row of some of the certificate columns."""
    db.insert_rows("certificates", list(row), [tuple(row.values())], replace=True)


def insert_cas(db: Database, rows: Iterable[Sequence[Any]]) -> None:
    """CA rows in :data:`CA_COLUMNS` order; CAs already stored are kept."""
    db.insert_rows("cas", CA_COLUMNS, rows)


def insert_occurrences(db: Database, rows: Iterable[Sequence[Any]]) -> int:
    """``(source_id, location, certificate)`` rows; how many the database took."""
    return db.insert_rows("occurrences", OCCURRENCE_COLUMNS, rows)


def insert_problem(
    db: Database, source_id: int, location: str, kind: str, reason: str, count: int = 1
) -> int:
    """An input of a source that did not become a certificate (``count`` alike, when one
    row stands for many); how many inputs the database recorded."""
    row = (source_id, location, None, kind, reason, count)
    return count * db.insert_rows("problems", PROBLEM_COLUMNS, [row])


def names_and_keys(db: Database, fingerprints: Iterable[str]) -> dict[str, tuple[str, str]]:
    """(subject name key, SPKI SHA-256) of these certificates."""
    sql = "SELECT sha256, subject_key, spki_sha256 FROM certificates WHERE sha256 IN ({marks})"
    return {fp: (subject, spki) for fp, subject, spki in db.in_batches(sql, fingerprints)}


def ekus_of(db: Database, fingerprints: Iterable[str]) -> dict[str, str | None]:
    """The extendedKeyUsage (as stored: JSON, None when absent) of these certificates."""
    sql = "SELECT sha256, eku FROM certificates WHERE sha256 IN ({marks})"
    return dict(db.in_batches(sql, fingerprints))


def existing_fingerprints(db: Database, fingerprints: Iterable[str]) -> set[str]:
    """Which of these certificate fingerprints already have bytes in the database."""
    sql = "SELECT sha256 FROM certificates WHERE der IS NOT NULL AND sha256 IN ({marks})"
    return {row[0] for row in db.in_batches(sql, fingerprints)}


def existing_cas(db: Database, ca_ids: Iterable[str]) -> set[str]:
    """Which of these CAs are stored."""
    return {
        row[0] for row in db.in_batches("SELECT ca_id FROM cas WHERE ca_id IN ({marks})", ca_ids)
    }


def certificate_rows(db: Database) -> int:
    """How many certificate rows (with bytes or not) the database holds."""
    return db.scalar("SELECT COUNT(*) FROM certificates")


def first_location(db: Database, fingerprint: str) -> str | None:
    """Where the certificate was first found."""
    row = db.conn.execute(
        "SELECT location FROM occurrences WHERE certificate = ? ORDER BY rowid LIMIT 1",
        (fingerprint,),
    ).fetchone()
    return str(row[0]) if row else None


def metadata_only_fingerprints(db: Database) -> list[str]:
    """Certificates known only by metadata, sorted."""
    return [
        row[0]
        for row in db.conn.execute(
            "SELECT sha256 FROM certificates WHERE der IS NULL ORDER BY sha256"
        )
    ]


def has_bytes(db: Database, fingerprint: str) -> bool:
    return (
        db.conn.execute(
            "SELECT 1 FROM certificates WHERE sha256 = ? AND der IS NOT NULL", (fingerprint,)
        ).fetchone()
        is not None
    )


def ca_of_certificate(db: Database, fingerprint: str) -> str | None:
    """The CA a certificate certifies, if the certificate is known."""
    row = db.conn.execute(
        "SELECT ca_id FROM certificates WHERE sha256 = ?", (fingerprint,)
    ).fetchone()
    return str(row[0]) if row and row[0] else None


def fingerprints_with_prefix(db: Database, prefix: str, limit: int) -> list[str]:
    """Certificate fingerprints starting with ``prefix`` (lower-case hex), at most ``limit``,
    in order. A range, not LIKE: no character of the prefix is a wildcard."""
    return [
        str(row[0])
        for row in db.conn.execute(
            "SELECT sha256 FROM certificates WHERE sha256 >= ? AND sha256 < ? "
            "ORDER BY sha256 LIMIT ?",
            (prefix, prefix + "g", limit),
        )
    ]


def certificate_texts(db: Database, fingerprints: Iterable[str]) -> dict[str, tuple[Any, ...]]:
    """Fingerprint -> (serial, subject, issuer) of these certificates."""
    sql = "SELECT sha256, serial, subject, issuer FROM certificates WHERE sha256 IN ({marks})"
    return {row[0]: tuple(row[1:]) for row in db.in_batches(sql, fingerprints)}


def cas_by_subject_keys(db: Database, keys: Iterable[str]) -> set[str]:
    """The CAs with any of these subject name keys."""
    sql = "SELECT ca_id FROM cas WHERE subject_key IN ({marks})"
    return {str(row[0]) for row in db.in_batches(sql, keys)}


def cas_of_certificates(db: Database, fingerprints: Iterable[str]) -> set[str]:
    """The CAs these certificates certify."""
    sql = "SELECT ca_id FROM certificates WHERE sha256 IN ({marks}) AND ca_id IS NOT NULL"
    return {str(row[0]) for row in db.in_batches(sql, fingerprints)}


def ca_subject_organizations(db: Database) -> Iterator[tuple[str, str | None]]:
    """Every CA with its subject O= attribute."""
    yield from db.conn.execute("SELECT ca_id, subject_o FROM cas")


# -- looking up what the user typed -------------------------------------------------------


def certificates_in_range(db: Database, low: str, high: str, limit: int) -> list[tuple[Any, ...]]:
    """Certificates whose fingerprint is in ``[low, high)``: (sha256, ca_id, subject, issuer
    CA of its edge, whether it is self-issued), at most ``limit``."""
    return db.conn.execute(
        "SELECT c.sha256, c.ca_id, c.subject, e.issuer_ca, c.subject_key = c.issuer_key "
        "FROM certificates c LEFT JOIN edges e ON e.certificate = c.sha256 "
        "WHERE c.sha256 >= ? AND c.sha256 < ? LIMIT ?",
        (low, high, limit),
    ).fetchall()


def cas_in_range(db: Database, low: str, high: str, limit: int) -> list[tuple[Any, ...]]:
    """CAs whose id is in ``[low, high)``: (ca_id, subject), at most ``limit``."""
    return db.conn.execute(
        "SELECT ca_id, subject FROM cas WHERE ca_id >= ? AND ca_id < ? LIMIT ?",
        (low, high, limit),
    ).fetchall()


def cas_named(db: Database, folded: str) -> list[tuple[Any, ...]]:
    """CAs whose folded common name or whole subject is ``folded``, else whose folded subject
    contains it: (ca_id, subject, subject_key)."""
    return (
        db.conn.execute(
            "SELECT ca_id, subject, subject_key FROM cas WHERE cn_folded = ? OR subject_folded = ?",
            (folded, folded),
        ).fetchall()
        or db.conn.execute(
            "SELECT ca_id, subject, subject_key FROM cas WHERE instr(subject_folded, ?) > 0",
            (folded,),
        ).fetchall()
    )


def ca_names(db: Database) -> list[tuple[str, str, str | None]]:
    """Every CA as (ca_id, subject, common name), for suggesting names."""
    return db.conn.execute("SELECT ca_id, subject, subject_cn FROM cas").fetchall()


def certificates_with_serials(db: Database, serials: Iterable[str]) -> list[tuple[Any, ...]]:
    """(sha256, serial, subject, issuer, not_after, key_size) of each certificate with bytes
    whose serial (lower-case hex of its value) is one of ``serials``."""
    sql = (
        "SELECT sha256, serial, subject, issuer, not_after, key_size FROM certificates "
        "WHERE der IS NOT NULL AND serial IN ({marks})"
    )
    return list(db.in_batches(sql, serials))


def der_of(db: Database, fingerprints: Iterable[str]) -> dict[str, bytes]:
    """The DER of these certificates, where stored."""
    sql = "SELECT sha256, der FROM certificates WHERE der IS NOT NULL AND sha256 IN ({marks})"
    return {row[0]: row[1] for row in db.in_batches(sql, fingerprints)}


def ca_ders_named(db: Database, subject_key: str, limit: int = 64) -> list[bytes]:
    """The DER of up to ``limit`` loaded CA certificates with this normalized subject (the
    certificates a client could fetch for an issuer of that name), by fingerprint."""
    sql = (
        "SELECT der FROM certificates WHERE subject_key = ? AND der IS NOT NULL "
        "AND is_ca = 1 ORDER BY sha256 LIMIT ?"
    )
    return [row[0] for row in db.conn.execute(sql, (subject_key, limit))]


def ders_of_cas(db: Database, ca_ids: Iterable[str]) -> dict[str, bytes]:
    """The DER of every loaded certificate of these CAs, by fingerprint."""
    sql = "SELECT sha256, der FROM certificates WHERE der IS NOT NULL AND ca_id IN ({marks})"
    return {row[0]: row[1] for row in db.in_batches(sql, ca_ids)}
