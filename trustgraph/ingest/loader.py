"""Loading certificates into the database: read, parse, store, link, and account for all.

Each source (a file or directory named by the user, or a set of fetched certificates) is
loaded in one transaction, its linking included: once it ends, every edge it decided is
final, and until it ends nothing of it is in the database. So an interrupted load (a kill,
a crash, a full disk) leaves the database exactly as after a clean load of the sources
before it, and running the same command again finishes the job. A source whose bytes were
already loaded from the same path adds nothing.

Every certificate found ends in exactly one of three counts: loaded (new to the database),
duplicate (already there, or seen earlier in the same source), or skipped (with its
location and reason). The loaded, duplicate and skipped counts are what the database
accepted, so ``LoadReport.reconciles`` checks them against what the readers found.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from trustgraph.core.progress import NullProgress, Progress
from trustgraph.errors import CertificateParseError
from trustgraph.ingest import linking
from trustgraph.ingest.parallel import Pending, Workers
from trustgraph.ingest.rows import storage_rows
from trustgraph.ingest.sources import Item, Occurrence, Problem, Source
from trustgraph.storage import certificates
from trustgraph.storage.database import Database
from trustgraph.storage.schema import CA_COLUMNS, CERTIFICATE_COLUMNS
from trustgraph.x509 import der, names
from trustgraph.x509.certificate import parse_certificate

# Problems of these kinds are inputs that were never certificates (an empty file, a private
# key block, a refused file); every other problem is a certificate that could not be loaded.
NOT_CERTIFICATE_KINDS = ("empty", "not-a-certificate", "missing", "refused")
LISTED = 1000
"""Problems of one kind listed one by one per source; beyond that one row counts the rest."""
_BATCH = 5000


@dataclass(frozen=True, slots=True)
class Issue:
    """A located remark of a load: a skipped input, a note, or a warning."""

    location: str
    reason: str
    kind: str
    certificate: str | None = None
    count: int = 1

    def as_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "location": self.location,
            "kind": self.kind,
            "reason": self.reason,
        }
        if self.certificate:
            result["certificate"] = self.certificate
        if self.count != 1:
            result["count"] = self.count
        return result


@dataclass
class LoadReport:
    """What a load did, counted from what the database accepted."""

    paths: list[str]
    found: int = 0
    loaded: int = 0
    stored: int = 0  # occurrences the database recorded: loaded + duplicates
    skipped: int = 0
    skipped_inputs: list[Issue] = field(default_factory=list)
    notes: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    new_cas: int = 0
    edges: dict[str, int] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    fingerprints: list[str] = field(default_factory=list)

    @property
    def duplicates(self) -> int:
        return self.stored - self.loaded

    @property
    def reconciles(self) -> bool:
        """Whether every certificate the readers found is in the database or reported."""
        return self.found == self.stored + self.skipped

    @property
    def problems(self) -> int:
        """Inputs that could not be used: skipped certificates and inputs that held none."""
        return self.skipped + sum(note.count for note in self.notes)

    def as_dict(self) -> dict[str, Any]:
        return {
            "paths": self.paths,
            "found": self.found,
            "loaded": self.loaded,
            "duplicates": self.duplicates,
            "skipped": self.skipped,
            "reconciles": self.reconciles,
            "unchanged_sources": self.unchanged,
            "new_cas": self.new_cas,
            "edges_decided": dict(sorted(self.edges.items())),
            "database": self.totals,
            "seconds": round(self.seconds, 3),
            "skipped_inputs": [issue.as_dict() for issue in self.skipped_inputs],
            "notes": [issue.as_dict() for issue in self.notes],
            "warnings": [issue.as_dict() for issue in self.warnings],
        }


def load_paths(
    db: Database,
    paths: Sequence[str | os.PathLike[str]],
    progress: Progress | None = None,
) -> LoadReport:
    """Load every certificate in ``paths`` (files, directories, bundles, CSV) into ``db``,
    each path in a transaction of its own.

    One unreadable certificate never stops the load; it is reported in the result.

    Raises:
        DatabaseError: the database cannot be written (nothing of the source being loaded
            is kept).
    """
    return load_items(db, [Source.from_path(path) for path in paths], progress)


def load_items(
    db: Database,
    sources: Sequence[Source],
    progress: Progress | None = None,
    kind: str = "certificates",
) -> LoadReport:
    """Load certificates from sources (see :class:`~trustgraph.ingest.sources.Source`),
    each in a transaction of its own that also decides the edges it affects.

    Raises:
        DatabaseError: the database cannot be written.
    """
    started = time.perf_counter()
    progress = progress or NullProgress()
    report = LoadReport([source.label for source in sources])
    with Workers() as workers, db.loading():
        for source in sources:
            part = LoadReport([source.label])
            with db.transaction() as transaction:
                _load_source(db, part, source, kind, workers, progress)
                if part.unchanged:
                    transaction.discard()
            _merge(report, part)
    report.totals = db.counts()
    report.seconds = time.perf_counter() - started
    return report


def _merge(report: LoadReport, part: LoadReport) -> None:
    for name in ("found", "loaded", "stored", "skipped", "new_cas"):
        setattr(report, name, getattr(report, name) + getattr(part, name))
    for name in ("skipped_inputs", "notes", "warnings", "unchanged", "fingerprints"):
        getattr(report, name).extend(getattr(part, name))
    for edge_kind, count in part.edges.items():
        report.edges[edge_kind] = report.edges.get(edge_kind, 0) + count


def _load_source(
    db: Database,
    report: LoadReport,
    source: Source,
    kind: str,
    workers: Workers,
    progress: Progress,
) -> None:
    """Everything of one source, inside its transaction."""
    source_id = db.add_source(kind, source.label)
    linker = linking.Linker(db, workers)
    problems = _ProblemLog(db, report, source_id)
    indexes = _IndexPolicy(db)
    known = _Known(db, indexes.rows_before)
    new_names: set[str] = set()
    progress.start(f"reading {source.label}", None)
    in_flight: _Batch | None = None
    for batch in _batches(report, problems, source.items()):
        # Parse this batch in the workers while the previous one is stored.
        submitted = _prepare(report, source_id, batch, known, workers, linker)
        if in_flight is not None:
            new_names |= _finish(db, report, problems, in_flight, progress, linker)
            indexes.consider(report.loaded)
        in_flight = submitted
    if in_flight is not None:
        new_names |= _finish(db, report, problems, in_flight, progress, linker)
    problems.close()
    progress.finish()
    indexes.restore()
    digest = source.digest()
    if db.same_source_loaded(source_id, kind, source.label, digest):
        report.unchanged.append(source.label)
        return
    linked = linker.finish(new_names, progress)
    report.edges = linked.counts
    report.warnings.extend(
        Issue(
            certificates.first_location(db, d.certificate) or d.certificate,
            d.reason or "",
            "signature-invalid",
            d.certificate,
        )
        for d in linked.invalid
    )
    db.finish_source(source_id, _summary(report), digest)


def _summary(report: LoadReport) -> dict[str, int]:
    return {
        "found": report.found,
        "certificates_new": report.loaded,
        "duplicates": report.duplicates,
        "skipped": report.skipped,
    }


@dataclass
class _Overflow:
    """The problems of a kind beyond the listed ones: where the first and the last were,
    the first one's reason, how many."""

    first: str
    last: str
    reason: str
    count: int = 0


class _ProblemLog:
    """Records a source's problems: each of the first :data:`LISTED` of a kind on its own,
    the rest of that kind as one row with their count and the span of their locations."""

    def __init__(self, db: Database, report: LoadReport, source_id: int) -> None:
        self.db, self.report, self.source_id = db, report, source_id
        self.seen: Counter[str] = Counter()
        self.overflow: dict[str, _Overflow] = {}

    def add(self, problem: Problem) -> None:
        self.seen[problem.kind] += 1
        if self.seen[problem.kind] <= LISTED:
            self._record(problem.location, problem.kind, problem.reason, 1)
            return
        entry = self.overflow.setdefault(
            problem.kind, _Overflow(problem.location, "", problem.reason)
        )
        entry.last = problem.location
        entry.count += 1

    def close(self) -> None:
        for kind, entry in sorted(self.overflow.items()):
            where = entry.first if entry.count == 1 else f"{entry.first} to {entry.last}"
            text = f"{entry.count} more like the above, e.g. {entry.reason}"
            self._record(where, kind, text, entry.count)

    def _record(self, location: str, kind: str, reason: str, count: int) -> None:
        stored = certificates.insert_problem(self.db, self.source_id, location, kind, reason, count)
        issue = Issue(location, reason, kind, count=count)
        if kind in NOT_CERTIFICATE_KINDS:
            self.report.notes.append(issue)
        else:
            self.report.skipped += stored
            self.report.skipped_inputs.append(issue)


class _IndexPolicy:
    """Suspends the query indexes once a source proves large next to the database
    (rebuilding them afterwards then costs less than keeping them up to date), and
    restores them before the source's transaction ends."""

    THRESHOLD = 20_000

    def __init__(self, db: Database) -> None:
        self.db = db
        self.rows_before = certificates.certificate_rows(db)
        self.suspended = False

    def consider(self, loaded: int) -> None:
        if not self.suspended and loaded >= self.THRESHOLD and loaded * 5 >= self.rows_before:
            self.db.suspend_indexes()
            self.suspended = True

    def restore(self) -> None:
        if self.suspended:
            self.db.restore_indexes()
            self.suspended = False


def _batches(
    report: LoadReport, problems: _ProblemLog, items: Iterable[Item]
) -> Iterator[list[Occurrence]]:
    """The certificates of a source in batches; problems are recorded on the way."""
    batch: list[Occurrence] = []
    for item in items:
        if isinstance(item, Problem):
            if item.kind not in NOT_CERTIFICATE_KINDS:
                report.found += 1
            problems.add(item)
            continue
        report.found += 1
        batch.append(item)
        if len(batch) >= _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


# What a worker returns for one certificate: its rows, warnings and edge (None when no CA
# of its issuer's name was stored when it was sent: the source's linking decides it), or why
# it could not be parsed.
Parsed = tuple[tuple[Any, ...], tuple[Any, ...], tuple[str, ...], linking.EdgeDecision | None] | str
_DER = CERTIFICATE_COLUMNS.index("der")
_CA = CERTIFICATE_COLUMNS.index("ca_id")


def parse_for_storage(work: list[tuple[bytes, list[linking.Candidate]]]) -> list[Parsed]:
    """Parse certificates into their ``certificates`` and ``cas`` rows and warnings, and
    check each signature against the candidate issuers known when it was sent (run in
    worker processes). A certificate without candidates comes back without an edge: its
    issuer may be later in the same source, so deciding it now would be undone when the
    source's linking decides it again. The rows come back without the DER, which the
    caller has. A certificate that cannot be read comes back as the reason, whatever went
    wrong, so that one bad certificate never stops the others."""
    return [_parse_one(der_bytes, candidates) for der_bytes, candidates in work]


def _parse_one(der_bytes: bytes, candidates: list[linking.Candidate]) -> Parsed:
    try:
        record = parse_certificate(der_bytes)
        certificate, authority = storage_rows(record)
        edge = (
            linking.decide_signed(
                record.sha256,
                certificate[_CA],
                record.extensions.aki,
                record.signature,
                record.tbs,
                record.signature_value,
                candidates,
            )
            if candidates
            else None
        )
    except Exception as exc:  # any failure is this certificate's problem
        return _reason(exc)
    certificate = (*certificate[:_DER], None, *certificate[_DER + 1 :])
    return (certificate, authority, record.warnings, edge)


def _reason(exc: Exception) -> str:
    """Why a certificate could not be read, in one line."""
    text = " ".join(str(exc).split())[:300]
    if isinstance(exc, CertificateParseError):
        return text
    return f"cannot be read ({type(exc).__name__}: {text or 'no detail'})"


def _issuer_key(der_bytes: bytes) -> str:
    """The comparison key of a certificate's issuer name ("" if unreadable): what its
    candidate issuers are looked up by before it is parsed."""
    try:
        return _name_key(der.issuer_name(der_bytes))
    except der.DerError:
        return ""


@lru_cache(maxsize=65536)
def _name_key(name_der: bytes) -> str:
    """The comparison key of an encoded Name (cached: a few issuers sign most certificates).

    Raises:
        DerError: the bytes are not a Name.
    """
    return names.name_key(names.rdns_from_der(name_der))


@dataclass
class _Batch:
    source_id: int
    items: list[tuple[Occurrence, str, bool]]  # occurrence, fingerprint, is it new
    parsed: Pending[Parsed]
    size: int


class _Known:
    """The certificates a source's certificates may duplicate: those seen earlier in the
    source, and those the database held before it (looked up only if it held any: a first
    load into an empty database then skips a lookup per certificate)."""

    def __init__(self, db: Database, rows_before: int) -> None:
        self.db = db
        self.seen: set[str] = set()
        self.rows_before = rows_before

    def stored_before(self, fingerprints: Iterable[str]) -> set[str]:
        """Which of these fingerprints the database held with bytes before the source.

        Raises:
            sqlite3.Error: the database cannot be read.
        """
        if not self.rows_before:
            return set()
        return certificates.existing_fingerprints(self.db, set(fingerprints) - self.seen)


def _prepare(
    report: LoadReport,
    source_id: int,
    batch: list[Occurrence],
    known: _Known,
    workers: Workers,
    linker: linking.Linker,
) -> _Batch:
    """Fingerprint a batch, find its duplicates, and send the new certificates to be
    parsed."""
    fingerprints = [hashlib.sha256(item.der).hexdigest() for item in batch]
    present = known.stored_before(fingerprints)
    seen = known.seen
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
    db: Database,
    report: LoadReport,
    problems: _ProblemLog,
    batch: _Batch,
    progress: Progress,
    linker: linking.Linker,
) -> set[str]:
    """Store a parsed batch and its edges; return the names of new CAs."""
    results = iter(batch.parsed.get())
    cert_rows, ca_rows, occurrences, edges = [], {}, [], []
    for item, fingerprint, new in batch.items:
        if new:
            result = next(results)
            if isinstance(result, str):
                problems.add(Problem(item.location, result, kind="unparsable"))
                continue
            cert_row, ca, warnings, edge = result
            if edge is not None:
                edges.append(edge)
            cert_rows.append((*cert_row[:_DER], item.der, *cert_row[_DER + 1 :]))
            ca_rows[ca[0]] = ca
            if warnings:
                report.warnings.extend(
                    Issue(item.location, text, "parse-warning", fingerprint) for text in warnings
                )
        report.fingerprints.append(fingerprint)
        occurrences.append((batch.source_id, item.location, fingerprint))
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
    report.loaded += certificates.insert_certificates(db, cert_rows)
    certificates.insert_cas(db, new_cas)
    linker.add_cas(tuple(row[i] for i in _CANDIDATE_COLUMNS) for row in new_cas)
    report.stored += certificates.insert_occurrences(db, occurrences)
    return {row[CA_COLUMNS.index("subject_key")] for row in new_cas}
