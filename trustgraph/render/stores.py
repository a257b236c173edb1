"""Trust-store snapshots listed and compared."""

from __future__ import annotations

from typing import Any

from trustgraph.analysis.stores import StoreDiff
from trustgraph.render.common import View
from trustgraph.render.formats import Tabular, envelope
from trustgraph.storage.trust import Snapshot


def store_list_view(
    snapshots: list[Snapshot], counts: dict[int, int], provenance: dict[str, Any]
) -> View:
    items = [{**s.as_dict(), "anchors": counts.get(s.id, 0)} for s in snapshots]
    document = envelope("store-list", {}, provenance, {"snapshots": items})
    table = Tabular(
        "Trust-store snapshots",
        ["store", "as of", "anchors", "kind", "source"],
        [
            [s.store, s.as_of[:10], counts.get(s.id, 0), s.source_kind, s.source_path]
            for s in snapshots
        ],
    )
    return document, table


def store_diff_view(result: StoreDiff, provenance: dict[str, Any]) -> View:
    document = envelope("store-diff", {"store": result.store}, provenance, result.as_dict())
    table = Tabular(
        f"Store {result.store}: {result.first.as_of[:10]} -> "
        f"{result.second.as_of[:10]} ({len(result.added)} added, "
        f"{len(result.removed)} removed)",
        ["change", "anchor", "certificates"],
    )
    for change, items in (("added", result.added), ("removed", result.removed)):
        table.rows.extend(
            [change, item["subject"], " ".join(item["certificates"])] for item in items
        )
    return document, table
