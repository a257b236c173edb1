"""Pieces every result view shares: references to CAs and the view type."""

from __future__ import annotations

from typing import Any

from trustgraph.graph.trustgraph import TrustGraph
from trustgraph.render.formats import Shown, Tabular

View = tuple[dict[str, Any], Shown]
"""A result as a JSON document and as rows for tables, CSV and Markdown (one table, or a
report of several)."""


def counts_table(
    title: str, counts: list[tuple[str, int]], problems: list[dict[str, str]]
) -> Tabular:
    """What reading an input did: a count per outcome, and each problem (with its location)
    as a note."""
    table = Tabular(title, ["count", "value"], [[name, value] for name, value in counts])
    table.notes.extend(f"{p['location']}: {p['reason']}" for p in problems)
    return table


def ca_ref(graph: TrustGraph, ca_id: str) -> dict[str, Any]:
    info = graph.ca(ca_id)
    return {"ca": ca_id, "subject": info.subject if info else None}
