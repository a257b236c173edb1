"""CCADB "All Certificate Records" reports: metadata without certificate bytes.

One row per root or intermediate record. trustgraph takes from it:

* declared edges: ``Parent SHA-256 Fingerprint`` issued ``SHA-256 Fingerprint`` (used only
  where the certificate's bytes are not loaded);
* operator facts: ``Subordinate CA Owner`` where set, else ``CA Owner`` (for a root record,
  and for an intermediate, which CCADB files under its root's owner);
* revocations: ``Revocation Status`` = Revoked, at an unknown date no later than the report;
* trust-store membership: the ``Mozilla``, ``Microsoft``, ``Apple`` and ``Chrome Status``
  columns of root records, where the report has them (see :mod:`trustgraph.ingest.stores`).

The report has no dates of its own: callers give the report's date (``as_of``).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trustgraph.errors import InputError
from trustgraph.ingest import linking
from trustgraph.ingest.declared import Declaration, declare
from trustgraph.ingest.facts import record_operator, record_revocations
from trustgraph.ingest.sources import read_head, read_input
from trustgraph.storage.database import Database

REQUIRED_COLUMNS = (
    "SHA-256 Fingerprint",
    "Parent SHA-256 Fingerprint",
    "Certificate Name",
    "Certificate Record Type",
)
STATUS_COLUMNS = {
    "mozilla": "Mozilla Status",
    "microsoft": "Microsoft Status",
    "apple": "Apple Status",
    "chrome": "Chrome Status",
}
"""Root programs and their status columns (reports before 2022 have Mozilla's and
Microsoft's only)."""
RECORDS_KIND = "ccadb-records"
_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Record:
    row: int
    values: dict[str, str]

    def get(self, column: str) -> str:
        return (self.values.get(column) or "").strip()

    @property
    def sha256(self) -> str:
        return self.get("SHA-256 Fingerprint").lower().replace(":", "")

    @property
    def parent_sha256(self) -> str:
        return self.get("Parent SHA-256 Fingerprint").lower().replace(":", "")

    def problem(self) -> str | None:
        """Why the row cannot be used (its fingerprints must be SHA-256 hex), or None."""
        if not _SHA256.fullmatch(self.sha256):
            shown = self.get("SHA-256 Fingerprint")[:80]
            return f"SHA-256 Fingerprint {shown!r} is not 64 hex digits"
        parent = self.parent_sha256
        if parent and not _SHA256.fullmatch(parent):
            return (
                f"Parent SHA-256 Fingerprint {self.get('Parent SHA-256 Fingerprint')[:80]!r} "
                "is not 64 hex digits"
            )
        return None

    @property
    def is_root(self) -> bool:
        return self.get("Certificate Record Type").lower().startswith("root")

    @property
    def operator(self) -> str:
        return self.get("Subordinate CA Owner") or self.get("CA Owner")


def looks_like_records(header_line: str) -> bool:
    return all(column in header_line for column in REQUIRED_COLUMNS[:2]) and (
        "Certificate Record Type" in header_line
    )


def read_records(path: Path, data: bytes | None = None) -> Iterator[Record]:
    """The rows of a records report (plain or gzip; ``data``: its bytes, already read),
    numbered as a spreadsheet numbers them.

    Raises:
        InputError: the file is unreadable or lacks the report's columns.
    """
    data = read_input(path) if data is None else data
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig", errors="replace"), newline=""))
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(
            f"{path}: not a CCADB certificate-records report (missing columns: "
            f"{', '.join(missing)})"
        )
    for number, values in enumerate(reader, start=2):
        yield Record(number, values)


@dataclass
class RecordsReport:
    """What importing a records report did; every row is counted once."""

    path: str
    rows: int = 0
    declared: int = 0
    already_loaded: int = 0
    revoked: int = 0
    operators: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)
    unchanged: bool = False

    @property
    def reconciles(self) -> bool:
        return self.rows == self.declared + self.already_loaded + len(self.problems)

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "rows": self.rows,
            "declared": self.declared,
            "already_loaded": self.already_loaded,
            "revoked": self.revoked,
            "operator_facts": self.operators,
            "problems": self.problems,
            "reconciles": self.reconciles,
            "unchanged": self.unchanged,
        }


def import_records(db: Database, path: Path, as_of: str) -> RecordsReport:
    """Declared edges, operator facts and revocations from a records report.

    Raises:
        InputError: the file is not such a report.
    """
    report = RecordsReport(str(path))
    data = read_input(path)
    digest = hashlib.sha256(data + as_of.encode()).hexdigest()
    with db.transaction() as transaction:
        source_id = db.add_source(RECORDS_KIND, str(path))
        if db.same_source_loaded(source_id, RECORDS_KIND, str(path), digest):
            report.unchanged = True
            transaction.discard()
            return report
        _import(db, path, data, as_of, report)
        db.finish_source(source_id, report.as_dict(), digest)
    return report


def _import(db: Database, path: Path, data: bytes, as_of: str, report: RecordsReport) -> None:
    source = f"CCADB records report {path.name} ({as_of[:10]})"
    for record in read_records(path, data):
        report.rows += 1
        problem = record.problem()
        if problem is not None:
            report.problems.append({"location": f"{path} row {record.row}", "reason": problem})
            continue
        declaration = Declaration(
            sha256=record.sha256,
            subject=((("2.5.4.3", record.get("Certificate Name")),),),
            issuer=((("2.5.4.3", record.get("Parent Certificate Name")),),),
            issuer_certificate=None if record.is_root else record.parent_sha256 or None,
            same_ca_as=None,
            source=source,
        )
        if declare(db, declaration):
            report.declared += 1
        else:
            report.already_loaded += 1
        if record.get("Revocation Status").lower() == "revoked":
            record_revocations(
                db,
                [
                    (
                        record.sha256,
                        None,
                        None,
                        None,
                        as_of,
                        source,
                        "CCADB Revocation Status: Revoked (no date)",
                    )
                ],
            )
            report.revoked += 1
        if record.operator:
            record_operator(
                db, record.operator, "ccadb", source, certificate=record.sha256, as_of=as_of
            )
            report.operators += 1
    linking.link_pending(db)


def included_roots(path: Path, program: str) -> Iterator[tuple[Record, str]]:
    """Root records with their status for ``program`` (a key of :data:`STATUS_COLUMNS`),
    where the status makes the root a trust anchor ("Included"; Microsoft's "NotBefore"
    keeps a root trusted for certificates issued before a date the report does not give).

    Raises:
        InputError: unknown program, the file is not a records report, or it has no status
            column for ``program``.
    """
    column = STATUS_COLUMNS.get(program)
    if column is None:
        raise InputError(
            f"unknown root program {program!r}; use one of {', '.join(STATUS_COLUMNS)}"
        )
    for record in read_records(path):
        if column not in record.values:
            raise InputError(
                f"{path}: this report has no {column!r} column (reports before 2022 carry "
                "Mozilla's and Microsoft's only); use a newer report or another {program}",
                parameters=("program",),
                value=program,
            )
        status = record.get(column)
        if record.is_root and status in ("Included", "NotBefore"):
            yield record, status


def is_records_report(path: Path) -> bool:
    """Whether ``path`` is a CCADB certificate-records report (plain or gzip CSV); False
    for anything that cannot be read (the loader then reports why)."""
    try:
        head = read_head(path, 8192)
    except InputError:
        return False
    return looks_like_records(head.decode("utf-8-sig", errors="replace").split("\n", 1)[0])
