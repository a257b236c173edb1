"""A session's database in Neo4j: push it (by transactions, or by the offline bulk
importer into a new Neo4j database) and say how far Neo4j is behind it. The connection
comes from NEO4J_URI, NEO4J_USER and NEO4J_PASSWORD."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trustgraph.errors import UsageError
from trustgraph.session.base import SessionBase

if TYPE_CHECKING:
    from trustgraph.backends.neo4j.bulk import BulkReport
    from trustgraph.backends.neo4j.push import PushReport


@dataclass(frozen=True)
class Neo4jStatus:
    """How Neo4j stands against the database: rows held per stage, rows not pushed, the
    constraints a push would create that it lacks."""

    target: str
    held: dict[str, int]
    not_pushed: dict[str, int]
    missing_constraints: list[str]
    missing_schema: str
    """What to say when constraints are missing."""

    @property
    def behind(self) -> bool:
        return any(self.not_pushed.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "held": self.held,
            "not_pushed": self.not_pushed,
            "missing_constraints": self.missing_constraints,
        }


@dataclass(frozen=True)
class BulkTarget:
    """Where a bulk import goes: the Neo4j installation and the database in it."""

    home: Path
    database: str

    @classmethod
    def choose(cls, home: str | os.PathLike[str] | None, database: str | None) -> BulkTarget:
        """``home`` (default: $NEO4J_HOME) and ``database`` (default: $NEO4J_DATABASE, else
        neo4j).

        Raises:
            UsageError: no installation given or set.
        """
        found = home or os.environ.get("NEO4J_HOME") or None
        if found is None:
            raise UsageError(
                "{bulk} needs the Neo4j installation: give {neo4j_home} or set NEO4J_HOME",
                parameters=("bulk", "neo4j_home"),
            )
        return cls(Path(found), database or os.environ.get("NEO4J_DATABASE") or "neo4j")


class Neo4jMethods(SessionBase):
    """The session's database pushed to Neo4j."""

    def neo4j_push(self, *, restart: bool = False, batch: int = 5000) -> PushReport:
        """Push the database into Neo4j: idempotent, and resumes after an interruption
        (``restart``: ignore the checkpoints of earlier pushes).

        Raises:
            Neo4jError: the server failed; UsageError: the session is read-only.
        """
        from trustgraph.backends.neo4j.connection import Neo4jGraph, Neo4jSettings
        from trustgraph.backends.neo4j.push import push

        with (
            self.writing("push to Neo4j") as db,
            Neo4jGraph(Neo4jSettings.from_environment()) as neo,
        ):
            self.tell(f"pushing {db.path} to {neo.settings.describe()}")
            return push(db, neo, self.progress, restart=restart, batch=batch)

    def neo4j_bulk(self, target: BulkTarget, *, overwrite: bool = False) -> BulkReport:
        """Build a new Neo4j database from the whole database in one offline import (the
        server stopped; ``overwrite`` replaces that database if it exists).

        Raises:
            Neo4jError: the importer failed; UsageError: the session is read-only.
        """
        from trustgraph.backends.neo4j.bulk import bulk_import

        with self.writing("bulk-import into Neo4j") as db:
            self.tell(
                f"importing {db.path} into database {target.database} of {target.home} (offline)"
            )
            return bulk_import(
                db, target.home, target.database, overwrite=overwrite, progress=self.progress
            )

    def neo4j_status(self) -> Neo4jStatus:
        """Whether Neo4j is up to date with the database.

        Raises:
            Neo4jError: the server cannot be reached.
        """
        from trustgraph.backends.neo4j.connection import Neo4jGraph, Neo4jSettings
        from trustgraph.backends.neo4j.push import (
            MISSING_SCHEMA,
            held,
            missing_constraints,
            pending,
        )

        with Neo4jGraph(Neo4jSettings.from_environment()) as neo:
            return Neo4jStatus(
                neo.settings.describe(),
                held(neo),
                pending(self.database, neo),
                missing_constraints(neo),
                MISSING_SCHEMA,
            )
