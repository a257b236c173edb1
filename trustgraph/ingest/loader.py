"""Loading certificates into the database: read, parse, store, link, and account for all.

Every certificate found in the inputs ends in exactly one of three counts: loaded (new to
the database), duplicate (already there, or seen earlier in the same load), or skipped
(with its location and reason). ``LoadReport.reconciles`` checks that they add up.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from trustgraph.core.progress import NullProgress, Progress
from trustgraph.errors import CertificateParseError
from trustgraph.ingest import linking
from trustgraph.ingest.parallel import Pending, Workers
from trustgraph.ingest.rows import storage_rows
from trustgraph.ingest.sources import Item, Occurrence, Problem, read_paths
from trustgraph.storage import certificates
from trustgraph.storage.database import Database
from trustgraph.storage.schema import CA_COLUMNS, CERTIFICATE_COLUMNS
from trustgraph.x509 import der, names
from trustgraph.x509.certificate import parse_certificate

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
    indexes = _IndexPolicy(db)
    with Workers() as workers, indexes:
        linker = linking.Linker(db, workers)
        for label, items in sources:
            source_id = db.add_source(kind, label)
            before = (report.found, report.loaded, report.duplicates, len(report.skipped))
            progress.start(f"reading {label}", None)
            in_flight: _Batch | None = None
            for batch in _batches(db, report, source_id, items):
                # Parse this batch in the workers while the previous one is stored.
                submitted = _prepare(db, report, source_id, batch, seen, workers, linker)
                if in_flight is not None:
                    new_names |= _finish(db, report, in_flight, progress, linker)
                    indexes.consider(report.loaded)
                in_flight = submitted
            if in_flight is not None:
                new_names |= _finish(db, report, in_flight, progress, linker)
            db.set_source_summary(source_id, _source_summary(report, before))
            db.commit()
            progress.finish()
        indexes.restore()
        linked = linker.finish(new_names, progress)
    report.edges = linked.counts
    report.warnings.extend(
        Issue(
            _first_location(db, d.certificate), d.reason or "", "signature-invalid", d.certificate
        )
        for d in linked.invalid
    )
    db.commit()
    report.totals = db.counts()
    report.seconds = time.perf_counter() - started
    return report


def _first_location(db: Database, fingerprint: str) -> str:
    return certificates.first_location(db, fingerprint) or fingerprint


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
    certificates.insert_problem(db, source_id, problem.location, problem.kind, problem.reason)


class _IndexPolicy:
    """Suspends the query indexes once a load proves large next to the database (rebuilding
    them afterwards then costs less than keeping them up to date), and restores them."""

    THRESHOLD = 20_000

    def __init__(self, db: Database) -> None:
        self.db = db
        self.rows_before = certificates.certificate_rows(db)
        self.suspended = False

    def __enter__(self) -> _IndexPolicy:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.restore()

    def consider(self, loaded: int) -> None:
        if not self.suspended and loaded >= self.THRESHOLD and loaded * 5 >= self.rows_before:
            self.db.suspend_indexes()
            self.suspended = True

    def restore(self) -> None:
        if self.suspended:
            self.db.restore_indexes()
            self.suspended = False


def _batches(
    db: Database, report: LoadReport, source_id: int, items: Iterable[Item]
) -> Iterator[list[Occurrence]]:
    """The certificates of a source in batches; problems are recorded on the way."""
    batch: list[Occurrence] = []
    for item in items:
        if isinstance(item, Problem):
            _record_problem(db, report, source_id, item)
            continue
        report.found += 1
        batch.append(item)
        if len(batch) >= _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


# What a worker returns for one certificate: its rows, warnings and edge, or why it could
# not be parsed.
Parsed = tuple[tuple[Any, ...], tuple[Any, ...], tuple[str, ...], linking.EdgeDecision] | str
_DER = CERTIFICATE_COLUMNS.index("der")
_CA = CERTIFICATE_COLUMNS.index("ca_id")


def parse_for_storage(work: list[tuple[bytes, list[linking.Candidate]]]) -> list[Parsed]:
    """Parse certificates into their ``certificates`` and ``cas`` rows and warnings, and
    check each signature against the candidate issuers known when it was sent (run in
    worker processes). The rows come back without the DER, which the caller has."""
    results: list[Parsed] = []
    for der_bytes, candidates in work:
        try:
            record = parse_certificate(der_bytes)
        except CertificateParseError as exc:
            results.append(str(exc))
            continue
        certificate, authority = storage_rows(record)
        edge = linking.decide_signed(
            record.sha256,
            certificate[_CA],
            record.extensions.aki,
            record.signature,
            record.tbs,
            record.signature_value,
            candidates,
        )
        certificate = (*certificate[:_DER], None, *certificate[_DER + 1 :])
        results.append((certificate, authority, record.warnings, edge))
    return results


def _issuer_key(der_bytes: bytes) -> str:
    """The comparison key of a certificate's issuer name ("" if unreadable): what its
    candidate issuers are looked up by before it is parsed."""
    try:
        return names.name_key(names.rdns_from_der(der.issuer_name(der_bytes)))
    except der.DerError:
        return ""


@dataclass
class _Batch:
    source_id: int
    items: list[tuple[Occurrence, str, bool]]  # occurrence, fingerprint, is it new
    parsed: Pending[Parsed]
    size: int


def _prepare(
    db: Database,
    report: LoadReport,
    source_id: int,
    batch: list[Occurrence],
    seen: set[str],
    workers: Workers,
    linker: linking.Linker,
) -> _Batch:
    """Fingerprint a batch, count its duplicates, and send the new certificates to be
    parsed."""
    fingerprints = [hashlib.sha256(item.der).hexdigest() for item in batch]
    present = certificates.existing_fingerprints(db, set(fingerprints) - seen)
    items = []
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
        new = fingerprint not in seen and fingerprint not in present
        seen.add(fingerprint)
        items.append((item, fingerprint, new))
    ders = [item.der for item, _fp, new in items if new]
    candidates = linker.candidates_for([_issuer_key(d) for d in ders])
    parsed = workers.submit(parse_for_storage, list(zip(ders, candidates, strict=True)))
    return _Batch(source_id, items, parsed, len(batch))


def _finish(
    db: Database, report: LoadReport, batch: _Batch, progress: Progress, linker: linking.Linker
) -> set[str]:
    """Store a parsed batch and start deciding its edges; return the names of new CAs."""
    results = iter(batch.parsed.get())
    cert_rows, ca_rows, occurrences, edges = [], {}, [], []
    for item, fingerprint, new in batch.items:
        if not new:
            report.duplicates += 1
        else:
            result = next(results)
            if isinstance(result, str):
                problem = Problem(item.location, result, kind="unparsable")
                _record_problem(db, report, batch.source_id, problem, counted=True)
                continue
            cert_row, ca, warnings, edge = result
            edges.append(edge)
            cert_rows.append((*cert_row[:_DER], item.der, *cert_row[_DER + 1 :]))
            ca_rows[ca[0]] = ca
            report.warnings.extend(
                Issue(item.location, text, "parse-warning", fingerprint) for text in warnings
            )
        report.fingerprints.append(fingerprint)
        occurrences.append((batch.source_id, item.location, fingerprint))
    report.loaded += len(cert_rows)
    progress.advance(batch.size)
    new_names = _insert(db, report, cert_rows, ca_rows, occurrences, linker)
    linker.record(edges)
    return new_names


_CANDIDATE_COLUMNS = [CA_COLUMNS.index(c) for c in ("subject_key", "ca_id", "spki", "ski")]


def _insert(
    db: Database,
    report: LoadReport,
    cert_rows: list[tuple[Any, ...]],
    ca_rows: dict[str, tuple[Any, ...]],
    occurrences: Iterable[tuple[Any, ...]],
    linker: linking.Linker,
) -> set[str]:
    known = certificates.existing_cas(db, ca_rows)
    new_cas = [row for ca, row in ca_rows.items() if ca not in known]
    report.new_cas += len(new_cas)
    certificates.insert_certificates(db, cert_rows)
    certificates.insert_cas(db, new_cas)
    linker.add_cas(tuple(row[i] for i in _CANDIDATE_COLUMNS) for row in new_cas)
    certificates.insert_occurrences(db, occurrences)
    return {row[CA_COLUMNS.index("subject_key")] for row in new_cas}
