"""Backends: where the graph lives when a query runs. The protocol, the memory backend
(networkx over the local database) and the Neo4j backend (connection, push, the named query
catalog). Both run the same analysis code, so they give the same answers.

Imports :mod:`trustgraph.analysis` and everything below it. Only
:mod:`trustgraph.backends.neo4j` speaks Cypher.
"""
