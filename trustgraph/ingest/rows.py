"""A parsed certificate as the rows the database stores: its certificate row and the row of
the CA it certifies."""

from __future__ import annotations

import hashlib
from typing import Any

from trustgraph.core.times import iso
from trustgraph.x509 import names
from trustgraph.x509.certificate import CertificateRecord, ca_id
from trustgraph.x509.der import DerError
from trustgraph.x509.details import read_details
from trustgraph.x509.stored import to_json


def _json_or_none(value: Any) -> str | None:
    return None if value is None else to_json(value)


# The DER of the SCT-list extension's OID (1.3.6.1.4.1.11129.2.4.2): a cheap test before
# reading a certificate's details.
_SCT_OID = bytes.fromhex("060a2b06010401d679020402")


def earliest_sct(der: bytes) -> str:
    """The time of the earliest SCT embedded in a certificate ('' when it has none, or its
    SCT list cannot be read: then no SCT counts)."""
    if _SCT_OID not in der:
        return ""
    try:
        times = read_details(der).sct_timestamps
    except (DerError, ValueError):
        return ""
    return (iso(min(times)) or "") if times else ""


def storage_rows(record: CertificateRecord) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """The ``certificates`` row of a parsed certificate (``CERTIFICATE_COLUMNS`` order) and
    the ``cas`` row of the CA it certifies (``CA_COLUMNS`` order). Derived values are
    computed once: this runs for every certificate of a load."""
    ext = record.extensions
    subject, issuer = record.subject, record.issuer
    subject_text = names.display_name(subject)
    subject_key = names.name_key(subject)
    spki_sha256 = record.spki_sha256
    ca = ca_id(subject_key, spki_sha256)
    common_name = names.first_value(subject, names.COMMON_NAME)
    organization = names.first_value(subject, names.ORGANIZATION)
    certificate = (
        record.sha256,
        record.der,
        record.version,
        record.serial,
        subject_text,
        names.display_name(issuer),
        subject_key,
        names.name_key(issuer),
        common_name,
        organization,
        names.first_value(issuer, names.COMMON_NAME),
        names.first_value(issuer, names.ORGANIZATION),
        iso(record.not_before),
        iso(record.not_after),
        spki_sha256,
        ca,
        record.key.algorithm,
        record.key.size,
        record.key.curve,
        record.signature.oid,
        record.signature.name,
        record.signature.hash,
        None if ext.is_ca is None else int(ext.is_ca),
        ext.path_len,
        ext.key_usage,
        _json_or_none(ext.eku),
        ext.name_constraints.to_json() if ext.name_constraints else None,
        _json_or_none(ext.san) if ext.san else None,
        ext.ski,
        ext.aki,
        _json_or_none(ext.unreadable_critical) if ext.unreadable_critical else None,
        record.parser,
        _json_or_none(record.warnings) if record.warnings else None,
        hashlib.sha1(record.der).hexdigest(),
        earliest_sct(record.der),
    )
    authority = (
        ca,
        subject_text,
        subject_key,
        common_name,
        organization,
        spki_sha256,
        record.spki,
        record.key.algorithm,
        record.key.size,
        record.key.curve,
        ext.ski,
        names.fold(subject_text),
        names.fold(common_name) if common_name else None,
    )
    return certificate, authority
