"""Rendering results: tables for people, JSON for scripts, CSV for spreadsheets, Markdown.

Every JSON document is self-describing: ``schema``, ``trustgraph`` (the tool version),
``parameters`` and ``provenance``. Every format carries the same facts: a row's caveats (a
revocation whose date is unknown, an edge known from metadata only, ...) are footnotes in
tables and Markdown, a ``caveats`` column in CSV and fields in JSON; a result's own notes
(a bound that cut it, ...) follow tables and Markdown and go to stderr with CSV. Tables for
people abbreviate fingerprints (CSV and JSON keep them whole) and switch to one block per
row when the terminal is too narrow for columns. Certificate text is never read as markup:
every table cell is a plain ``rich.text.Text`` with control characters escaped.
"""

from __future__ import annotations

import csv
import enum
import json
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from trustgraph.core.text import csv_cell, markdown_text, printable
from trustgraph.version import __version__

SCHEMA_VERSION = 4
"""The version of every JSON result's shape (its ``schema``): raised when one changes."""
SHOWN_DIGITS = 12
"""Hex digits of a fingerprint a table shows (the rest is one ``--format`` away)."""


class Format(enum.StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    MARKDOWN = "markdown"
    JSONL = "jsonl"


@dataclass
class Tabular:
    """A result as rows for people (table, Markdown) and spreadsheets (CSV).

    ``caveats`` holds, for each row, what a reader must know to trust it (empty when
    nothing); ``shared`` what a reader must know to trust any row (a caveat of the whole
    answer: a note in tables and Markdown, in every row's caveats in CSV); ``notes`` says
    what else holds for the whole result.
    """

    title: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    caveats: list[list[str]] = field(default_factory=list)
    section: str = ""
    """A short name for the table in a report's CSV (default: its title)."""
    shared: list[str] = field(default_factory=list)

    def add(self, row: list[Any], caveats: Sequence[str] = ()) -> None:
        self.rows.append(row)
        self.caveats.append(list(caveats))

    def row_caveats(self) -> list[list[str]]:
        """The caveats of every row (rows added without any have none)."""
        return self.caveats + [[] for _ in range(len(self.rows) - len(self.caveats))]

    def all_notes(self) -> list[str]:
        """The whole answer's caveats, then its other notes."""
        return [*self.shared, *self.notes]

    def footnotes(self) -> tuple[list[str], list[tuple[str, str]]]:
        """A marker per row (``[1,2]``) and the footnotes they refer to (``("[1]",
        text)``); one number per distinct caveat."""
        numbers: dict[str, int] = {}
        markers = []
        for items in self.row_caveats():
            distinct = list(dict.fromkeys(items))
            for item in distinct:
                numbers.setdefault(item, len(numbers) + 1)
            markers.append(",".join(str(numbers[item]) for item in distinct))
        notes = [(f"[{number}]", text) for text, number in numbers.items()]
        return [f"[{m}]" if m else "" for m in markers], notes


@dataclass
class Report:
    """A result in several tables, the first its summary: tables and Markdown show them in
    turn, CSV joins them under a ``section`` column (each part's title) with every part's
    columns. ``notes`` say what holds for the whole result and come last."""

    parts: list[Tabular]
    notes: list[str] = field(default_factory=list)
    shared: list[str] = field(default_factory=list)
    """Caveats of the whole answer (see :class:`Tabular`)."""

    @property
    def title(self) -> str:
        return self.parts[0].title if self.parts else ""

    def as_one(self) -> Tabular:
        """The parts as one table: a ``section`` column, then every part's columns in order
        of first appearance (a part leaves the others' columns empty)."""
        columns: list[str] = []
        for part in self.parts:
            columns.extend(c for c in part.columns if c not in columns)
        joined = Tabular(self.title, ["section", *columns])
        for part in self.parts:
            where = [columns.index(c) for c in part.columns]
            for row, caveats in zip(part.rows, part.row_caveats(), strict=True):
                cells: list[Any] = [""] * len(columns)
                for index, cell in zip(where, row, strict=True):
                    cells[index] = cell
                joined.add([part.section or part.title, *cells], caveats)
            joined.notes.extend(part.all_notes())
        joined.notes.extend(self.notes)
        joined.shared.extend(self.shared)
        return joined


Shown = Tabular | Report
"""What a result shows people: one table, or a report of several."""


def envelope(
    query: str, parameters: dict[str, Any], provenance: dict[str, Any], body: dict[str, Any]
) -> dict[str, Any]:
    """A JSON result document with the self-describing header."""
    return {
        "schema": f"trustgraph.{query}/{SCHEMA_VERSION}",
        "trustgraph": __version__,
        "query": query,
        "parameters": parameters,
        "provenance": provenance,
        **body,
    }


def render(
    fmt: Format | str,
    document: dict[str, Any],
    table: Shown,
    out: IO[str] | None = None,
    err: IO[str] | None = None,
) -> None:
    """Write a result in ``fmt`` to ``out`` (stdout by default); with CSV, the result's
    notes go to ``err`` (stderr by default), since a CSV file holds rows only."""
    stream = out or sys.stdout
    chosen = Format(fmt)
    if chosen is Format.JSON:
        stream.write(to_json(document) + "\n")
    elif chosen is Format.CSV:
        flat = table.as_one() if isinstance(table, Report) else table
        write_csv(flat, stream)
        for note in flat.all_notes():
            (err or sys.stderr).write(printable(f"note: {note}") + "\n")
    elif chosen is Format.MARKDOWN:
        stream.write(report_markdown(table) if isinstance(table, Report) else to_markdown(table))
    elif isinstance(table, Report):
        print_report(table, stream)
    else:
        print_table(table, stream)


def report_markdown(report: Report, heading_level: int = 3) -> str:
    """Each part of a report as a Markdown table, then the report's notes."""
    parts = [to_markdown(part, heading_level) for part in report.parts]
    notes = "".join(f"> {_markdown_cell(note)}\n" for note in [*report.shared, *report.notes])
    return "\n".join(parts) + ("\n" + notes if notes else "")


def print_report(report: Report, stream: IO[str]) -> None:
    """Each part of a report as a table, a blank line between them, then its notes."""
    for number, part in enumerate(report.parts):
        if number:
            stream.write("\n")
        print_table(part, stream)
    if report.shared or report.notes:
        stream.write("\n")
        console = Console(file=stream, highlight=False, soft_wrap=False)
        for note in [*report.shared, *report.notes]:
            console.print(Text(printable(note)))


def to_json(document: Any) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, default=str)


def write_csv(table: Tabular, stream: IO[str]) -> None:
    """CSV rows with a ``caveats`` column when any row has one (the whole answer's caveats
    are every row's); a cell that a spreadsheet could read as a formula is neutralised."""
    writer = csv.writer(stream, lineterminator="\n")
    caveats = [[*items, *table.shared] for items in table.row_caveats()]
    with_caveats = any(caveats)
    writer.writerow([*table.columns, *(["caveats"] if with_caveats else [])])
    for row, items in zip(table.rows, caveats, strict=True):
        cells = ["" if cell is None else csv_cell(cell) for cell in row]
        if with_caveats:
            cells.append(csv_cell("; ".join(items)))
        writer.writerow(cells)


def _markdown_cell(value: Any) -> str:
    return markdown_text("" if value is None else str(value))


def to_markdown(table: Tabular, heading_level: int = 3) -> str:
    """A Markdown table with footnotes for the rows' caveats; cells show certificate text
    literally (markup characters escaped, hidden characters as escapes, line breaks
    folded)."""
    markers, footnotes = table.footnotes()
    columns = [*table.columns, *(["notes"] if footnotes else [])]
    lines = [f"{'#' * heading_level} {_markdown_cell(table.title)}", ""]
    if table.rows:
        # Column names and footnote markers are trustgraph's own text; cells may not be.
        lines.append("| " + " | ".join(columns) + " |")
        lines.append("|" + "|".join("---" for _ in columns) + "|")
        for row, marker in zip(table.rows, markers, strict=True):
            cells = [_markdown_cell(cell) for cell in row] + ([marker] if footnotes else [])
            lines.append("| " + " | ".join(cells) + " |")
    else:
        lines.append("_(none)_")
    lines.append("")
    lines.extend(f"{number} {_markdown_cell(text)}  " for number, text in footnotes)
    lines.extend(f"> {_markdown_cell(note)}" for note in table.all_notes())
    return "\n".join(lines).rstrip() + "\n"


_FINGERPRINTS = re.compile(r"\b[0-9a-f]{64}\b")


def shown(value: Any) -> str:
    """A value as a table shows it: fingerprints abbreviated, hidden characters escaped."""
    text = "" if value is None else str(value)
    return printable(_FINGERPRINTS.sub(lambda m: m.group(0)[:SHOWN_DIGITS] + "…", text))


def print_table(table: Tabular, stream: IO[str]) -> None:
    """A rich table, or one block per row when the terminal is too narrow for the columns
    (or the table would be much taller than the blocks); the rows' caveats as numbered
    footnotes, then the result's notes."""
    console = Console(file=stream, highlight=False, soft_wrap=False)
    markers, footnotes = table.footnotes()
    columns = [*table.columns, *(["notes"] if footnotes else [])]
    rows = [
        [shown(cell) for cell in [*row, *([m] if footnotes else [])]]
        for row, m in zip(table.rows, markers, strict=True)
    ]
    console.print(Text(shown(table.title)))
    if not rows:
        console.print(Text("(none)"))
    widths = column_widths(console.width, columns, rows) if rows else None
    if widths and _height(rows, widths) <= 1.5 * _records_height(columns, rows, console.width):
        grid = Table(show_lines=False, show_edge=False)
        for column, width in zip(columns, widths, strict=True):
            grid.add_column(Text(column), overflow="fold", width=width)
        for row in rows:
            grid.add_row(*(Text(cell) for cell in row))
        console.print(grid)
    elif rows:
        _print_records(console, columns, rows)
    for number, text in footnotes:
        console.print(Text(f"{number} {shown(text)}"))
    # A result's notes may hold commands to copy, so their fingerprints stay whole.
    for note in table.all_notes():
        console.print(Text(printable(note)))


def _height(rows: list[list[str]], widths: list[int]) -> int:
    """About how many lines a table of these rows takes with these column widths."""
    return sum(
        max(-(-max(cell_len(cell), 1) // width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    )


def _records_height(columns: list[str], rows: list[list[str]], width: int) -> int:
    """About how many lines the same rows take as records."""
    label = max(len(column) for column in columns) + 6
    return sum(-(-(label + cell_len(cell)) // width) for row in rows for cell in row if cell)


def column_widths(width: int, columns: list[str], rows: list[list[str]]) -> list[int] | None:
    """Widths for the columns within ``width`` characters that break no word of any cell
    (None when there are none): every column as wide as its longest line if they fit, else
    as wide as its longest word plus a fair share of the room left."""
    cells = [[column, *(row[index] for row in rows)] for index, column in enumerate(columns)]
    narrowest = [
        max(cell_len(word) for cell in column for word in [*cell.split(), ""]) for column in cells
    ]
    widest = [
        max(cell_len(line) for cell in column for line in [*cell.splitlines(), ""])
        for column in cells
    ]
    # Padding on both sides of every column and a rule between columns.
    room = width - (3 * len(columns) - 1)
    if sum(widest) <= room:
        return widest
    spare = room - sum(narrowest)
    if spare < 0:
        return None
    slack = [w - n for w, n in zip(widest, narrowest, strict=True)]
    return [n + share for n, share in zip(narrowest, _fair_shares(spare, slack), strict=True)]


def _fair_shares(spare: int, wants: list[int]) -> list[int]:
    """``spare`` characters shared out so that no column gets more than it wants and the
    columns that want least are satisfied first (max-min fairness)."""
    shares = [0] * len(wants)
    pending = [i for i, want in enumerate(wants) if want > 0]
    while pending and spare > 0:
        even = spare // len(pending)
        satisfied = [i for i in pending if wants[i] <= even]
        if not satisfied:
            for rank, i in enumerate(pending):
                shares[i] = even + (1 if rank < spare - even * len(pending) else 0)
            break
        for i in satisfied:
            shares[i] = wants[i]
            spare -= wants[i]
        pending = [i for i in pending if i not in satisfied]
    return shares


def _print_records(console: Console, columns: list[str], rows: list[list[Any]]) -> None:
    """Each row as a block of ``column  value`` lines, values wrapped beside their labels."""
    grid = Table.grid(padding=(0, 2, 0, 0))
    grid.add_column(no_wrap=True)
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for number, row in enumerate(rows, start=1):
        lead = f"({number})"
        for column, value in zip(columns, row, strict=True):
            if value:
                grid.add_row(Text(lead), Text(column), Text(value))
                lead = ""
    console.print(grid)


def write_jsonl(objects: Iterable[dict[str, Any]], stream: IO[str] | None = None) -> int:
    """One JSON object per line; returns how many were written."""
    out = stream or sys.stdout
    count = 0
    for obj in objects:
        out.write(json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n")
        count += 1
    return count


def join_route(labels: Sequence[str]) -> str:
    return " > ".join(labels)
