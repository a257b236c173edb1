"""The embedded database: one SQLite file holding everything trustgraph has loaded.

Load once, query many times: parsed certificates, CAs, issuance edges, the inputs they came
from and every input that could not be used. The networkx graph is built from it on demand.

Default location: ``$TRUSTGRAPH_DB`` if set, else ``$XDG_DATA_HOME/trustgraph/trustgraph.db``
(``~/.local/share/trustgraph/trustgraph.db``). Every command takes ``--db FILE``.

Safety: a file is written only once it is known to be a trustgraph database of this
version or an older one (which is migrated first); anything else is refused untouched.
Queries open the file read-only. Every write happens inside :meth:`Database.transaction`,
so a crash, a kill or a full disk leaves the database as it was after the last completed
transaction; loaders make each transaction a whole input.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from trustgraph.core.times import iso
from trustgraph.errors import DatabaseError, UsageError
from trustgraph.storage.schema import (
    APPLICATION_ID,
    DEFERRABLE_INDEXES,
    INDEXES,
    MIGRATIONS,
    SCHEMA,
    SCHEMA_VERSION,
)
from trustgraph.version import __version__

ReadFault = sqlite3.DatabaseError
"""What a read raises when it finds the file damaged (a corrupt page shows only when read).
Writes are translated into :class:`~trustgraph.errors.DatabaseError` already; callers that
show errors catch this too."""

MAX_VARIABLES = 900
"""Values bound in one ``IN (...)`` list: below SQLite's oldest limit of 999 variables."""

LOCK_TIMEOUT_VARIABLE = "TRUSTGRAPH_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT = 120.0
"""Seconds a writer waits for another process's write to finish."""


def default_path() -> Path:
    """Where the database lives when ``--db`` is not given (see the module docstring)."""
    explicit = os.environ.get("TRUSTGRAPH_DB")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "trustgraph" / "trustgraph.db"


MOST_LOCK_TIMEOUT = 86_400.0
"""The longest wait ``TRUSTGRAPH_LOCK_TIMEOUT`` may ask for (a day)."""


def lock_timeout() -> float:
    """How long a writer waits for another writer (``TRUSTGRAPH_LOCK_TIMEOUT`` seconds).

    Raises:
        UsageError: the variable is not a number of seconds from 0 to a day.
    """
    configured = os.environ.get(LOCK_TIMEOUT_VARIABLE, "").strip()
    if not configured:
        return DEFAULT_LOCK_TIMEOUT
    try:
        seconds = float(configured)
    except ValueError:
        seconds = math.nan
    if not 0 <= seconds <= MOST_LOCK_TIMEOUT:  # also refuses nan
        raise UsageError(
            f"{LOCK_TIMEOUT_VARIABLE}={configured[:40]!r}: give a number of seconds from 0 "
            f"to {MOST_LOCK_TIMEOUT:g}"
        )
    return seconds


CACHE_KIB = 64 * 1024
"""SQLite's page cache of a connection, in KiB."""
LOAD_CACHE_KIB = 256 * 1024
"""The page cache while loading (:meth:`Database.loading`), in KiB."""


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


class Transaction:
    """An open transaction (or savepoint, when nested); :meth:`discard` rolls it back when
    it ends instead of keeping it."""

    def __init__(self) -> None:
        self.discarded = False

    def discard(self) -> None:
        self.discarded = True


# SQLite's primary result codes (the low byte of an extended one), as sqlite3.h numbers them.
_BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB = (
    5,
    6,
    8,
    10,
    11,
    13,
    14,
    26,
)


def _disk_full(path: Path) -> bool:
    """Whether the disk of ``path`` has (almost) no room left: SQLite reports a full disk
    as an I/O error when it cannot make its shared-memory file."""
    try:
        return shutil.disk_usage(path.parent).free < (1 << 20)
    except OSError:
        return False


def _code(exc: sqlite3.Error) -> int:
    """SQLite's primary result code of an error (0 when it carries none)."""
    return int(getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF


def read_fault(exc: sqlite3.Error) -> str:
    """What a failed read means, in words, with what to do."""
    if _code(exc) in (_BUSY, _LOCKED):
        return (
            f"the database is locked by another process ({exc}); wait for it to finish, or "
            f"set {LOCK_TIMEOUT_VARIABLE} to wait longer"
        )
    return (
        f"the database cannot be read ({exc}); it may be damaged: load your inputs again "
        "into a new --db"
    )


def _damaged(path: Path, exc: sqlite3.Error) -> DatabaseError:
    """Why a database could not be opened: locked, a full disk, a read-only place, or a
    file that is damaged or not a database."""
    if _code(exc) in (_BUSY, _LOCKED):
        return DatabaseError(
            f"{path} is locked by another process, which holds it exclusively ({exc}); "
            f"wait for it to finish (or set {LOCK_TIMEOUT_VARIABLE} to wait longer)"
        )
    if _code(exc) == _FULL or (_code(exc) == _IOERR and _disk_full(path)):
        return DatabaseError(
            f"cannot write {path}: the disk is full ({exc}); free some space and run the "
            "command again"
        )
    if _code(exc) == _READONLY:
        return DatabaseError(f"cannot write {path}: it or its folder is read-only ({exc})")
    return DatabaseError(
        f"{path} cannot be read as a trustgraph database ({exc}); it may be damaged or "
        "not a database: use another {db}, or load your inputs again into a new one",
        parameters=("db",),
        value=path,
    )


class Database:
    """An open trustgraph database. Use as a context manager, or call :meth:`close`.

    ``conn`` is the SQLite connection; only the storage layer uses it.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        create: bool = True,
        readonly: bool = False,
        on_wait: Callable[[str], None] | None = None,
    ) -> None:
        """Open the database at ``path`` (or the default place): read-only, or for writing
        (with ``create``, making it if missing). ``on_wait`` is told when a write has to
        wait for another process (the CLI prints it).

        Raises:
            DatabaseError: the file is missing (and not to be created), is not a SQLite
                database, is another program's database, was written by a newer trustgraph,
                is damaged, or cannot be opened in the mode asked.
        """
        self.path = Path(path) if path is not None else default_path()
        self.readonly = readonly
        self.on_wait = on_wait
        self._depth = 0
        if (readonly or not create) and not self.path.exists():
            raise DatabaseError(
                f"no database at {self.path}; load certificates first with "
                f"`trustgraph load PATH --db {self.path}`, or give {{db}}",
                parameters=("db",),
                value=self.path,
            )
        if self.path.exists() and not self.path.is_file():
            raise DatabaseError(
                f"{self.path} is not a file; give {{db}} a database file",
                parameters=("db",),
                value=self.path,
            )
        self._check_header()
        try:
            self.conn = self._connect()
            self._check_and_migrate()
        except sqlite3.DatabaseError as exc:
            self._close_quietly()
            raise _damaged(self.path, exc) from exc
        except DatabaseError:
            self._close_quietly()
            raise

    # -- opening ------------------------------------------------------------------------

    def _check_header(self) -> None:
        """Refuse, without opening it, a file that is not SQLite or that a newer trustgraph
        wrote (opening a database can create files beside it)."""
        try:
            with self.path.open("rb") as handle:
                header = handle.read(100)
        except FileNotFoundError:
            return
        except OSError as exc:
            raise DatabaseError(f"cannot read {self.path}: {exc.strerror or exc}") from exc
        if not header:
            return
        if not header.startswith(b"SQLite format 3\0"):
            raise DatabaseError(
                f"{self.path} is not a SQLite database, so not a trustgraph database; trustgraph "
                "leaves it untouched: give {db} another file",
                parameters=("db",),
                value=self.path,
            )
        application = int.from_bytes(header[68:72], "big")
        version = int.from_bytes(header[60:64], "big")
        if application == APPLICATION_ID and version > SCHEMA_VERSION:
            raise self._newer(version)

    def _newer(self, version: int) -> DatabaseError:
        return DatabaseError(
            f"{self.path} was written by a newer trustgraph (schema {version}, this one "
            f"reads up to {SCHEMA_VERSION}); upgrade trustgraph or use another {{db}}",
            parameters=("db",),
            value=self.path,
        )

    def _connect(self) -> sqlite3.Connection:
        if self.readonly:
            return self._connect_read_only()
        if self.path.exists() and not (
            os.access(self.path, os.W_OK) and os.access(self.path.parent, os.W_OK)
        ):
            raise DatabaseError(
                f"cannot write {self.path}: the file or its folder is read-only here (it can "
                "still be queried); give a writable {db} to load into",
                parameters=("db",),
                value=self.path,
            )
        if not self.path.exists() and not self.path.parent.is_dir():
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DatabaseError(
                    f"cannot create the folder of {self.path}: {exc.strerror or exc}"
                ) from exc
        try:
            return sqlite3.connect(self.path, isolation_level=None, timeout=lock_timeout())
        except sqlite3.OperationalError as exc:
            raise DatabaseError(f"cannot open {self.path}: {exc}") from exc

    def _connect_read_only(self) -> sqlite3.Connection:
        """A read-only connection. On a read-only medium SQLite cannot make the shared
        memory file a database in WAL mode needs; a cleanly closed one (no -wal file) is then
        read as immutable."""
        uri = f"file:{self.path.resolve().as_posix()}?mode=ro"
        connection = sqlite3.connect(uri, uri=True, isolation_level=None)
        try:
            connection.execute("PRAGMA application_id").fetchone()
            return connection
        except sqlite3.OperationalError as exc:
            connection.close()
            if _code(exc) != _CANTOPEN:
                raise
        journal = Path(f"{self.path}-wal")
        if journal.exists() and journal.stat().st_size:
            raise DatabaseError(
                f"cannot read {self.path}: it is on a read-only medium and was not closed "
                f"cleanly ({journal.name} holds changes); open it once where it is writable"
            )
        return sqlite3.connect(f"{uri}&immutable=1", uri=True, isolation_level=None)

    def _check_and_migrate(self) -> None:
        version = self._identify()
        if version > SCHEMA_VERSION:
            raise self._newer(version)
        if self.readonly:
            if version < SCHEMA_VERSION:
                self._migrate_elsewhere(version)
            self.conn.execute("PRAGMA query_only=ON")
            return
        if version < SCHEMA_VERSION:
            self._upgrade(version)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute(f"PRAGMA cache_size=-{CACHE_KIB}")

    def _identify(self) -> int:
        """The schema version of the file (0: an empty file, to be initialised).

        Raises:
            DatabaseError: another program's SQLite database, or an unreadable version.
        """
        application = self.conn.execute("PRAGMA application_id").fetchone()[0]
        tables = {
            row[0]
            for row in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        if application == APPLICATION_ID:
            return int(self.conn.execute("PRAGMA user_version").fetchone()[0])
        if not tables:
            return 0
        if application == 0 and "meta" in tables and "certificates" in tables:
            # Databases of schema 1 predate the application id: their meta table says.
            row = self.conn.execute(
                "SELECT value FROM meta WHERE key = 'schema_version'"
            ).fetchone()
            if row is not None:
                try:
                    return int(row[0])
                except ValueError as exc:
                    raise DatabaseError(
                        f"{self.path} has an unreadable schema version {row[0]!r}; it is "
                        "damaged: use another {db}",
                        parameters=("db",),
                        value=self.path,
                    ) from exc
        shown = ", ".join(sorted(tables)[:6]) + (", ..." if len(tables) > 6 else "")
        raise DatabaseError(
            f"{self.path} is a SQLite database, but not trustgraph's (its tables: {shown}); "
            "trustgraph leaves it untouched: give {db} another file",
            parameters=("db",),
            value=self.path,
        )

    def _upgrade(self, version: int) -> None:
        """Create the schema in an empty file, or migrate an older one, in one transaction."""
        # Migrations fill new columns from the certificates' bytes with these.
        self.conn.create_function("tg_sha1", 1, _sha1, deterministic=True)
        with self.transaction():
            if version == 0:
                for statement in _statements(SCHEMA + INDEXES):
                    self.conn.execute(statement)
            else:
                for target in range(version + 1, SCHEMA_VERSION + 1):
                    for statement in _statements(MIGRATIONS[target]):
                        self.conn.execute(statement)
                # An interrupted load of schema 1 could leave indexes suspended.
                for statement in _statements(INDEXES):
                    self.conn.execute(statement)
            self.conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
            self.conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            self.conn.execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)",
                (str(SCHEMA_VERSION),),
            )

    def _migrate_elsewhere(self, version: int) -> None:
        """A read-only open of an older database: migrate it through a writable connection
        if the file allows, else refuse with what to do."""
        if not os.access(self.path, os.W_OK) or not os.access(self.path.parent, os.W_OK):
            raise DatabaseError(
                f"{self.path} has schema {version}, older than this trustgraph's "
                f"{SCHEMA_VERSION}, and is read-only here; open it once where it is writable "
                "(any command that loads data migrates it)"
            )
        Database(self.path, create=False).close()

    def _close_quietly(self) -> None:
        connection = getattr(self, "conn", None)
        if connection is not None:
            connection.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self.conn.close()

    def settle(self) -> None:
        """Move everything the write-ahead log holds into the database file itself, so that
        the file alone is the whole database (before it is renamed or copied: the log
        stays behind under the old name).

        Raises:
            DatabaseError: the log could not be moved (a full disk); the file alone is then
                not the whole database.
        """
        try:
            busy, _log, _moved = self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        except sqlite3.Error as exc:
            raise self._explain(exc) from exc
        if busy:
            raise DatabaseError(
                f"cannot finish {self.path}: another connection is reading it; run the command "
                "again"
            )
        log = Path(f"{self.path}-wal")
        if log.exists() and log.stat().st_size:
            raise DatabaseError(
                f"cannot finish {self.path}: its write-ahead log could not be moved into it "
                "(is the disk full?); nothing was replaced"
            )

    # -- transactions -------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """A transaction: everything written inside is kept together when the block ends,
        or nothing of it if the block raises (or calls :meth:`Transaction.discard`).
        Nested blocks are savepoints inside the outer transaction.

        Raises:
            DatabaseError: the database is read-only, or another process kept it locked
                for longer than ``TRUSTGRAPH_LOCK_TIMEOUT`` seconds.
        """
        if self.readonly:
            raise DatabaseError(f"{self.path} is open read-only")
        handle = Transaction()
        level = self._depth
        if level == 0:
            self._begin()
        else:
            self.conn.execute(f"SAVEPOINT tg{level}")
        self._depth += 1
        try:
            yield handle
        except sqlite3.Error as exc:
            self._depth -= 1
            self._rollback(level)
            raise self._explain(exc) from exc
        except BaseException:
            self._depth -= 1
            self._rollback(level)
            raise
        self._depth -= 1
        try:
            if handle.discarded:
                self._rollback(level)
            elif level == 0:
                self.conn.execute("COMMIT")
            else:
                self.conn.execute(f"RELEASE tg{level}")
        except sqlite3.Error as exc:
            self._rollback(level)
            raise self._explain(exc) from exc

    def _explain(self, exc: sqlite3.Error) -> DatabaseError:
        """A one-line error for a failed write, saying that nothing of it was kept."""
        text, code = str(exc), _code(exc)
        if code == _FULL:
            reason = "the disk is full"
            advice = "free some space and run the command again"
        elif code == _READONLY:
            reason = "the database file or its folder is read-only"
            advice = "use a writable {db}"
        elif code in (_BUSY, _LOCKED):
            reason = "another process holds the database"
            advice = f"wait for it, or set {LOCK_TIMEOUT_VARIABLE}"
        elif code in (_CORRUPT, _NOTADB):
            reason = "the database file is damaged"
            advice = "load your inputs again into a new {db}"
        else:
            reason = text
            advice = "run the command again"
        return DatabaseError(
            f"cannot write {self.path}: {reason} ({text}); nothing of this step was kept: {advice}",
            parameters=("db",),
            value=self.path,
        )

    def _begin(self) -> None:
        """Take the write lock, waiting for another writer up to the lock timeout."""
        try:
            self.conn.execute("PRAGMA busy_timeout=200")
            self.conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if _code(exc) not in (_BUSY, _LOCKED):
                raise
        timeout = lock_timeout()
        if self.on_wait is not None:
            self.on_wait(
                f"waiting for another process writing to {self.path} (up to {timeout:.0f} s; "
                f"{LOCK_TIMEOUT_VARIABLE} changes it)"
            )
        started = time.monotonic()
        try:
            self.conn.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise DatabaseError(
                f"another process kept {self.path} locked for "
                f"{time.monotonic() - started:.0f} s (a load of a large corpus can take "
                f"minutes); wait for it to finish, or set {LOCK_TIMEOUT_VARIABLE}"
            ) from exc

    def _rollback(self, level: int) -> None:
        try:
            if level == 0:
                self.conn.execute("ROLLBACK")
            else:
                self.conn.execute(f"ROLLBACK TO tg{level}")
                self.conn.execute(f"RELEASE tg{level}")
        except sqlite3.OperationalError:
            pass  # SQLite already rolled back (a full disk or I/O error ends the transaction)

    @contextmanager
    def loading(self) -> Iterator[None]:
        """A larger page cache (:data:`LOAD_CACHE_KIB`, taken only as pages are used) while
        a load writes: the indexes of a large corpus then stay in memory instead of being
        read back from the file for every insert."""
        self.conn.execute(f"PRAGMA cache_size=-{LOAD_CACHE_KIB}")
        try:
            yield
        finally:
            self.conn.execute(f"PRAGMA cache_size=-{CACHE_KIB}")

    @contextmanager
    def held_still(self) -> Iterator[None]:
        """The database unchanged while the block reads it, from this connection and from
        others (other processes included): the write lock is held, so no process commits
        until the block ends, and nothing is written.

        Raises:
            DatabaseError: the database is read-only, or another process kept it locked
                for longer than ``TRUSTGRAPH_LOCK_TIMEOUT`` seconds.
        """
        with self.transaction() as transaction:
            transaction.discard()
            yield

    def suspend_indexes(self) -> None:
        """Drop the indexes a load does not read (:data:`DEFERRABLE_INDEXES`) inside the
        current transaction: a large load inserts faster without them, and
        :meth:`restore_indexes` rebuilds each in one sort before the transaction ends (if it
        does not end, they were never dropped)."""
        for name in DEFERRABLE_INDEXES:
            self.conn.execute(f"DROP INDEX IF EXISTS {name}")

    def restore_indexes(self) -> None:
        """Recreate the indexes :meth:`suspend_indexes` dropped."""
        for statement in _statements(INDEXES):
            self.conn.execute(statement)

    def identity(self, *, create: bool = True) -> str | None:
        """A random id naming this database (made on first use unless not ``create``: None
        then), so that a Neo4j push can keep its checkpoints on the server."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'database_id'").fetchone()
        if row:
            return str(row[0])
        if not create:
            return None
        value = uuid.uuid4().hex
        with self.transaction():
            self.conn.execute("INSERT INTO meta(key, value) VALUES ('database_id', ?)", (value,))
        return value

    # -- helpers of the storage layer ----------------------------------------------------

    def insert_rows(
        self,
        table: str,
        columns: Sequence[str],
        rows: Iterable[Sequence[Any]],
        *,
        replace: bool = False,
    ) -> int:
        """Insert rows into one of the schema's tables (names are constants, not input);
        only inside a transaction. How many rows the database took."""
        self._require_transaction()
        verb = "INSERT OR REPLACE" if replace else "INSERT OR IGNORE"
        placeholders = ", ".join("?" for _ in columns)
        cursor = self.conn.executemany(
            f"{verb} INTO {table}({', '.join(columns)}) VALUES ({placeholders})", rows
        )
        return max(cursor.rowcount, 0)

    def write(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        """Run one writing statement; only inside a transaction."""
        self._require_transaction()
        return self.conn.execute(sql, params)

    def _require_transaction(self) -> None:
        if not self._depth:
            raise RuntimeError("trustgraph writes only inside Database.transaction()")

    def in_batches(
        self, sql: str, values: Iterable[Any], leading: Sequence[Any] = ()
    ) -> Iterator[tuple[Any, ...]]:
        """The rows of ``sql`` for every value, bound :data:`MAX_VARIABLES` at a time into
        its ``{marks}`` placeholder list (after the ``leading`` parameters)."""
        wanted = sorted(set(values))
        for start in range(0, len(wanted), MAX_VARIABLES):
            chunk = wanted[start : start + MAX_VARIABLES]
            query = sql.format(marks=",".join("?" for _ in chunk))
            yield from self.conn.execute(query, (*leading, *chunk))

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> int:
        """The first column of the first row of ``sql`` as an integer (0 for none)."""
        row = self.conn.execute(sql, params).fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    # -- sources -------------------------------------------------------------------------

    def add_source(self, kind: str, path: str) -> int:
        cursor = self.write(
            "INSERT INTO sources(kind, path, loaded_at, tool_version) VALUES (?, ?, ?, ?)",
            (kind, path, iso(datetime.now(UTC)), __version__),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def finish_source(self, source_id: int, summary: dict[str, Any], digest: str) -> None:
        self.write(
            "UPDATE sources SET summary = ?, digest = ? WHERE id = ?",
            (json.dumps(summary), digest, source_id),
        )

    def same_source_loaded(self, source_id: int, kind: str, path: str, digest: str) -> bool:
        """Whether a source other than ``source_id`` read exactly these bytes from ``path``
        with this version of trustgraph."""
        return (
            self.conn.execute(
                "SELECT 1 FROM sources WHERE kind = ? AND path = ? AND digest = ? AND id != ? "
                "AND tool_version = ?",
                (kind, path, digest, source_id, __version__),
            ).fetchone()
            is not None
        )

    def sources(self) -> list[SourceInfo]:
        rows = self.conn.execute(
            "SELECT id, kind, path, loaded_at, tool_version, summary FROM sources ORDER BY id"
        ).fetchall()
        return [
            SourceInfo(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]) if r[5] else {}) for r in rows
        ]

    def counts(self) -> dict[str, int]:
        """Certificates, CAs, edges by kind, recorded problems, and leaves (when any)."""
        result = {
            "certificates": self.scalar("SELECT COUNT(*) FROM certificates WHERE der IS NOT NULL"),
            "cas": self.scalar("SELECT COUNT(*) FROM cas"),
            "problems": self.scalar("SELECT COALESCE(SUM(count), 0) FROM problems"),
        }
        for kind, count in self.conn.execute("SELECT kind, COUNT(*) FROM edges GROUP BY kind"):
            result[f"edges_{kind}"] = count
        leaves = self.scalar("SELECT COUNT(*) FROM leaves")
        if leaves:
            result["leaves"] = leaves
        return result

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


def _sha1(der: bytes | None) -> str | None:
    return None if der is None else hashlib.sha1(der).hexdigest()


def _statements(script: str) -> list[str]:
    """The statements of a schema script (no statement of it contains a semicolon)."""
    body = "\n".join(line.split("--", 1)[0] for line in script.splitlines())
    return [part.strip() for part in body.split(";") if part.strip()]
