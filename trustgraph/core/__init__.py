"""Foundation every layer may use: the database's time format, edge kinds, the records
storage returns (snapshots, leaf sources, serial groups), the bounds of a query, progress
reporting and where the shipped data lives.

Imports nothing of trustgraph but :mod:`trustgraph.errors` and :mod:`trustgraph.version`.
"""
