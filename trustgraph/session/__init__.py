"""A session over one database: every capability of trustgraph as a method of
:class:`Session` (load, trust stores, owners, case files, fetch, Firefox's lists, CT leaves,
chains, reach, timeline, impact, clients, cross-signs, serials, check, graph, export, maps,
Neo4j), the database's records read once and shared by its queries, one backend for the
graph.

Imports every layer below it: :mod:`trustgraph.demo` (for the case's map), :mod:`trustgraph.render`
(a map's page), :mod:`trustgraph.backends`, :mod:`trustgraph.stored`,
:mod:`trustgraph.analysis`, :mod:`trustgraph.graph`, :mod:`trustgraph.ingest`,
:mod:`trustgraph.policy`, :mod:`trustgraph.storage`, :mod:`trustgraph.core` and
:mod:`trustgraph.errors`.
"""

from trustgraph.session.session import DatabaseLike, Session

__all__ = ["DatabaseLike", "Session"]
