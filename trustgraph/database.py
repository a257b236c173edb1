"""The embedded database: one SQLite file holding everything trustgraph has loaded.

Load once, query many times: parsed certificates, CAs, issuance edges, the inputs they came
from and every input that could not be used. The networkx graph is built from it on demand.

Default location: ``$TRUSTGRAPH_DB`` if set, else ``$XDG_DATA_HOME/trustgraph/trustgraph.db``
(``~/.local/share/trustgraph/trustgraph.db``). Every command takes ``--db FILE``.
"""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from trustgraph import names
from trustgraph.certificate import CertificateRecord, ca_id
from trustgraph.errors import DatabaseError, UsageError
from trustgraph.version import __version__

SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sources (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    path TEXT NOT NULL,
    loaded_at TEXT NOT NULL,
    tool_version TEXT NOT NULL,
    summary TEXT
);
CREATE TABLE IF NOT EXISTS certificates (
    sha256 TEXT PRIMARY KEY,
    version INTEGER,
    serial TEXT,
    subject TEXT NOT NULL,
    issuer TEXT NOT NULL,
    subject_key TEXT NOT NULL,
    issuer_key TEXT NOT NULL,
    subject_cn TEXT,
    subject_o TEXT,
    issuer_cn TEXT,
    issuer_o TEXT,
    not_before TEXT,
    not_after TEXT,
    spki_sha256 TEXT,
    ca_id TEXT,
    key_algorithm TEXT,
    key_size INTEGER,
    key_curve TEXT,
    sig_oid TEXT,
    sig_name TEXT,
    sig_hash TEXT,
    is_ca INTEGER,
    path_len INTEGER,
    key_usage INTEGER,
    eku TEXT,
    name_constraints TEXT,
    san TEXT,
    ski TEXT,
    aki TEXT,
    unreadable_critical TEXT,
    parser TEXT,
    warnings TEXT,
    der BLOB  -- last: queries of the other columns then never read through it
);
DROP INDEX IF EXISTS certificates_issuer_key;
CREATE INDEX IF NOT EXISTS certificates_issuer_serial ON certificates(issuer_key, serial);
CREATE INDEX IF NOT EXISTS certificates_ca ON certificates(ca_id);
CREATE TABLE IF NOT EXISTS cas (
    ca_id TEXT PRIMARY KEY,
    subject TEXT NOT NULL,
    subject_key TEXT NOT NULL,
    subject_cn TEXT,
    subject_o TEXT,
    spki_sha256 TEXT,
    spki BLOB,
    key_algorithm TEXT,
    key_size INTEGER,
    key_curve TEXT,
    ski TEXT,
    subject_folded TEXT,
    cn_folded TEXT
);
CREATE INDEX IF NOT EXISTS cas_subject_key ON cas(subject_key);
CREATE TABLE IF NOT EXISTS edges (
    certificate TEXT PRIMARY KEY,
    issuer_ca TEXT,
    subject_ca TEXT,
    kind TEXT NOT NULL,
    reason TEXT
);
CREATE INDEX IF NOT EXISTS edges_issuer ON edges(issuer_ca);
CREATE INDEX IF NOT EXISTS edges_subject ON edges(subject_ca);
CREATE TABLE IF NOT EXISTS occurrences (
    source_id INTEGER NOT NULL,
    location TEXT NOT NULL,
    certificate TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS occurrences_certificate ON occurrences(certificate);
CREATE TABLE IF NOT EXISTS problems (
    source_id INTEGER NOT NULL,
    location TEXT NOT NULL,
    certificate TEXT,
    kind TEXT NOT NULL,
    reason TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS revocations (
    certificate TEXT,
    issuer_key TEXT,
    serial TEXT,
    revoked_at TEXT,
    no_later_than TEXT,
    source TEXT NOT NULL,
    note TEXT,
    UNIQUE (certificate, issuer_key, serial, source)
);
CREATE TABLE IF NOT EXISTS declarations (
    certificate TEXT PRIMARY KEY,
    issuer_certificate TEXT,
    same_ca_as TEXT,
    source TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS store_snapshots (
    id INTEGER PRIMARY KEY,
    store TEXT NOT NULL,
    as_of TEXT NOT NULL,
    source_kind TEXT NOT NULL,
    source_path TEXT NOT NULL,
    description TEXT,
    loaded_at TEXT NOT NULL,
    UNIQUE (store, as_of)
);
CREATE TABLE IF NOT EXISTS store_anchors (
    snapshot_id INTEGER NOT NULL,
    certificate TEXT NOT NULL,
    distrust_after TEXT,
    label TEXT,
    UNIQUE (snapshot_id, certificate)
);
CREATE TABLE IF NOT EXISTS store_blocked (
    snapshot_id INTEGER NOT NULL,
    certificate TEXT,
    issuer_key TEXT,
    serial TEXT,
    label TEXT
);
CREATE TABLE IF NOT EXISTS distrust_rules (
    id INTEGER PRIMARY KEY,
    store TEXT NOT NULL,
    subjects TEXT NOT NULL,
    not_before_after TEXT NOT NULL,
    effective TEXT NOT NULL,
    source TEXT NOT NULL,
    note TEXT,
    UNIQUE (store, subjects, not_before_after, effective)
);
CREATE TABLE IF NOT EXISTS owners (
    name TEXT PRIMARY KEY,
    aliases TEXT,
    source TEXT
);
CREATE TABLE IF NOT EXISTS ownership (
    owner TEXT NOT NULL,
    owned TEXT NOT NULL,
    start TEXT,
    until TEXT,
    source TEXT NOT NULL,
    UNIQUE (owner, owned, start)
);
CREATE TABLE IF NOT EXISTS operator_facts (
    certificate TEXT,
    organization TEXT,
    owner TEXT NOT NULL,
    basis TEXT NOT NULL,
    source TEXT NOT NULL,
    UNIQUE (certificate, organization, owner, basis)
);
"""

CERTIFICATE_COLUMNS = (
    "sha256",
    "der",
    "version",
    "serial",
    "subject",
    "issuer",
    "subject_key",
    "issuer_key",
    "subject_cn",
    "subject_o",
    "issuer_cn",
    "issuer_o",
    "not_before",
    "not_after",
    "spki_sha256",
    "ca_id",
    "key_algorithm",
    "key_size",
    "key_curve",
    "sig_oid",
    "sig_name",
    "sig_hash",
    "is_ca",
    "path_len",
    "key_usage",
    "eku",
    "name_constraints",
    "san",
    "ski",
    "aki",
    "unreadable_critical",
    "parser",
    "warnings",
)
CA_COLUMNS = (
    "ca_id",
    "subject",
    "subject_key",
    "subject_cn",
    "subject_o",
    "spki_sha256",
    "spki",
    "key_algorithm",
    "key_size",
    "key_curve",
    "ski",
    "subject_folded",
    "cn_folded",
)


# Indexes of queries, not of loading: dropped during a large load and rebuilt after it.
DEFERRABLE_INDEXES = (
    "certificates_issuer_serial",
    "certificates_ca",
    "edges_issuer",
    "edges_subject",
    "occurrences_certificate",
)


def _json_or_none(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


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


def default_path() -> Path:
    """Where the database lives when ``--db`` is not given (see the module docstring)."""
    explicit = os.environ.get("TRUSTGRAPH_DB")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "trustgraph" / "trustgraph.db"


def iso(moment: datetime | None) -> str | None:
    """The database's text form of a time: ISO 8601 in UTC with a ``Z``, to the second."""
    if moment is None:
        return None
    m = moment.astimezone(UTC)
    return f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}Z"


When = datetime | str | None


def as_iso(moment: When) -> str:
    """A query time in the database's ISO form; None means now, a bare date midnight UTC.

    Raises:
        UsageError: a string that is not a date.
    """
    if moment is None:
        moment = datetime.now(UTC)
    elif isinstance(moment, str):
        try:
            moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
        except ValueError as exc:
            raise UsageError(f"{moment!r} is not a date such as 2016-06-01") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return iso(moment) or ""


def parse_iso(text: str | None) -> datetime | None:
    """The inverse of :func:`iso`."""
    if text is None:
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class SourceInfo:
    id: int
    kind: str
    path: str
    loaded_at: str
    tool_version: str
    summary: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "path": self.path,
            "loaded_at": self.loaded_at,
            "trustgraph": self.tool_version,
            "summary": self.summary,
        }


class Database:
    """An open trustgraph database. Use as a context manager, or call :meth:`close`."""

    def __init__(self, path: str | os.PathLike[str] | None = None, *, create: bool = True) -> None:
        """Open (and with ``create``, create) the database at ``path`` or the default place.

        Raises:
            DatabaseError: the file does not exist and ``create`` is false, is not a SQLite
                database, or was written with an incompatible schema.
        """
        self.path = Path(path) if path is not None else default_path()
        if not create and not self.path.exists():
            raise DatabaseError(
                f"no database at {self.path}; load certificates first with "
                f"`trustgraph load PATH --db {self.path}`"
            )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.conn = sqlite3.connect(self.path)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            # 64 MB of page cache: indexes of a large corpus stay in memory while loading.
            self.conn.execute("PRAGMA cache_size=-65536")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise DatabaseError(f"{self.path} is not a trustgraph database: {exc}") from exc

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self.conn.close()

    def _migrate(self) -> None:
        self.conn.executescript(SCHEMA)
        row = self.conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        if row is None:
            with self.conn:
                self.conn.execute(
                    "INSERT INTO meta(key, value) VALUES ('schema_version', ?)",
                    (str(SCHEMA_VERSION),),
                )
        elif int(row[0]) > SCHEMA_VERSION:
            raise DatabaseError(
                f"{self.path} was written by a newer trustgraph (schema {row[0]}); upgrade "
                f"trustgraph or use another --db"
            )

    def suspend_indexes(self) -> None:
        """Drop the indexes a load does not read (:data:`DEFERRABLE_INDEXES`): a large load
        inserts faster without them and :meth:`restore_indexes` rebuilds each in one sort.
        Opening the database recreates any that are missing, so an interrupted load leaves
        nothing broken."""
        for name in DEFERRABLE_INDEXES:
            self.conn.execute(f"DROP INDEX IF EXISTS {name}")

    def restore_indexes(self) -> None:
        """Recreate the indexes :meth:`suspend_indexes` dropped (commits first)."""
        self.conn.commit()
        self.conn.executescript(SCHEMA)

    def identity(self) -> str:
        """A random id naming this database (made on first use), so that a Neo4j push can
        keep its checkpoints on the server."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'database_id'").fetchone()
        if row:
            return str(row[0])
        value = uuid.uuid4().hex
        with self.conn:
            self.conn.execute("INSERT INTO meta(key, value) VALUES ('database_id', ?)", (value,))
        return value

    # -- writing -------------------------------------------------------------------------

    def add_source(self, kind: str, path: str) -> int:
        cursor = self.conn.execute(
            "INSERT INTO sources(kind, path, loaded_at, tool_version) VALUES (?, ?, ?, ?)",
            (kind, path, iso(datetime.now(UTC)), __version__),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def set_source_summary(self, source_id: int, summary: dict[str, Any]) -> None:
        self.conn.execute(
            "UPDATE sources SET summary=? WHERE id=?", (json.dumps(summary), source_id)
        )

    def insert_rows(
        self,
        table: str,
        columns: Sequence[str],
        rows: Iterable[Sequence[Any]],
        *,
        replace: bool = False,
    ) -> None:
        """Insert rows into one of this module's tables (names are constants, not input)."""
        verb = "INSERT OR REPLACE" if replace else "INSERT OR IGNORE"
        placeholders = ", ".join("?" for _ in columns)
        self.conn.executemany(
            f"{verb} INTO {table}({', '.join(columns)}) VALUES ({placeholders})", rows
        )

    # -- reading -------------------------------------------------------------------------

    def existing_fingerprints(self, fingerprints: Iterable[str]) -> set[str]:
        """Which of these certificate fingerprints already have bytes in the database."""
        found: set[str] = set()
        batch: list[str] = []
        for fingerprint in fingerprints:
            batch.append(fingerprint)
            if len(batch) == 900:
                found.update(self._present(batch))
                batch = []
        if batch:
            found.update(self._present(batch))
        return found

    def _present(self, batch: list[str]) -> Iterator[str]:
        marks = ",".join("?" for _ in batch)
        for (fingerprint,) in self.conn.execute(
            f"SELECT sha256 FROM certificates WHERE der IS NOT NULL AND sha256 IN ({marks})",
            batch,
        ):
            yield fingerprint

    def sources(self) -> list[SourceInfo]:
        rows = self.conn.execute(
            "SELECT id, kind, path, loaded_at, tool_version, summary FROM sources ORDER BY id"
        ).fetchall()
        return [
            SourceInfo(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]) if r[5] else {}) for r in rows
        ]

    def counts(self) -> dict[str, int]:
        """Certificates, CAs, edges by kind, and recorded problems."""
        result = {
            "certificates": self._scalar("SELECT COUNT(*) FROM certificates WHERE der IS NOT NULL"),
            "cas": self._scalar("SELECT COUNT(*) FROM cas"),
            "problems": self._scalar("SELECT COUNT(*) FROM problems"),
        }
        for kind, count in self.conn.execute("SELECT kind, COUNT(*) FROM edges GROUP BY kind"):
            result[f"edges_{kind}"] = count
        return result

    def _scalar(self, sql: str, params: Sequence[Any] = ()) -> int:
        row = self.conn.execute(sql, params).fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    def provenance(self) -> dict[str, Any]:
        """The data behind a result: the database file and the sources loaded into it."""
        return {
            "database": str(self.path),
            "sources": [
                {
                    "kind": s.kind,
                    "path": s.path,
                    "loaded_at": s.loaded_at,
                    "certificates": s.summary.get("certificates_new"),
                }
                for s in self.sources()
            ],
        }
