"""The graph: CAs as nodes and certificates as edges (networkx), built from the database;
who operates each CA; query targets; and the search context that applies the policy to
partial paths.

Imports :mod:`trustgraph.policy`, :mod:`trustgraph.storage`, :mod:`trustgraph.x509` and
:mod:`trustgraph.core`.
"""
