"""Render: results for people and programs. Tables, JSON, CSV and Markdown of every
result (one store's or several side by side), HTML tables for notebooks, the bulk
JSON-lines export, the graph in other tools' formats (GraphML, GEXF, Cytoscape.js, DOT,
BloodHound OpenGraph), and the self-contained HTML map.

Imports :mod:`trustgraph.analysis` and everything below it (not backends: renderers get
results, not connections; not :mod:`trustgraph.storage`: renderers get records).
"""
