"""Owners: organisations, ownership between them over time, and operator facts."""

from __future__ import annotations

from typing import Any

from trustgraph.storage.database import Database


def record_owner(db: Database, name: str, aliases_json: str, source: str) -> None:
    db.write(
        "INSERT OR REPLACE INTO owners(name, aliases, source) VALUES (?, ?, ?)",
        (name, aliases_json, source),
    )


def record_ownership(
    db: Database,
    owner: str,
    owned: str,
    start: str | None,
    until: str | None,
    source: str,
    relation: str = "owned_by",
    precision: str = "day",
) -> None:
    db.write(
        "INSERT OR REPLACE INTO ownership(owner, owned, start, until, source, relation, "
        "precision) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (owner, owned, start, until, source, relation, precision),
    )


def record_operator(
    db: Database,
    certificate: str | None,
    organization: str | None,
    owner: str,
    basis: str,
    source: str,
    as_of: str | None = None,
) -> None:
    db.write(
        "INSERT OR IGNORE INTO operator_facts(certificate, organization, owner, basis, source, "
        "as_of) VALUES (?, ?, ?, ?, ?, ?)",
        (certificate, organization, owner, basis, source, as_of),
    )


def owners(db: Database) -> list[tuple[Any, ...]]:
    """(name, aliases JSON, source) of every owner."""
    return db.conn.execute("SELECT name, aliases, source FROM owners").fetchall()


def ownership(db: Database) -> list[tuple[Any, ...]]:
    """(owner, owned, start, until, source, relation, precision) of every relation between
    organisations, in a stable order."""
    return db.conn.execute(
        "SELECT owner, owned, start, until, source, relation, precision FROM ownership "
        "ORDER BY owned, COALESCE(start, ''), owner"
    ).fetchall()


def certificate_operator_facts(db: Database) -> list[tuple[Any, ...]]:
    """Operator facts about loaded certificates' CAs: (ca_id, owner, basis, source, as_of,
    whether the certificate is self-issued)."""
    return db.conn.execute(
        "SELECT c.ca_id, f.owner, f.basis, f.source, f.as_of, c.subject_key = c.issuer_key "
        "FROM operator_facts f JOIN certificates c ON c.sha256 = f.certificate "
        "WHERE f.certificate IS NOT NULL AND c.ca_id IS NOT NULL"
    ).fetchall()


def organization_operator_facts(db: Database) -> list[tuple[Any, ...]]:
    """Operator facts by subject organisation: (folded organisation, owner, basis, source,
    as_of)."""
    return db.conn.execute(
        "SELECT organization, owner, basis, source, as_of FROM operator_facts "
        "WHERE organization IS NOT NULL"
    ).fetchall()
