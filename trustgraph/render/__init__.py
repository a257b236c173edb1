"""Render: results for people and programs. Tables, JSON, CSV and Markdown of every
result, the bulk JSON-lines export, and the self-contained HTML map.

Imports :mod:`trustgraph.analysis` and everything below it (not backends: renderers get
results, not connections).
"""
