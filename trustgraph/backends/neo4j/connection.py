"""The connection to Neo4j, from the environment.

Connection settings come from the environment, under the names Neo4j's own tools use:
``NEO4J_URI`` (``bolt://``, ``neo4j://``, ``neo4j+s://`` for Aura and TLS clusters),
``NEO4J_USER``, ``NEO4J_PASSWORD`` and optionally ``NEO4J_DATABASE``. The password is
never printed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from trustgraph.errors import Neo4jError, UsageError


@dataclass(frozen=True)
class Neo4jSettings:
    uri: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    database: str | None = None

    @classmethod
    def from_environment(cls) -> Neo4jSettings:
        """The settings in ``NEO4J_URI``, ``NEO4J_USER``, ``NEO4J_PASSWORD``, ``NEO4J_DATABASE``.

        Raises:
            UsageError: ``NEO4J_URI`` is not set.
        """
        uri = os.environ.get("NEO4J_URI")
        if not uri:
            raise UsageError(
                "set NEO4J_URI (and NEO4J_USER and NEO4J_PASSWORD if the server "
                "needs them), e.g. NEO4J_URI=neo4j+s://xxxx.databases.neo4j.io"
            )
        return cls(
            uri,
            os.environ.get("NEO4J_USER") or None,
            os.environ.get("NEO4J_PASSWORD") or None,
            os.environ.get("NEO4J_DATABASE") or None,
        )

    def describe(self) -> str:
        """Where, and as whom, without the password."""
        who = f" as {self.user}" if self.user else ""
        where = f" (database {self.database})" if self.database else ""
        return f"{self.uri}{who}{where}"


class Neo4jGraph:
    """A connection to Neo4j. Use as a context manager, or call :meth:`close`."""

    def __init__(self, settings: Neo4jSettings) -> None:
        """Connect (lazily: the first statement fails if the server is unreachable).

        Raises:
            Neo4jError: the URI is malformed.
        """
        from neo4j import GraphDatabase

        self.settings = settings
        auth = (settings.user, settings.password or "") if settings.user else None
        try:
            # Notifications (e.g. "label does not exist yet") are advice for people writing
            # Cypher, not for trustgraph's users; errors still raise.
            self.driver = GraphDatabase.driver(
                settings.uri, auth=auth, notifications_min_severity="OFF"
            )
        except ValueError as exc:
            raise Neo4jError(f"cannot use {settings.describe()}: {exc}") from exc
        self._verified = False

    def __enter__(self) -> Neo4jGraph:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self.driver.close()

    def run(
        self, text: str, parameters: dict[str, Any] | None = None, timeout: float | None = None
    ) -> list[dict[str, Any]]:
        """Run one statement with parameters; the records as dictionaries.

        Raises:
            Neo4jError: the server is unreachable, refused the statement, or timed out.
        """
        records, _summary = self._execute(text, parameters, timeout)
        return [record.data() for record in records]

    def write(self, text: str, parameters: dict[str, Any] | None = None) -> int:
        """Run one writing statement; how many nodes, relationships, labels and properties
        it created, deleted or set.

        Raises:
            Neo4jError: the server is unreachable or refused the statement.
        """
        _records, summary = self._execute(text, parameters, None)
        counters = summary.counters
        return int(
            counters.nodes_created
            + counters.nodes_deleted
            + counters.relationships_created
            + counters.relationships_deleted
            + counters.properties_set
            + counters.labels_added
            + counters.labels_removed
        )

    def _execute(
        self, text: str, parameters: dict[str, Any] | None, timeout: float | None
    ) -> tuple[list[Any], Any]:
        from neo4j import Query
        from neo4j.exceptions import AuthError, ServiceUnavailable
        from neo4j.exceptions import Neo4jError as DriverError

        try:
            if not self._verified:
                # Once, without retries: a wrong URI fails now, not after the driver's
                # retries of every statement.
                self.driver.verify_connectivity()
                self._verified = True
            records, summary, _keys = self.driver.execute_query(
                Query(text, timeout=timeout), parameters or {}, database_=self.settings.database
            )
        except ServiceUnavailable as exc:
            raise Neo4jError(
                f"cannot reach Neo4j at {self.settings.describe()}: {exc}; is the server "
                "running and NEO4J_URI right?"
            ) from exc
        except AuthError as exc:
            raise Neo4jError(
                f"Neo4j at {self.settings.describe()} refused the credentials; check "
                "NEO4J_USER and NEO4J_PASSWORD"
            ) from exc
        except DriverError as exc:
            raise Neo4jError(f"Neo4j refused a statement: {exc.code}: {exc.message}") from exc
        return records, summary
