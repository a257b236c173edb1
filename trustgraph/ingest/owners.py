"""Dated relations between CA organisations from a CSV file: who owned whom from when, and
who resold whose certificates.

Columns: ``subject``, ``object``, ``relation`` (``owned_by``: subject was owned by object
from the date; ``reseller_of``: subject resold object's certificates), ``from`` (a date;
``1970-01-01`` means the start is not known) and ``source_note``, whose leading ``YYYY`` or
``MM-YYYY`` says that a date on the first of a year or month is known to that precision
only. A relation lasts until the next relation of the same subject starts.

Each file is read in one transaction; reading the same file again adds nothing. A row that
cannot be used is reported with its number and reason, and the rest are recorded.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from trustgraph.errors import InputError
from trustgraph.ingest.facts import record_ownership
from trustgraph.ingest.sources import read_input
from trustgraph.storage.database import Database

RELATIONS_KIND = "owner-relations"
COLUMNS = ("subject", "object", "relation", "from", "source_note")
RELATIONS = ("owned_by", "reseller_of")
UNKNOWN_START = "1970-01-01"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_YEAR = re.compile(r"^\s*(\d{4})\b")
_MONTH = re.compile(r"^\s*(\d{2})-(\d{4})\b")


@dataclass
class RelationsReport:
    path: str
    rows: int = 0
    recorded: int = 0
    same_organisation: int = 0
    unchanged: bool = False
    problems: list[dict[str, str]] = field(default_factory=list)

    @property
    def reconciles(self) -> bool:
        return self.rows == self.recorded + self.same_organisation + len(self.problems)

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "rows": self.rows,
            "recorded": self.recorded,
            "same_organisation": self.same_organisation,
            "problems": self.problems,
            "unchanged": self.unchanged,
        }


def precision_of(start: str, note: str) -> str:
    """How precisely a start date is known: ``year`` or ``month`` when the date is the first
    of a year or month and the note gives only that much, else ``day``."""
    month = _MONTH.match(note)
    if start.endswith("-01") and month and start[:7] == f"{month.group(2)}-{month.group(1)}":
        return "month"
    if start.endswith("-01-01") and (_YEAR.match(note) or not _MONTH.match(note)):
        return "year"
    return "day"


def import_relations(db: Database, path: Path) -> RelationsReport:
    """Record the relations of a CSV file (see the module's description).

    Raises:
        InputError: the file cannot be read or lacks the columns.
    """
    data = read_input(path)
    report = RelationsReport(str(path))
    digest = hashlib.sha256(data).hexdigest()
    with db.transaction() as transaction:
        source_id = db.add_source(RELATIONS_KIND, str(path))
        if db.same_source_loaded(source_id, RELATIONS_KIND, str(path), digest):
            report.unchanged = True
            transaction.discard()
            return report
        for number, row in _rows(path, data):
            report.rows += 1
            _record(db, path, number, row, report)
        db.finish_source(source_id, report.as_dict(), digest)
    return report


def _rows(path: Path, data: bytes) -> list[tuple[int, dict[str, str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(
            f"{path}: not an owner-relations CSV (missing column(s) {', '.join(missing)}; "
            f"expected {', '.join(COLUMNS)})"
        )
    try:
        return [(number, row) for number, row in enumerate(reader, start=2)]
    except csv.Error as exc:
        raise InputError(f"{path} line {reader.line_num}: {exc}") from exc


def _is_date(text: str) -> bool:
    try:
        return bool(_DATE.match(text)) and date.fromisoformat(text) is not None
    except ValueError:
        return False


def _record(
    db: Database, path: Path, number: int, row: dict[str, str], report: RelationsReport
) -> None:
    subject, owner = (row.get("subject") or "").strip(), (row.get("object") or "").strip()
    relation, start = (row.get("relation") or "").strip(), (row.get("from") or "").strip()
    note = (row.get("source_note") or "").strip()
    problem = None
    if not subject or not owner:
        problem = "subject and object must both be given"
    elif relation not in RELATIONS:
        problem = f"relation {relation!r} is not one of {', '.join(RELATIONS)}"
    elif not _is_date(start):
        problem = f"from {start!r} is not a date (YYYY-MM-DD)"
    if problem:
        report.problems.append({"location": f"{path} row {number}", "reason": problem})
        return
    if subject == owner:
        report.same_organisation += 1
        return
    known = start != UNKNOWN_START
    record_ownership(
        db,
        owner,
        subject,
        f"{start}T00:00:00Z" if known else None,
        None,
        f"{path.name} row {number}" + (f": {note}" if note else ""),
        relation,
        precision_of(start, note) if known else "day",
    )
    report.recorded += 1
