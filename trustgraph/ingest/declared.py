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

from trustgraph.core.kinds import DECLARED, NONE
from trustgraph.storage import certificates, edges
from trustgraph.storage.database import Database
from trustgraph.x509 import names


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
    with db.transaction():
        return _declare(db, item)


def _declare(db: Database, item: Declaration) -> bool:
    fingerprint = item.sha256.lower()
    edges.store_declaration(
        db, fingerprint, _lower(item.issuer_certificate), _lower(item.same_ca_as), item.source
    )
    if certificates.has_bytes(db, fingerprint):
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
    certificates.insert_metadata_only(db, row)
    return True


def _lower(value: str | None) -> str | None:
    return value.lower().replace(":", "") if value else None


def link_declared(db: Database) -> int:
    """(Re)decide the edge and CA of every metadata-only certificate. Cheap: declarations
    are few, so this runs after every load. Returns how many declared edges exist."""
    with db.transaction():
        return _link_declared(db)


def _link_declared(db: Database) -> int:
    decided: list[tuple[str, str | None, str, str, str]] = []
    for (
        fingerprint,
        subject_key,
        subject,
        cn,
        org,
        issuer_cert,
        same_ca_as,
    ) in edges.metadata_only_declarations(db):
        subject_ca = _ca_of(db, same_ca_as) or declared_ca_id(subject_key, fingerprint)
        edges.ensure_keyless_ca(
            db,
            subject_ca,
            subject,
            subject_key,
            cn,
            org,
            names.fold(subject),
            names.fold(cn) if cn else None,
        )
        edges.set_certificate_ca(db, fingerprint, subject_ca)
        issuer_ca = _ca_of(db, issuer_cert)
        if issuer_ca is None:
            decided.append(
                (
                    fingerprint,
                    None,
                    subject_ca,
                    NONE,
                    f"declared issuer certificate {issuer_cert} is not in the database",
                )
            )
        else:
            decided.append((fingerprint, issuer_ca, subject_ca, DECLARED, "metadata only"))
    edges.store_edges(db, decided)
    edges.remove_orphan_keyless_cas(db)
    return sum(1 for edge in decided if edge[3] == DECLARED)


def declared_issuer_ca(db: Database, fingerprint: str) -> str | None:
    """The CA a declaration names as issuer of ``fingerprint``, if its certificate is known."""
    return _ca_of(db, edges.declared_issuer_certificate(db, fingerprint))


def _ca_of(db: Database, fingerprint: str | None) -> str | None:
    if not fingerprint:
        return None
    return certificates.ca_of_certificate(db, fingerprint)
