"""Mozilla's OneCRL: the revocations Firefox enforces itself, from the collection Firefox
ships (see :mod:`trustgraph.ingest.remotesettings`).

A record names certificates by issuer name and serial number (``issuerName``,
``serialNumber``: base64 of the issuer Name's DER and of the serial's content octets) or by
subject name and key (``subject``, ``pubKeyHash``: base64 of the Name's DER and of the
SHA-256 of the SubjectPublicKeyInfo; every certificate of that CA). ``enabled: false``
records are not revocations (Firefox does not enforce them). A record is dated by
``details.created`` where it is given; otherwise only ``last_modified`` bounds it: revoked at
an unknown time no later than that. The whole list is one source: adding a list replaces
the one recorded before for the same store. A record that cannot be read refuses the list
(trust data fails closed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trustgraph.errors import InputError, UsageError
from trustgraph.ingest.remotesettings import Collection, b64, milliseconds, read_collection
from trustgraph.storage import trust
from trustgraph.storage.database import Database
from trustgraph.x509 import der, names
from trustgraph.x509.certificate import serial_hex

KIND = "firefox-onecrl"
"""The kind of source a OneCRL file is, in the database's sources."""
LIST = "onecrl"
"""The name of the list in the database (its revocations are replaced whole)."""

_CREATED = re.compile(r"(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d{1,9})?Z")


@dataclass(frozen=True)
class OneCrlRecord:
    """One record: what it names, when, why (``bug``), and whether Firefox enforces it."""

    ident: str
    enabled: bool
    last_modified: str
    created: str | None
    issuer_key: str | None = None
    serial: str | None = None
    subject_key: str | None = None
    spki_sha256: str | None = None
    names: str = ""
    """The issuer and serial, or the subject, for people."""
    bug: str = ""

    @property
    def by_key(self) -> bool:
        """Whether it names a CA by subject and key (else a certificate by issuer and
        serial)."""
        return self.spki_sha256 is not None

    @property
    def source(self) -> str:
        """The record as the source of a revocation (its id, then its bug)."""
        return f"OneCRL {self.ident}: {self.bug or 'no bug given'}"

    def row(self, scope: str, origin: str) -> tuple[Any, ...]:
        """The record as a row of :data:`trustgraph.storage.trust.REVOCATION_COLUMNS`."""
        return (
            None,
            self.issuer_key,
            self.serial,
            self.created,
            self.last_modified,
            self.source,
            self.names,
            self.subject_key,
            self.spki_sha256,
            scope,
            LIST,
            origin,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.ident,
            "enabled": self.enabled,
            "names": self.names,
            "by": "subject and key" if self.by_key else "issuer and serial",
            "created": self.created,
            "last_modified": self.last_modified,
            "bug": self.bug,
        }


@dataclass(frozen=True)
class OneCrlList:
    """A OneCRL file: its records (enforced or not) and when it was published."""

    path: Path
    published: str | None
    records: list[OneCrlRecord]
    digest: str = ""

    @property
    def enforced(self) -> list[OneCrlRecord]:
        return [record for record in self.records if record.enabled]


@dataclass
class OneCrlReport:
    """What adding a OneCRL list did: the list, the revocations it replaced, and which of
    its enforced records name loaded certificates."""

    onecrl: OneCrlList
    scope: str
    replaced: int
    replaced_origins: list[str]
    matches: list[tuple[OneCrlRecord, int]] = field(default_factory=list)

    @property
    def unresolved(self) -> list[OneCrlRecord]:
        return [record for record, count in self.matches if not count]

    def counts(self) -> dict[str, int]:
        records = self.onecrl.records
        enforced = self.onecrl.enforced
        return {
            "records": len(records),
            "enforced": len(enforced),
            "not_enforced": len(records) - len(enforced),
            "by_issuer_and_serial": sum(not r.by_key for r in enforced),
            "by_subject_and_key": sum(r.by_key for r in enforced),
            "dated": sum(r.created is not None for r in enforced),
            "dated_by_last_modified_only": sum(r.created is None for r in enforced),
            "resolved": sum(1 for _record, count in self.matches if count),
            "unresolved": len(self.unresolved),
            "certificates_named": sum(count for _record, count in self.matches),
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": str(self.onecrl.path),
            "published": self.onecrl.published,
            "store": self.scope,
            "replaced_revocations": self.replaced,
            "replaced_from": self.replaced_origins,
            **self.counts(),
            "unresolved_records": [record.as_dict() for record in self.unresolved],
        }


def add_onecrl(db: Database, path: Path, store: str = "mozilla") -> OneCrlReport:
    """Record the enforced records of a OneCRL file as revocations that the clients of
    ``store`` honour, in place of the OneCRL list recorded for it before (all or nothing).

    Raises:
        InputError: the file cannot be read or a record is malformed (nothing is changed).
        UsageError: ``store`` is empty.
    """
    if not store.strip():
        raise UsageError("give the store whose clients honour the list, such as mozilla")
    onecrl = read_onecrl(path)
    when = f", published {onecrl.published[:10]}" if onecrl.published else ""
    origin = f"{path.name}{when}"
    with db.transaction():
        source_id = db.add_source(KIND, str(path))
        before = trust.list_origins(db, LIST, store)
        replaced = trust.replace_list(
            db, LIST, store, [record.row(store, origin) for record in onecrl.enforced]
        )
        counts = {src: count for src, _note, count in trust.list_matches(db, LIST, store)}
        report = OneCrlReport(onecrl, store, replaced, before)
        report.matches = [(record, counts.get(record.source, 0)) for record in onecrl.enforced]
        db.finish_source(source_id, report.counts(), onecrl.digest)
    return report


def read_onecrl(path: Path) -> OneCrlList:
    """A OneCRL collection file.

    Raises:
        InputError: the file is no collection, or a record cannot be read (the message
            names the file, the record and the reason).
    """
    collection = read_collection(path)
    records = [_record(collection, index) for index in range(len(collection.records))]
    seen: dict[str, int] = {}
    for index, record in enumerate(records):
        if record.ident in seen:
            raise InputError(
                f"{collection.where(index)}: the id of record {seen[record.ident] + 1} again"
            )
        seen[record.ident] = index
    return OneCrlList(path, collection.published, records, collection.digest)


def _record(collection: Collection, index: int) -> OneCrlRecord:
    raw = collection.records[index]
    where = collection.where(index)
    ident = raw.get("id")
    if not isinstance(ident, str) or not ident:
        raise InputError(f"{where}: no id")
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        raise InputError(f"{where}: enabled is {enabled!r}, not true or false")
    details = raw.get("details", {})
    if not isinstance(details, dict):
        raise InputError(f"{where}: details is not an object")
    bug = details.get("bug", "")
    if not isinstance(bug, str):
        raise InputError(f"{where}: details.bug is not text")
    return OneCrlRecord(
        ident,
        enabled,
        milliseconds(raw.get("last_modified"), f"{where}: last_modified"),
        _created(details.get("created", ""), where),
        bug=bug,
        **_names(raw, where),
    )


def _created(value: Any, where: str) -> str | None:
    if value in ("", None):
        return None
    found = _CREATED.fullmatch(value) if isinstance(value, str) else None
    if found is None:
        raise InputError(f"{where}: details.created {value!r} is not an ISO time")
    return f"{found.group(1)}T{found.group(2)}Z"


def _names(raw: dict[str, Any], where: str) -> dict[str, Any]:
    """What a record names: issuer and serial, or subject and key (exactly one)."""
    by_serial = "issuerName" in raw or "serialNumber" in raw
    by_key = "subject" in raw or "pubKeyHash" in raw
    if by_serial == by_key:
        raise InputError(
            f"{where}: a record names issuerName and serialNumber, or subject and pubKeyHash"
        )
    if by_serial:
        issuer = _name(b64(raw, "issuerName", where), "issuerName", where)
        serial = serial_hex(b64(raw, "serialNumber", where))
        return {
            "issuer_key": names.name_key(issuer),
            "serial": serial,
            "names": f"{names.display_name(issuer)} serial {serial}",
        }
    subject = _name(b64(raw, "subject", where), "subject", where)
    key_hash = b64(raw, "pubKeyHash", where, size=32).hex()
    return {
        "subject_key": names.name_key(subject),
        "spki_sha256": key_hash,
        "names": f"{names.display_name(subject)} key {key_hash[:16]}…",
    }


def _name(data: bytes, key: str, where: str) -> names.RDNSequence:
    try:
        return names.rdns_from_der(data)
    except (der.DerError, ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"{where}: {key} is not a DER name ({exc})") from exc
