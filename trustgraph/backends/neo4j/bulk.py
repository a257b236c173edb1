"""A first load of a database into an empty Neo4j with Neo4j's own offline importer.

``neo4j-admin database import full`` builds a database's store files directly from CSV,
without transactions, but only into a database that is stopped and either absent or to be
replaced. The files hold exactly what a push into an empty server writes (the same rows,
the same derived values, the revocation marks and the root flags), plus the push
checkpoints, so a later ``push`` finds the server up to date and sends only what changed
since. Neo4j Community's importer cannot create
indexes or constraints ("record format batch import does not support schema changes"), so
the first ``push`` after the server starts creates them, as it does on any server.

The importer is told to tolerate nothing (no bad row, no duplicate node, no relationship to
a missing node): an import either holds every row or fails with the importer's reason.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import shlex
import shutil
import subprocess
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from trustgraph.backends.neo4j.properties import (
    CA_PROPERTIES,
    CERTIFICATE_PROPERTIES,
    EDGE_PROPERTIES,
)
from trustgraph.backends.neo4j.push import (
    BATCH,
    _ca_rows,
    _certificate_rows,
    _edge_rows,
    revocation_marks,
)
from trustgraph.core.progress import NullProgress, Progress
from trustgraph.errors import Neo4jError, UsageError
from trustgraph.ingest.parallel import job_count, process_context
from trustgraph.storage import push as push_rows
from trustgraph.storage.database import Database

ADMIN_ENVIRONMENT = "TRUSTGRAPH_NEO4J_ADMIN"
"""A command line that runs ``neo4j-admin`` (e.g. ``java -cp ... org.neo4j.cli.AdminTool``),
for installations where it is not ``$NEO4J_HOME/bin/neo4j-admin``."""

_EDGE_ROW_ONLY = {"issuer_ca", "subject_ca", "graph", "root"}
"""Edge row fields that are not relationship properties (its ends, and what it decides)."""


@dataclass
class BulkReport:
    """What a bulk import wrote and how long each part took."""

    database: str
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def certificates_per_second(self) -> float:
        total = sum(self.seconds.values())
        return self.counts.get("certificates", 0) / total if total else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "database": self.database,
            "imported": self.counts,
            "seconds": {key: round(value, 3) for key, value in self.seconds.items()},
            "certificates_per_second": round(self.certificates_per_second),
        }


@dataclass
class ImportFiles:
    """The CSV files of one import, with what each holds."""

    directory: Path
    counts: dict[str, int] = field(default_factory=dict)
    multiline: bool = False

    def path(self, name: str) -> Path:
        return self.directory / name


def admin_command(neo4j_home: Path | None) -> list[str]:
    """How to run ``neo4j-admin``: :data:`ADMIN_ENVIRONMENT`, else the one in
    ``neo4j_home/bin``, else the one on PATH.

    Raises:
        UsageError: none of them exists.
    """
    configured = os.environ.get(ADMIN_ENVIRONMENT, "").strip()
    if configured:
        return shlex.split(configured)
    if neo4j_home is not None and (neo4j_home / "bin" / "neo4j-admin").is_file():
        return [str(neo4j_home / "bin" / "neo4j-admin")]
    found = shutil.which("neo4j-admin")
    if found:
        return [found]
    raise UsageError(
        "cannot find neo4j-admin: give --neo4j-home (the Neo4j installation, with "
        f"bin/neo4j-admin), put neo4j-admin on PATH, or set {ADMIN_ENVIRONMENT}"
    )


def bulk_import(
    db: Database,
    neo4j_home: Path,
    database: str = "neo4j",
    *,
    overwrite: bool = False,
    admin: list[str] | None = None,
    work: Path | None = None,
    progress: Progress | None = None,
) -> BulkReport:
    """Write the database as import files and build Neo4j database ``database`` of the
    installation in ``neo4j_home`` from them. The Neo4j server must be stopped; start it
    afterwards. ``overwrite`` replaces an existing database of that name (everything in it
    is lost); without it, the importer refuses one that exists.

    Raises:
        UsageError: ``neo4j_home`` is not a directory, or neo4j-admin cannot be found.
        Neo4jError: the importer failed (its output is in the message).
        DatabaseError: as :func:`write_import_files`.
    """
    if not neo4j_home.is_dir():
        raise UsageError(f"--neo4j-home {neo4j_home} is not a directory")
    command = admin if admin is not None else admin_command(neo4j_home)
    progress = progress or NullProgress()
    database_id = db.identity()
    assert database_id is not None
    report = BulkReport(database)
    with tempfile.TemporaryDirectory(prefix="trustgraph-import-", dir=work) as scratch:
        started = time.perf_counter()
        files = write_import_files(db, Path(scratch), database_id, progress)
        report.seconds["files"] = time.perf_counter() - started
        report.counts = files.counts
        started = time.perf_counter()
        run_importer(command, neo4j_home, database, files, overwrite=overwrite, progress=progress)
        report.seconds["import"] = time.perf_counter() - started
    return report


def run_importer(
    command: list[str],
    neo4j_home: Path,
    database: str,
    files: ImportFiles,
    *,
    overwrite: bool,
    progress: Progress | None = None,
) -> None:
    """Run ``neo4j-admin database import full`` on the files, its stages and their
    percentages shown on ``progress`` as it reports them.

    Raises:
        Neo4jError: the importer exited with an error, or could not be started.
    """
    arguments = [
        *command,
        "database",
        "import",
        "full",
        f"--nodes=CA={files.path('cas.csv')}",
        f"--nodes=Certificate={files.path('certificates.csv')}",
        f"--nodes=TrustgraphPush={files.path('checkpoints.csv')}",
        f"--relationships=ISSUED={files.path('issued.csv')}",
        f"--overwrite-destination={'true' if overwrite else 'false'}",
        f"--multiline-fields={'true' if files.multiline else 'false'}",
        "--bad-tolerance=0",
        "--skip-bad-relationships=false",
        "--skip-duplicate-nodes=false",
        f"--report-file={files.path('import.report')}",
        database,
    ]
    environment = {**os.environ, "NEO4J_HOME": str(neo4j_home)}
    if (neo4j_home / "conf").is_dir():
        environment.setdefault("NEO4J_CONF", str(neo4j_home / "conf"))
    try:
        returncode, tail = _follow(arguments, environment, progress or NullProgress())
    except OSError as exc:
        raise Neo4jError(f"cannot run {command[0]}: {exc}") from exc
    if returncode != 0:
        raise Neo4jError(
            f"neo4j-admin database import into {database!r} failed (exit {returncode}): "
            "the importer may have left that database's store unusable. Check that the Neo4j "
            "server is stopped and that the database is new, or replace it with --overwrite, "
            f"and run the command again. The importer said:\n{tail}"
        )


_STAGE = re.compile(r"^\((\d+)/(\d+)\) (.+?) \d{4}-\d\d-\d\d ")
_PERCENT = re.compile(r" (\d{1,3})% ")
_TAIL = 25


def _follow(
    arguments: list[str], environment: dict[str, str], progress: Progress
) -> tuple[int, str]:
    """Run the importer, turning its stage lines ("(1/4) Node import ...") and percentage
    lines into progress; its exit code and its last lines (for a failure's message).

    Raises:
        OSError: the importer could not be started.
    """
    last: deque[str] = deque(maxlen=_TAIL)
    shown = 0
    started = False
    with subprocess.Popen(
        arguments,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        errors="replace",
        env=environment,
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            last.append(line.rstrip("\n"))
            if stage := _STAGE.match(line):
                if started:
                    progress.finish()
                step, steps, name = stage.groups()
                progress.start(f"neo4j-admin import {step}/{steps}: {name}", 100)
                started, shown = True, 0
            elif started and (percent := _PERCENT.search(line)):
                reached = int(percent.group(1))
                if reached > shown:
                    progress.advance(reached - shown)
                    shown = reached
        returncode = process.wait()
    if started:
        progress.finish()
    return returncode, "\n".join(last).strip()


def write_import_files(
    db: Database, directory: Path, database_id: str, progress: Progress | None = None
) -> ImportFiles:
    """The import files of the database in ``directory`` (made if needed): ``cas.csv``,
    ``certificates.csv``, ``issued.csv`` and ``checkpoints.csv``, all of one state of the
    database: no other process can change it until they are written. A large database's
    certificates file is written by a process of its own while this one writes the others.

    Raises:
        ValueError: a value does not have its column's type (a push's rows and this
            module's columns have drifted apart).
        DatabaseError: the database is open read-only (the files are written under its
            write lock), or another process kept it locked for too long.
    """
    progress = progress or NullProgress()
    directory.mkdir(parents=True, exist_ok=True)
    files = ImportFiles(directory)
    with db.held_still():
        beside = _CertificatesBeside.start(db, files)
        try:
            roots, ends = _write_edges(db, files, progress)
            _write_cas(db, files, roots, ends, progress)
            if beside is None:
                _write_certificates(db, files, progress)
            else:
                beside.wait(files, progress)
        finally:
            if beside is not None:
                beside.close()
        _write_checkpoints(db, files, database_id)
    return files


def _write_edges(
    db: Database, files: ImportFiles, progress: Progress
) -> tuple[dict[str, list[str]], set[str]]:
    """``issued.csv``; the root certificates of each CA, and the CAs at the ends of edges."""
    roots: dict[str, list[str]] = {}
    ends: set[str] = set()
    revocations = revocation_marks(db)
    with _CsvFile(files, "issued.csv") as out:
        header = [":START_ID(CA)", ":END_ID(CA)", *_typed(EDGE_PROPERTIES)]
        out.header(header)
        for record in _stage(db, "edges", _edge_rows, progress):
            if record["root"]:
                certificates = roots.setdefault(record["subject_ca"], [])
                if record["certificate"] not in certificates:
                    certificates.append(record["certificate"])
            if not record["graph"]:
                continue
            ends.update((record["issuer_ca"], record["subject_ca"]))
            revoked_at, source = revocations.get(record["certificate"], (None, None))
            properties = {k: v for k, v in record.items() if k not in _EDGE_ROW_ONLY}
            properties.update(revoked_at=revoked_at, revocation_source=source)
            out.row(
                [record["issuer_ca"], record["subject_ca"]],
                _ordered(properties, EDGE_PROPERTIES),
                EDGE_PROPERTIES,
            )
        files.counts["edges"] = out.rows
    return roots, ends


def _write_cas(
    db: Database,
    files: ImportFiles,
    roots: dict[str, list[str]],
    ends: set[str],
    progress: Progress,
) -> None:
    """``cas.csv``: every CA row, and a bare node for each end of an edge without one
    (``ends`` is consumed)."""
    with _CsvFile(files, "cas.csv") as out:
        out.header(["id:ID(CA)", *_typed(CA_PROPERTIES)])
        for record in _stage(db, "cas", _ca_rows, progress):
            ca = record.pop("ca_id")
            ends.discard(ca)
            root_certificates = roots.get(ca)
            record["root"] = True if root_certificates else None
            record["root_certificates"] = root_certificates
            out.row([ca], _ordered(record, CA_PROPERTIES), CA_PROPERTIES)
        for ca in sorted(ends):  # ends of edges without a CA row: a push creates them bare
            out.row([ca], [None] * len(CA_PROPERTIES), CA_PROPERTIES)
        files.counts["cas"] = out.rows


def _write_certificates(db: Database, files: ImportFiles, progress: Progress) -> None:
    """``certificates.csv``."""
    with _CsvFile(files, "certificates.csv") as out:
        out.header(["sha256:ID(Certificate)", *_typed(CERTIFICATE_PROPERTIES)])
        for record in _stage(db, "certificates", _certificate_rows, progress):
            fingerprint = record.pop("sha256")
            out.row([fingerprint], _ordered(record, CERTIFICATE_PROPERTIES), CERTIFICATE_PROPERTIES)
        files.counts["certificates"] = out.rows


PARALLEL_FROM = 20_000
"""Certificates from which their file is written by a process of its own (fewer are written
faster than that process starts)."""
_POLL = 0.2


class _CertificatesBeside:
    """``certificates.csv`` written by another process while this one writes the other
    files. Deriving each certificate's values from its DER makes it the costliest file,
    about as costly as the others together. The other process opens the database read-only;
    it reads what this one reads because the caller holds the database still."""

    def __init__(self, db: Database, files: ImportFiles, total: int) -> None:
        context = process_context()
        self.total = total
        self.written = context.Value("q", 0, lock=False)
        self.pool = context.Pool(1, initializer=_share_count, initargs=(self.written,))
        self.result = self.pool.apply_async(
            _certificates_file, (str(db.path), str(files.directory))
        )

    @classmethod
    def start(cls, db: Database, files: ImportFiles) -> _CertificatesBeside | None:
        """Start writing; None when the database is small or one process is asked for."""
        if job_count() <= 1:
            return None
        total = push_rows.rows_after(db, "certificates", 0)
        return cls(db, files, total) if total >= PARALLEL_FROM else None

    def wait(self, files: ImportFiles, progress: Progress) -> None:
        """Show the other process's progress until it has written the file.

        Raises:
            ValueError: as :func:`write_import_files`.
            DatabaseError: the other process could not read the database.
        """
        progress.start("writing certificates", self.total)
        shown = 0
        while True:
            try:
                rows, multiline = self.result.get(timeout=_POLL)
                break
            except multiprocessing.TimeoutError:
                shown = self._advance(progress, shown)
        self._advance(progress, shown)
        progress.finish()
        files.counts["certificates"] = rows
        files.multiline = files.multiline or multiline

    def _advance(self, progress: Progress, shown: int) -> int:
        written = int(self.written.value)
        if written > shown:
            progress.advance(written - shown)
        return max(written, shown)

    def close(self) -> None:
        """Stop the other process (at once, if it is still writing)."""
        self.pool.terminate()
        self.pool.join()


_written: Any = None
"""In the process writing the certificates file: the count of rows it has written, shared
with the process that started it."""


def _share_count(counter: Any) -> None:
    global _written
    _written = counter


class _SharedProgress(NullProgress):
    def advance(self, amount: int) -> None:
        _written.value += amount


def _certificates_file(database: str, directory: str) -> tuple[int, bool]:
    """Write ``certificates.csv`` in another process: its rows, and whether any text spans
    lines."""
    files = ImportFiles(Path(directory))
    with Database(database, readonly=True) as db:
        _write_certificates(db, files, _SharedProgress())
    return files.counts["certificates"], files.multiline


def _write_checkpoints(db: Database, files: ImportFiles, database_id: str) -> None:
    """The push checkpoints: every row of every stage is in the import."""
    types = {"database": "string", "stage": "string", "watermark": "long"}
    with _CsvFile(files, "checkpoints.csv") as out:
        out.header(_typed(types))
        for stage in push_rows.STAGE_TABLES:
            out.row([], [database_id, stage, push_rows.last_rowid(db, stage)], types)


def _stage(
    db: Database,
    stage: str,
    read: Callable[[Database, int, int], list[tuple[int, dict[str, Any]]]],
    progress: Progress,
) -> Iterator[dict[str, Any]]:
    """A push stage's rows, all of them, in rowid order."""
    progress.start(f"writing {stage}", push_rows.rows_after(db, stage, 0))
    watermark = 0
    while rows := read(db, watermark, BATCH):
        for _rowid, record in rows:
            yield record
        watermark = rows[-1][0]
        progress.advance(len(rows))
    progress.finish()


def _typed(properties: dict[str, str]) -> list[str]:
    return [f"{name}:{kind}" for name, kind in properties.items()]


def _ordered(record: dict[str, Any], properties: dict[str, str]) -> list[Any]:
    """A record's values in column order.

    Raises:
        ValueError: the record has a field without a column.
    """
    extra = set(record) - set(properties)
    if extra:
        raise ValueError(f"no import column for {', '.join(sorted(extra))}")
    return [record.get(name) for name in properties]


class _CsvFile:
    """One import file being written, in the importer's CSV dialect."""

    def __init__(self, files: ImportFiles, name: str) -> None:
        self.files = files
        self.handle: IO[str] = open(files.path(name), "w", encoding="utf-8", newline="")  # noqa: SIM115
        self.rows = 0

    def __enter__(self) -> _CsvFile:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.handle.close()

    def header(self, columns: Iterable[str]) -> None:
        self.handle.write(",".join(columns) + "\n")

    def row(self, ids: list[str], values: list[Any], properties: dict[str, str]) -> None:
        cells = [self._text(value) for value in ids]
        cells.extend(
            self._cell(value, kind, name)
            for value, (name, kind) in zip(values, properties.items(), strict=True)
        )
        self.handle.write(",".join(cells) + "\n")
        self.rows += 1

    def _cell(self, value: Any, kind: str, name: str) -> str:
        if value is None:
            return ""
        if kind == "boolean" and isinstance(value, bool):
            return "true" if value else "false"
        if kind == "long" and isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if kind == "string" and isinstance(value, str):
            return self._text(value)
        if kind == "string[]" and isinstance(value, list):
            if any(";" in item for item in value):
                raise ValueError(f"{name}: an item contains the array delimiter ';'")
            return self._text(";".join(value))
        raise ValueError(f"{name}: {type(value).__name__} value for a {kind} column")

    def _text(self, value: str) -> str:
        if "\n" in value or "\r" in value:
            self.files.multiline = True
        return '"' + value.replace('"', '""') + '"'
