"""Neo4j: the connection (settings from the environment), pushing the database into it, the
named query catalog of ``queries/``, and the backend that runs queries there.

The only package that imports the ``neo4j`` driver or holds Cypher.
"""
