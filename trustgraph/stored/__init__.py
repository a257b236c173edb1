"""The records analysis reads, read from the database: :class:`StoredRecords` answers
:class:`trustgraph.analysis.records.Records` from the storage layer, reading each store's
snapshots and entries, its anchors at a date, its rules, the revocations and the owner index
once and keeping them until it is told the database changed.

Imports: :mod:`trustgraph.analysis` (the interface), :mod:`trustgraph.graph`,
:mod:`trustgraph.policy`, :mod:`trustgraph.storage`, :mod:`trustgraph.core`.
"""

from trustgraph.stored.records import StoredRecords

__all__ = ["StoredRecords"]
