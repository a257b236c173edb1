"""Analysis: the questions trustgraph answers. Chains (every path), reach (which anchors,
without enumerating), timelines, distrust impact, cross-signs, reused serial numbers, the
incident checks, trust-store comparisons, what a map should show, the graph as plain
networkx data, and which clients accept the chains servers send (path building as each
client does it, over time and under a scenario).

Analysis functions take the records a question needs and a graph; they read the database
only through :class:`~trustgraph.analysis.records.Records`, the interface the session's
records answer (analysis never imports :mod:`trustgraph.storage`).

Imports :mod:`trustgraph.graph`, :mod:`trustgraph.policy`, :mod:`trustgraph.ingest` (case-file
date and name syntax), :mod:`trustgraph.x509` and :mod:`trustgraph.core`.
"""
