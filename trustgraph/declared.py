"""Declared certificates: "X issued certificate Y", known from metadata without Y's bytes.

A declaration comes from a CCADB record (parent fingerprint) or a case file. Until the
certificate's bytes arrive, the certificate is a row without DER and its edge has kind
*declared*: from the CA of the declared issuer certificate to the CA it certifies. That CA
is the one of another certificate known to share its key (``same_ca_as``) when given, and
otherwise a CA of its own, identified by the declared name and the fingerprint. When the
bytes arrive (``trustgraph load`` or ``fetch``), the row is replaced and the edge verified;
if the issuer is still missing then, the declaration keeps a declared edge in place.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from trustgraph import names
from trustgraph.database import Database


@dataclass(frozen=True)
class Declaration:
    """What a source says about one certificate it does not provide."""

    sha256: str
    subject: names.RDNSequence
    issuer: names.RDNSequence | None
    issuer_certificate: str | None
    same_ca_as: str | None
    source: str
    serial: str | None = None
    not_before: str | None = None
    not_after: str | None = None
    is_ca: bool | None = None
    signature_hash: str | None = None


def declared_ca_id(subject_key: str, fingerprint: str) -> str:
    """The CA id of a certificate known only by metadata (its key is unknown)."""
    return hashlib.sha256(f"declared\n{subject_key}\n{fingerprint}".encode()).hexdigest()


def declare(db: Database, item: Declaration) -> bool:
    """Record a declaration; insert a metadata-only certificate row unless the bytes are
    already loaded. Returns whether a metadata-only row was written."""
    fingerprint = item.sha256.lower()
    db.conn.execute(
        "INSERT OR REPLACE INTO declarations(certificate, issuer_certificate, same_ca_as, source) "
        "VALUES (?, ?, ?, ?)",
        (fingerprint, _lower(item.issuer_certificate), _lower(item.same_ca_as), item.source),
    )
    if db.conn.execute(
        "SELECT 1 FROM certificates WHERE sha256 = ? AND der IS NOT NULL", (fingerprint,)
    ).fetchone():
        return False
    subject_key = names.name_key(item.subject)
    issuer = item.issuer or ()
    row: dict[str, Any] = {
        "sha256": fingerprint,
        "serial": item.serial,
        "subject": names.display_name(item.subject),
        "issuer": names.display_name(issuer),
        "subject_key": subject_key,
        "issuer_key": names.name_key(issuer),
        "subject_cn": names.first_value(item.subject, names.COMMON_NAME),
        "subject_o": names.first_value(item.subject, names.ORGANIZATION),
        "issuer_cn": names.first_value(issuer, names.COMMON_NAME),
        "issuer_o": names.first_value(issuer, names.ORGANIZATION),
        "not_before": item.not_before,
        "not_after": item.not_after,
        "ca_id": declared_ca_id(subject_key, fingerprint),
        "is_ca": None if item.is_ca is None else int(item.is_ca),
        "sig_hash": item.signature_hash,
        "parser": "declared",
    }
    db.insert_rows("certificates", list(row), [tuple(row.values())], replace=True)
    return True


def _lower(value: str | None) -> str | None:
    return value.lower().replace(":", "") if value else None


def link_declared(db: Database) -> int:
    """(Re)decide the edge and CA of every metadata-only certificate. Cheap: declarations
    are few, so this runs after every load. Returns how many declared edges exist."""
    rows = db.conn.execute(
        "SELECT c.sha256, c.subject_key, c.subject, c.subject_cn, c.subject_o, "
        "       d.issuer_certificate, d.same_ca_as "
        "FROM declarations d JOIN certificates c ON c.sha256 = d.certificate "
        "WHERE c.der IS NULL"
    ).fetchall()
    edges: list[tuple[str, str | None, str, str, str]] = []
    for fingerprint, subject_key, subject, cn, org, issuer_cert, same_ca_as in rows:
        subject_ca = _ca_of(db, same_ca_as) or declared_ca_id(subject_key, fingerprint)
        _ensure_ca(db, subject_ca, subject, subject_key, cn, org)
        db.conn.execute(
            "UPDATE certificates SET ca_id = ? WHERE sha256 = ?", (subject_ca, fingerprint)
        )
        issuer_ca = _ca_of(db, issuer_cert)
        if issuer_ca is None:
            edges.append(
                (
                    fingerprint,
                    None,
                    subject_ca,
                    "none",
                    f"declared issuer certificate {issuer_cert} is not in the database",
                )
            )
        else:
            edges.append((fingerprint, issuer_ca, subject_ca, "declared", "metadata only"))
    db.insert_rows(
        "edges", ("certificate", "issuer_ca", "subject_ca", "kind", "reason"), edges, replace=True
    )
    db.conn.execute(
        "DELETE FROM cas WHERE spki IS NULL AND ca_id NOT IN "
        "(SELECT ca_id FROM certificates WHERE ca_id IS NOT NULL)"
    )
    return sum(1 for edge in edges if edge[3] == "declared")


def declared_issuer_ca(db: Database, fingerprint: str) -> str | None:
    """The CA a declaration names as issuer of ``fingerprint``, if its certificate is known."""
    row = db.conn.execute(
        "SELECT issuer_certificate FROM declarations WHERE certificate = ?", (fingerprint,)
    ).fetchone()
    return _ca_of(db, row[0]) if row else None


def _ca_of(db: Database, fingerprint: str | None) -> str | None:
    if not fingerprint:
        return None
    row = db.conn.execute(
        "SELECT ca_id FROM certificates WHERE sha256 = ?", (fingerprint,)
    ).fetchone()
    return str(row[0]) if row and row[0] else None


def _ensure_ca(
    db: Database, ca_id: str, subject: str, subject_key: str, cn: str | None, org: str | None
) -> None:
    db.conn.execute(
        "INSERT OR IGNORE INTO cas(ca_id, subject, subject_key, subject_cn, subject_o, "
        "key_algorithm, subject_folded, cn_folded) VALUES (?, ?, ?, ?, ?, 'unknown', ?, ?)",
        (ca_id, subject, subject_key, cn, org, names.fold(subject), names.fold(cn) if cn else None),
    )
