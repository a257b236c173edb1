"""Foundation every layer may use: the database's time format, edge kinds, progress
reporting and where the shipped data lives.

Imports nothing of trustgraph but :mod:`trustgraph.errors` and :mod:`trustgraph.version`.
"""
