"""One question answered for several trust stores in one report: each store's answer as it
would print alone, joined under a ``store`` column (tables, Markdown, CSV) or as a list of
per-store results (JSON). A store without a snapshot that early is a row saying so."""

from __future__ import annotations

from typing import Any

from trustgraph.render.common import View
from trustgraph.render.formats import Report, Tabular, envelope

_HEADER = ("schema", "trustgraph", "query", "provenance")


def side_by_side(
    query: str,
    parameters: dict[str, Any],
    provenance: dict[str, Any],
    answers: list[tuple[str, View | None, str | None]],
) -> View:
    """The combined view of (store, its view or None, why not) answers."""
    tables = {
        store: (view[0], view[1].as_one() if isinstance(view[1], Report) else view[1])
        for store, view, _why in answers
        if view is not None
    }
    shown = list(tables.values())
    columns = shown[0][1].columns if shown else ["answer"]
    title = shown[0][1].title if len(shown) == 1 else f"{query}, store by store"
    table = Tabular(title, ["store", *columns])
    stores: list[dict[str, Any]] = []
    for store, _view, why in answers:
        view = tables.get(store)
        if view is None:
            stores.append({"store": store, "answered": False, "why": why})
            table.add([store, why or "", *[""] * (len(columns) - 1)])
            continue
        document, part = view
        stores.append(
            {"store": store, "answered": True}
            | {k: v for k, v in document.items() if k not in _HEADER}
        )
        store_notes = [f"{store}: {note}" for note in part.all_notes()]
        rows = part.rows or [["(none)", *[""] * (len(columns) - 1)]]
        caveats = part.row_caveats() or [[]]
        for index, (row, row_caveats) in enumerate(zip(rows, caveats, strict=False)):
            table.add([store, *row], (store_notes if index == 0 else []) + row_caveats)
    document = envelope(f"{query}-stores", parameters, provenance, {"stores": stores})
    return document, table
