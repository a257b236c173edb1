"""Backends: where the graph lives when a query runs. The protocol (where a query's graph
region, a cross-signs region, serial rows and check candidates come from: all that differs
between backends), the memory backend (networkx over the local database) and the Neo4j
backend (connection, push, the named query catalog). The session decides every answer from
what a backend returns with the same analysis code, so both give the same answers.

Imports :mod:`trustgraph.graph`, :mod:`trustgraph.policy`, :mod:`trustgraph.storage` and
everything below them, and of :mod:`trustgraph.analysis` only what a push precomputes for
two checks (a certificate's local issuance date, its content without notBefore); not
:mod:`trustgraph.render`. Only
:mod:`trustgraph.backends.neo4j` speaks Cypher.
"""
