"""Analysis: the questions trustgraph answers. Chains (every path), reach (which anchors,
without enumerating), timelines, distrust impact, cross-signs, reused serial numbers, the
incident checks, trust-store comparisons, what a map should show, and the graph as plain
networkx data.

Imports :mod:`trustgraph.graph`, :mod:`trustgraph.policy`, :mod:`trustgraph.ingest` (case-file
date and name syntax), :mod:`trustgraph.storage`, :mod:`trustgraph.x509` and
:mod:`trustgraph.core`.
"""
