"""The session: one object with every capability of trustgraph (see :mod:`trustgraph.session`)."""

from __future__ import annotations

from trustgraph.session.base import DatabaseLike
from trustgraph.session.clients import ClientMethods
from trustgraph.session.inputs import InputMethods
from trustgraph.session.neo4j import Neo4jMethods
from trustgraph.session.queries import QueryMethods
from trustgraph.session.views import ViewMethods

__all__ = ["DatabaseLike", "Session"]


class Session(QueryMethods, ClientMethods, ViewMethods, InputMethods, Neo4jMethods):
    """A database, its records read once, and a backend: open one with
    :func:`trustgraph.open` (a context manager), then ask it anything. What it read stays
    what it answers from until it writes, or until :meth:`refresh` (another process wrote).

    Raises (on opening):
        DatabaseError: see :class:`~trustgraph.storage.database.Database`.
        UsageError: an unknown backend name.
        Neo4jError: the neo4j backend cannot be reached or lacks its schema.
    """

    def __enter__(self) -> Session:
        return self
