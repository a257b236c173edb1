"""Reused serial numbers: distinct certificates with the same issuer and serial.

RFC 5280 section 4.1.2.2 requires a CA to give each certificate a unique serial number.
Groups are formed twice: by issuer *name* (what RFC 5280 speaks of: any CA with that name)
and by issuing *CA* (name and key, where the signature tells). For each group the report
says what differs between its certificates; a group whose subject keys differ is the most
severe (two different certificates a relying party cannot tell apart by issuer and serial).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from trustgraph.analysis.records import Records
from trustgraph.core.records import GroupRow
from trustgraph.x509 import der
from trustgraph.x509.details import Details, read_details

DIFFERENT_KEYS = "different-keys"
DIFFERENT_CONTENT = "different-content"
SIGNATURE_ONLY = "same-content"
SEVERITY_ORDER = {DIFFERENT_KEYS: 0, DIFFERENT_CONTENT: 1, SIGNATURE_ONLY: 2}

_FIELDS = ("subject", "not_before", "not_after", "spki_sha256", "sig_name", "is_ca", "path_len")


@dataclass
class Member:
    sha256: str
    values: dict[str, Any]
    details: Details
    tbs_digest: str


@dataclass
class SerialGroup:
    grouping: str
    issuer: str
    issuer_ca: str | None
    serial: str
    members: list[Member]
    differences: dict[str, list[Any]] = field(default_factory=dict)

    @property
    def severity(self) -> str:
        if "key" in self.differences:
            return DIFFERENT_KEYS
        if self.differences:
            return DIFFERENT_CONTENT
        return SIGNATURE_ONLY

    def as_dict(self) -> dict[str, Any]:
        return {
            "grouping": self.grouping,
            "issuer": self.issuer,
            "issuer_ca": self.issuer_ca,
            "serial": self.serial,
            "severity": self.severity,
            "certificates": [{"sha256": m.sha256, **m.values} for m in self.members],
            "differences": self.differences,
        }


def find_serial_groups(records: Records, scope: str = "all") -> list[SerialGroup]:
    """Every group of two or more distinct certificates (with bytes) sharing an issuer and a
    serial number, grouped by issuer name and by issuing CA. ``scope`` is ``all`` or ``ca``
    (only certificates with basicConstraints cA=TRUE)."""
    ca_only = scope == "ca"
    by_name = records.serials_by_issuer_name(ca_only)
    members = {fp for _key, _serial, fps in by_name for fp in fps}
    return serial_groups(records, by_name, records.serials_by_issuing_ca(ca_only, members))


def serial_groups(
    records: Records, by_name: list[GroupRow], by_ca: list[GroupRow]
) -> list[SerialGroup]:
    """Serial groups from (issuer name key or issuing CA, serial, fingerprints) rows, with
    what differs between their certificates, read from the database."""
    groups = [_group(records, "issuer-name", None, serial, fps) for _key, serial, fps in by_name]
    groups += [_group(records, "issuing-ca", ca, serial, fps) for ca, serial, fps in by_ca]
    return sorted(
        groups, key=lambda g: (g.grouping, SEVERITY_ORDER[g.severity], g.issuer, g.serial)
    )


def _group(
    records: Records, grouping: str, issuer_ca: str | None, serial: str, fingerprints: list[str]
) -> SerialGroup:
    members = [_member(records, fp) for fp in sorted(fingerprints)]
    issuer = records.issuer_of(members[0].sha256)
    group = SerialGroup(grouping, issuer, issuer_ca, serial, members)
    group.differences = _differences(members)
    return group


def _member(records: Records, fingerprint: str) -> Member:
    der_bytes, values = records.certificate_fields(fingerprint, _FIELDS)
    tbs = der.split_certificate(der_bytes).tbs
    return Member(fingerprint, values, read_details(der_bytes), hashlib.sha256(tbs).hexdigest())


def _differences(members: list[Member]) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    columns: dict[str, Callable[[Member], Any]] = {
        "validity": lambda m: f"{m.values['not_before']} .. {m.values['not_after']}",
        "key": lambda m: m.values["spki_sha256"],
        "subject": lambda m: m.values["subject"],
        "signature_algorithm": lambda m: m.values["sig_name"],
        "basic_constraints": lambda m: f"ca={m.values['is_ca']} pathlen={m.values['path_len']}",
    }
    for name, getter in columns.items():
        values = [getter(m) for m in members]
        if len(set(values)) > 1:
            found[name] = values
    for name in ("crl_distribution_points", "ocsp", "ca_issuers", "policies"):
        values = [m.details.comparable()[name] for m in members]
        if len({tuple(v) for v in values}) > 1:
            found[name] = values
    named = {"2.5.29.31", "1.3.6.1.5.5.7.1.1", "2.5.29.32"}
    oids = sorted({oid for m in members for oid in m.details.extensions} - named)
    other = [oid for oid in oids if len({m.details.extensions.get(oid) for m in members}) > 1]
    if other:
        found["other_extensions"] = other
    if not found and len({m.tbs_digest for m in members}) > 1:
        found["encoding"] = ["to-be-signed bytes differ in encoding only"]
    return found
