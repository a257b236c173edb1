"""What every part of a session shares: the open database, its records (read once), the
backend, and the rule that only a session opened for writing writes."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import TYPE_CHECKING, Any

from trustgraph.core.progress import NullProgress, Progress
from trustgraph.errors import Neo4jError, UsageError
from trustgraph.storage.database import Database, SourceInfo
from trustgraph.stored import StoredRecords

if TYPE_CHECKING:
    from trustgraph.backends.base import Backend
    from trustgraph.graph.trustgraph import TrustGraph

DatabaseLike = Database | str | os.PathLike[str]
"""An open database, or the path of one."""

BACKENDS = ("memory", "neo4j")


class SessionBase:
    """One database (opened for the session, or given open), its records and a backend.

    ``write``/``create``: open the database for writing (making it when missing);
    ``graph``: a whole graph already built, for many queries; ``progress``: told of long
    work; ``on_wait``: told when a write waits for another process; ``on_note``: told what
    the session notices (else kept in ``notes``).

    Raises (on opening):
        DatabaseError: see :class:`~trustgraph.storage.database.Database`.
        UsageError: an unknown backend name.
        Neo4jError: the neo4j backend cannot be reached or lacks its schema.
    """

    def __init__(
        self,
        db: DatabaseLike | None = None,
        *,
        backend: str | Backend = "memory",
        write: bool = False,
        create: bool = False,
        graph: TrustGraph | None = None,
        progress: Progress | None = None,
        on_wait: Callable[[str], None] | None = None,
        on_note: Callable[[str], None] | None = None,
    ) -> None:
        if isinstance(backend, str) and backend not in BACKENDS:
            raise UsageError(
                f"{{backend}} is {' or '.join(BACKENDS)}, not {backend!r}",
                parameters=("backend",),
                value=backend,
            )
        self.progress: Progress = progress or NullProgress()
        self.notes: list[str] = []
        """What the session noticed on the way (a Neo4j server behind the database, edges
        an interrupted load of an older trustgraph left undecided), when no ``on_note``
        hears it."""
        self.tell: Callable[[str], None] = on_note or self.notes.append
        self._closers: list[Callable[[], None]] = []
        self._owned = not isinstance(db, Database)
        if isinstance(db, Database):
            self.database = db
        else:
            readonly = not (write or create)
            self.database = Database(db, create=create, readonly=readonly, on_wait=on_wait)
        self.records = StoredRecords(self.database)
        if self._owned and self.database.readonly:
            self._warn_if_unfinished()  # once per database opened, not per call on one
        self._graph = graph
        self._graph_given = graph is not None
        self._backend_choice = backend
        try:
            self.backend = self._open_backend(backend)
        except BaseException:
            self.close()
            raise

    # -- lifetime ------------------------------------------------------------------------

    def __enter__(self) -> Any:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the backend's connection, and the database if the session opened it."""
        while self._closers:
            self._closers.pop()()
        if self._owned:
            self.database.close()

    # -- the database --------------------------------------------------------------------

    @property
    def path(self) -> str:
        return str(self.database.path)

    @property
    def readonly(self) -> bool:
        return self.database.readonly

    def provenance(self) -> dict[str, Any]:
        """What the database says of its sources (every answer's ``database`` part)."""
        return self.database.provenance()

    def counts(self) -> dict[str, int]:
        """How many certificates, CAs, edges of each kind and problems it holds."""
        return self.database.counts()

    def sources(self) -> list[SourceInfo]:
        """The sources loaded, in order."""
        return self.database.sources()

    @contextmanager
    def writing(self, what: str) -> Iterator[Database]:
        """The database, to write ``what``; what the session kept is read again after.

        Raises:
            UsageError: the session was opened read-only.
        """
        if self.database.readonly:
            raise UsageError(
                f"this session is read-only: open it with write=True to {what}",
                parameters=("write",),
            )
        try:
            yield self.database
        finally:
            self.refresh()

    def refresh(self) -> None:
        """Read the database again from the next question on: what the session kept (its
        records, the whole graph it built) may be out of date, because it wrote or another
        process did. A graph given to the session stays."""
        self.records.forget()
        if not self._graph_given:
            self._graph = None
            if self._backend_choice == "memory":
                self.backend = self._open_backend("memory")

    def _warn_if_unfinished(self) -> None:
        """Say so when the database holds issuance edges an interrupted load of an older
        trustgraph left undecided (this version never commits such a state)."""
        from trustgraph.storage.edges import stale_unlinked

        stale = stale_unlinked(self.database, limit=1000)
        if stale:
            self.tell(
                f"warning: {len(stale)}{'+' if len(stale) == 1000 else ''} certificates in "
                f"{self.database.path} have no issuance edge although a CA with their issuer's "
                "name is loaded (left by an interrupted load of an older trustgraph); answers "
                "may miss paths until you run `trustgraph load` again with the same inputs"
            )

    # -- the backend ---------------------------------------------------------------------

    def _open_backend(self, backend: str | Backend) -> Backend:
        if not isinstance(backend, str):
            return backend
        if backend == "memory":
            from trustgraph.backends.memory import MemoryBackend

            return MemoryBackend(self.database, self._graph, self.progress)
        return self._open_neo4j()

    def _open_neo4j(self) -> Backend:
        from trustgraph.backends.neo4j.backend import Neo4jBackend
        from trustgraph.backends.neo4j.connection import Neo4jGraph, Neo4jSettings
        from trustgraph.backends.neo4j.push import MISSING_SCHEMA, missing_constraints, pending

        settings = Neo4jSettings.from_environment()
        neo = Neo4jGraph(settings).__enter__()
        self._closers.append(lambda: neo.__exit__(None, None, None))
        if missing_constraints(neo):
            raise Neo4jError(f"{MISSING_SCHEMA} (Neo4j at {settings.describe()})")
        behind = {stage: n for stage, n in pending(self.database, neo).items() if n}
        if behind:
            self.tell(
                f"warning: Neo4j at {settings.describe()} lacks {behind} of the database; "
                "run `trustgraph neo4j push` for answers about all of it"
            )
        return Neo4jBackend(neo)

    def whole_graph(self) -> TrustGraph:
        """The whole trust graph of the database (built once per session)."""
        if self._graph is None:
            self._graph = self.records.whole_graph()
        return self._graph
