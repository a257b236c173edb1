"""Results that show themselves in Jupyter: an HTML table per result, made from the same
view the command line prints (so a notebook reads as certain as the table, caveats and
notes included), every cell's text escaped. Registered with IPython's display formatter
when trustgraph's API is used inside IPython; outside it, nothing happens."""

from __future__ import annotations

import html
import importlib
from typing import Any

from trustgraph.render.formats import Shown, Tabular
from trustgraph.render.views import RESULT_TYPES, view_of


def html_table(table: Tabular) -> str:
    """A result's table as HTML: title, rows with their caveat markers, footnotes, notes."""
    markers, footnotes = table.footnotes()
    columns = [*table.columns, *(["notes"] if footnotes else [])]

    def cell(value: Any) -> str:
        return html.escape("" if value is None else str(value))

    head = "".join(f"<th>{cell(c)}</th>" for c in columns)
    rows = "".join(
        "<tr>"
        + "".join(f"<td>{cell(v)}</td>" for v in row)
        + (f"<td>{cell(marker)}</td>" if footnotes else "")
        + "</tr>"
        for row, marker in zip(table.rows, markers, strict=True)
    )
    notes = "".join(f"<li>{cell(n)} {cell(t)}</li>" for n, t in footnotes)
    notes += "".join(f"<li>{cell(note)}</li>" for note in table.all_notes())
    return (
        f"<div><strong>{cell(table.title)}</strong><table><thead><tr>{head}</tr></thead>"
        f"<tbody>{rows or '<tr><td>(none)</td></tr>'}</tbody></table>"
        + (f"<ul>{notes}</ul>" if notes else "")
        + "</div>"
    )


def shown_html(shown: Shown) -> str:
    """A result's table, or each table of a report followed by the report's notes."""
    if isinstance(shown, Tabular):
        return html_table(shown)
    notes = "".join(f"<li>{html.escape(note)}</li>" for note in [*shown.shared, *shown.notes])
    return "".join(html_table(part) for part in shown.parts) + (
        f"<ul>{notes}</ul>" if notes else ""
    )


def result_html(result: Any) -> str | None:
    """The HTML of a query result (None for an object this module does not show)."""
    view = view_of(result)
    return shown_html(view[1]) if view else None


def register() -> None:
    """Have IPython show query results as HTML tables, when running inside IPython."""
    try:
        ipython = importlib.import_module("IPython")
    except ImportError:
        return
    shell = ipython.get_ipython()
    if shell is None:
        return
    formatter = shell.display_formatter.formatters["text/html"]
    for kind in RESULT_TYPES:
        formatter.for_type(kind, result_html)
