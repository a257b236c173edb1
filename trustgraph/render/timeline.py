"""When a target is reachable from a trust store."""

from __future__ import annotations

from typing import Any

from trustgraph.analysis.timeline import TimelineResult
from trustgraph.graph.trustgraph import TrustGraph
from trustgraph.render.common import View, ca_ref
from trustgraph.render.formats import Tabular, envelope


def timeline_view(result: TimelineResult, graph: TrustGraph, provenance: dict[str, Any]) -> View:
    intervals = [
        {
            "from": interval.start,
            "until": interval.end,
            "opened_by": [e.as_dict() for e in interval.opened_by],
            "closed_by": [e.as_dict() for e in interval.closed_by],
            "stretches": [
                {
                    "from": s.start,
                    "until": s.end,
                    "anchors": [ca_ref(graph, ca) for ca in s.anchors],
                }
                for s in interval.stretches
            ],
        }
        for interval in result.intervals
    ]
    parameters = {
        **result.rules.as_dict(),
        "target": result.target.as_dict(),
        "store": result.store,
    }
    document = envelope(
        "timeline",
        parameters,
        provenance,
        {"intervals": intervals, "count": len(intervals), "evaluated_times": result.evaluated},
    )
    table = Tabular(
        f"When {result.target.description} is reachable from {result.store}",
        ["from", "until", "anchors", "opened by", "closed by"],
    )
    for interval in result.intervals:
        anchors = sorted({graph.label(ca) for s in interval.stretches for ca in s.anchors})
        table.rows.append(
            [
                interval.start[:10],
                (interval.end or "")[:10] or "still open",
                ", ".join(anchors),
                "; ".join(e.detail for e in interval.opened_by),
                "; ".join(
                    e.detail + (f" {e.certificate[:12]}" if e.certificate else "")
                    for e in interval.closed_by
                ),
            ]
        )
    return document, table
