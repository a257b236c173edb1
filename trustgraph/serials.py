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

from trustgraph import der
from trustgraph.database import Database
from trustgraph.details import Details, read_details

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


def find_serial_groups(db: Database, scope: str = "all") -> list[SerialGroup]:
    """Every group of two or more distinct certificates (with bytes) sharing an issuer and a
    serial number, grouped by issuer name and by issuing CA. ``scope`` is ``all`` or ``ca``
    (only certificates with basicConstraints cA=TRUE)."""
    by_name = _by_issuer_name(db, scope)
    members = {fp for _key, _serial, fps in by_name for fp in fps}
    return serial_groups(db, by_name, _by_issuing_ca(db, scope, members))


def _by_issuer_name(db: Database, scope: str) -> list[GroupRow]:
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
            if has_bytes and (scope != "ca" or is_ca == 1)
        ]
        if len(fps) > 1:
            groups.append((key, serial, fps))
    return groups


def _by_issuing_ca(db: Database, scope: str, name_members: set[str]) -> list[GroupRow]:
    """Certificates an issuing CA certified under one serial. An edge decided by name joins
    a certificate to a CA of its issuer name, so these groups lie within the issuer-name
    groups; only a declared edge (metadata naming the issuer) can cross names, and the
    certificates sharing a serial with one are added."""
    declared = db.conn.execute(
        "SELECT c.serial FROM certificates c JOIN edges e ON e.certificate = c.sha256 "
        "WHERE e.kind = 'declared' AND c.der IS NOT NULL AND c.serial IS NOT NULL"
    ).fetchall()
    wanted = set(name_members)
    serials = sorted({serial for (serial,) in declared})
    for start in range(0, len(serials), 900):
        chunk = serials[start : start + 900]
        marks = ",".join("?" for _ in chunk)
        wanted.update(
            fp
            for (fp,) in db.conn.execute(
                f"SELECT sha256 FROM certificates WHERE serial IN ({marks})", chunk
            )
        )
    grouped: dict[tuple[str, str], list[str]] = {}
    ordered = sorted(wanted)
    for start in range(0, len(ordered), 900):
        chunk = ordered[start : start + 900]
        marks = ",".join("?" for _ in chunk)
        for fp, serial, issuer_ca, is_ca in db.conn.execute(
            "SELECT c.sha256, c.serial, e.issuer_ca, c.is_ca FROM certificates c "
            "JOIN edges e ON e.certificate = c.sha256 "
            f"WHERE c.sha256 IN ({marks}) AND c.der IS NOT NULL AND c.serial IS NOT NULL "
            "AND e.issuer_ca IS NOT NULL",
            chunk,
        ):
            if scope != "ca" or is_ca == 1:
                grouped.setdefault((issuer_ca, serial), []).append(fp)
    return [
        (ca, serial, sorted(fps)) for (ca, serial), fps in sorted(grouped.items()) if len(fps) > 1
    ]


GroupRow = tuple[str, str, list[str]]


def serial_groups(
    db: Database, by_name: list[GroupRow], by_ca: list[GroupRow]
) -> list[SerialGroup]:
    """Serial groups from (issuer name key or issuing CA, serial, fingerprints) rows, with
    what differs between their certificates, read from the database."""
    groups = [_group(db, "issuer-name", None, serial, fps) for _key, serial, fps in by_name]
    groups += [_group(db, "issuing-ca", ca, serial, fps) for ca, serial, fps in by_ca]
    return sorted(
        groups, key=lambda g: (g.grouping, SEVERITY_ORDER[g.severity], g.issuer, g.serial)
    )


def _group(
    db: Database, grouping: str, issuer_ca: str | None, serial: str, fingerprints: list[str]
) -> SerialGroup:
    members = [_member(db, fp) for fp in sorted(fingerprints)]
    issuer = db.conn.execute(
        "SELECT issuer FROM certificates WHERE sha256 = ?", (members[0].sha256,)
    ).fetchone()[0]
    group = SerialGroup(grouping, issuer, issuer_ca, serial, members)
    group.differences = _differences(members)
    return group


def _member(db: Database, fingerprint: str) -> Member:
    row = db.conn.execute(
        f"SELECT der, {', '.join(_FIELDS)} FROM certificates WHERE sha256 = ?", (fingerprint,)
    ).fetchone()
    der_bytes = row[0]
    values = dict(zip(_FIELDS, row[1:], strict=True))
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
