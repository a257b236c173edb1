"""Storage: the SQLite database file, its schema and migrations, and every SQL statement
trustgraph runs.

Other layers call the functions of this package's modules and get plain values, tuples and
records back; no other package speaks SQL. Imports :mod:`trustgraph.core`, errors and
version only (not the certificate parsers, so that commands that only read start fast).
"""

from trustgraph.storage.database import Database, SourceInfo, default_path

__all__ = ["Database", "SourceInfo", "default_path"]
