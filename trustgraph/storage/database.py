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

from trustgraph.core.times import iso
from trustgraph.errors import DatabaseError
from trustgraph.storage.schema import DEFERRABLE_INDEXES, SCHEMA, SCHEMA_VERSION
from trustgraph.version import __version__

MAX_VARIABLES = 900
"""Values bound in one ``IN (...)`` list: below SQLite's oldest limit of 999 variables."""


def default_path() -> Path:
    """Where the database lives when ``--db`` is not given (see the module docstring)."""
    explicit = os.environ.get("TRUSTGRAPH_DB")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "trustgraph" / "trustgraph.db"


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
    """An open trustgraph database. Use as a context manager, or call :meth:`close`.

    ``conn`` is the SQLite connection; only the storage layer uses it.
    """

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

    def commit(self) -> None:
        """Make everything written so far durable."""
        self.conn.commit()

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

    # -- helpers of the storage layer ----------------------------------------------------

    def insert_rows(
        self,
        table: str,
        columns: Sequence[str],
        rows: Iterable[Sequence[Any]],
        *,
        replace: bool = False,
    ) -> None:
        """Insert rows into one of the schema's tables (names are constants, not input)."""
        verb = "INSERT OR REPLACE" if replace else "INSERT OR IGNORE"
        placeholders = ", ".join("?" for _ in columns)
        self.conn.executemany(
            f"{verb} INTO {table}({', '.join(columns)}) VALUES ({placeholders})", rows
        )

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
            "certificates": self.scalar("SELECT COUNT(*) FROM certificates WHERE der IS NOT NULL"),
            "cas": self.scalar("SELECT COUNT(*) FROM cas"),
            "problems": self.scalar("SELECT COUNT(*) FROM problems"),
        }
        for kind, count in self.conn.execute("SELECT kind, COUNT(*) FROM edges GROUP BY kind"):
            result[f"edges_{kind}"] = count
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
