"""Loading certificates into the database: read, parse, store, link, and account for all.

Every certificate found in the inputs ends in exactly one of three counts: loaded (new to
the database), duplicate (already there, or seen earlier in the same load), or skipped
(with its location and reason). ``LoadReport.reconciles`` checks that they add up.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from trustgraph import linking
from trustgraph.certificate import CertificateRecord, parse_certificate
from trustgraph.database import (
    CA_COLUMNS,
    CERTIFICATE_COLUMNS,
    Database,
    ca_row,
    certificate_row,
)
from trustgraph.errors import CertificateParseError
from trustgraph.progress import NullProgress, Progress
from trustgraph.sources import Item, Occurrence, Problem, read_paths

# Problems of these kinds are inputs that were never certificates (an empty file, a private
# key block); every other problem is a certificate that could not be loaded.
NOT_CERTIFICATE_KINDS = ("empty", "not-a-certificate", "missing")
_BATCH = 5000


@dataclass(frozen=True, slots=True)
class Issue:
    """A located remark of a load: a skipped input, a note, or a warning."""

    location: str
    reason: str
    kind: str
    certificate: str | None = None

    def as_dict(self) -> dict[str, Any]:
        result = {"location": self.location, "kind": self.kind, "reason": self.reason}
        if self.certificate:
            result["certificate"] = self.certificate
        return result


@dataclass
class LoadReport:
    """What a load did. ``found == loaded + duplicates + len(skipped)`` always holds."""

    paths: list[str]
    found: int = 0
    loaded: int = 0
    duplicates: int = 0
    skipped: list[Issue] = field(default_factory=list)
    notes: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    new_cas: int = 0
    edges: dict[str, int] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    fingerprints: list[str] = field(default_factory=list)

    @property
    def reconciles(self) -> bool:
        return self.found == self.loaded + self.duplicates + len(self.skipped)

    def as_dict(self) -> dict[str, Any]:
        return {
            "paths": self.paths,
            "found": self.found,
            "loaded": self.loaded,
            "duplicates": self.duplicates,
            "skipped": len(self.skipped),
            "reconciles": self.reconciles,
            "new_cas": self.new_cas,
            "edges_decided": dict(sorted(self.edges.items())),
            "database": self.totals,
            "seconds": round(self.seconds, 3),
            "skipped_inputs": [issue.as_dict() for issue in self.skipped],
            "notes": [issue.as_dict() for issue in self.notes],
            "warnings": [issue.as_dict() for issue in self.warnings],
        }


def load_paths(
    db: Database,
    paths: Sequence[str | os.PathLike[str]],
    progress: Progress | None = None,
) -> LoadReport:
    """Load every certificate in ``paths`` (files, directories, bundles, CSV) into ``db``.

    One unreadable certificate never stops the load; it is reported in the result.

    Raises:
        DatabaseError: the database cannot be written.
    """
    return load_items(db, [(str(path), read_paths([path])) for path in paths], progress)


def load_items(
    db: Database,
    sources: Sequence[tuple[str, Iterable[Item]]],
    progress: Progress | None = None,
    kind: str = "certificates",
) -> LoadReport:
    """Load certificates from already-read sources: ``(label, items)`` pairs, where the
    items are what :mod:`trustgraph.sources` yields. Then decide the new edges.

    Raises:
        DatabaseError: the database cannot be written.
    """
    started = time.perf_counter()
    progress = progress or NullProgress()
    report = LoadReport([label for label, _items in sources])
    seen: set[str] = set()
    new_names: set[str] = set()
    for label, items in sources:
        source_id = db.add_source(kind, label)
        before = (report.found, report.loaded, report.duplicates, len(report.skipped))
        progress.start(f"reading {label}", None)
        batch: list[Occurrence] = []
        for item in items:
            if isinstance(item, Problem):
                _record_problem(db, report, source_id, item)
                continue
            report.found += 1
            batch.append(item)
            if len(batch) >= _BATCH:
                new_names |= _store_batch(db, report, source_id, batch, seen)
                progress.advance(len(batch))
                batch = []
        new_names |= _store_batch(db, report, source_id, batch, seen)
        progress.advance(len(batch))
        db.set_source_summary(source_id, _source_summary(report, before))
        db.conn.commit()
        progress.finish()
    linked = linking.link_pending(db, new_names, progress)
    report.edges = linked.counts
    report.warnings.extend(
        Issue(
            _first_location(db, d.certificate), d.reason or "", "signature-invalid", d.certificate
        )
        for d in linked.invalid
    )
    db.conn.commit()
    report.totals = db.counts()
    report.seconds = time.perf_counter() - started
    return report


def _first_location(db: Database, fingerprint: str) -> str:
    row = db.conn.execute(
        "SELECT location FROM occurrences WHERE certificate = ? ORDER BY rowid LIMIT 1",
        (fingerprint,),
    ).fetchone()
    return str(row[0]) if row else fingerprint


def _source_summary(report: LoadReport, before: tuple[int, int, int, int]) -> dict[str, int]:
    return {
        "found": report.found - before[0],
        "certificates_new": report.loaded - before[1],
        "duplicates": report.duplicates - before[2],
        "skipped": len(report.skipped) - before[3],
    }


def _record_problem(
    db: Database, report: LoadReport, source_id: int, problem: Problem, *, counted: bool = False
) -> None:
    """Report and store a problem; ``counted``: its certificate is already in ``found``."""
    issue = Issue(problem.location, problem.reason, problem.kind)
    if problem.kind in NOT_CERTIFICATE_KINDS:
        report.notes.append(issue)
    else:
        report.found += 0 if counted else 1
        report.skipped.append(issue)
    db.insert_rows(
        "problems",
        ("source_id", "location", "certificate", "kind", "reason"),
        [(source_id, problem.location, None, problem.kind, problem.reason)],
    )


def _store_batch(
    db: Database, report: LoadReport, source_id: int, batch: list[Occurrence], seen: set[str]
) -> set[str]:
    """Parse and store the new certificates of a batch; return the names of new CAs."""
    if not batch:
        return set()
    fingerprints = [hashlib.sha256(item.der).hexdigest() for item in batch]
    present = db.existing_fingerprints(set(fingerprints) - seen)
    records: list[CertificateRecord] = []
    occurrences = []
    for item, fingerprint in zip(batch, fingerprints, strict=True):
        if item.claimed_sha256 and item.claimed_sha256.replace(":", "") != fingerprint:
            report.warnings.append(
                Issue(
                    item.location,
                    f"listed fingerprint {item.claimed_sha256} differs from the "
                    f"certificate's SHA-256",
                    "fingerprint-mismatch",
                    fingerprint,
                )
            )
        if fingerprint in seen or fingerprint in present:
            report.fingerprints.append(fingerprint)
            report.duplicates += 1
            occurrences.append((source_id, item.location, fingerprint))
            continue
        seen.add(fingerprint)
        try:
            record = parse_certificate(item.der)
        except CertificateParseError as exc:
            _record_problem(
                db,
                report,
                source_id,
                Problem(item.location, str(exc), kind="unparsable"),
                counted=True,
            )
            continue
        records.append(record)
        report.fingerprints.append(fingerprint)
        occurrences.append((source_id, item.location, fingerprint))
        report.warnings.extend(
            Issue(item.location, text, "parse-warning", fingerprint) for text in record.warnings
        )
    report.loaded += len(records)
    return _insert(db, report, records, occurrences)


def _insert(
    db: Database,
    report: LoadReport,
    records: list[CertificateRecord],
    occurrences: Iterable[tuple[Any, ...]],
) -> set[str]:
    ca_rows = {record.ca_id: ca_row(record) for record in records}
    known = _existing_cas(db, list(ca_rows))
    new_cas = [row for ca, row in ca_rows.items() if ca not in known]
    report.new_cas += len(new_cas)
    db.insert_rows(
        "certificates", CERTIFICATE_COLUMNS, (certificate_row(r) for r in records), replace=True
    )
    db.insert_rows("cas", CA_COLUMNS, new_cas)
    db.insert_rows("occurrences", ("source_id", "location", "certificate"), occurrences)
    return {row[CA_COLUMNS.index("subject_key")] for row in new_cas}


def _existing_cas(db: Database, ca_ids: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(ca_ids), 900):
        chunk = ca_ids[start : start + 900]
        marks = ",".join("?" for _ in chunk)
        found.update(
            row[0]
            for row in db.conn.execute(f"SELECT ca_id FROM cas WHERE ca_id IN ({marks})", chunk)
        )
    return found
