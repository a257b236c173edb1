"""Rendering results: tables for people, JSON for scripts, CSV for spreadsheets, Markdown.

Every JSON document is self-describing: ``schema``, ``trustgraph``
(the tool version), ``parameters`` and ``provenance``. Terminal tables never interpret
certificate text as rich markup: every cell is a plain ``rich.text.Text``.
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

from rich.console import Console
from rich.table import Table
from rich.text import Text

from trustgraph.core.text import csv_cell, markdown_text, printable
from trustgraph.version import __version__

SCHEMA_VERSION = 1


class Format(enum.StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    MARKDOWN = "markdown"
    JSONL = "jsonl"


@dataclass
class Tabular:
    """A result as rows for people (table, Markdown) and spreadsheets (CSV)."""

    title: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


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
    fmt: Format, document: dict[str, Any], table: Tabular, out: IO[str] | None = None
) -> None:
    """Write a result in ``fmt`` to ``out`` (stdout by default)."""
    stream = out or sys.stdout
    if fmt is Format.JSON:
        stream.write(to_json(document) + "\n")
    elif fmt is Format.CSV:
        write_csv(table, stream)
    elif fmt is Format.MARKDOWN:
        stream.write(to_markdown(table))
    else:
        print_table(table, stream)


def to_json(document: Any) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, default=str)


def write_csv(table: Tabular, stream: IO[str]) -> None:
    """CSV rows; a cell that a spreadsheet could read as a formula is neutralised."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow(["" if cell is None else csv_cell(cell) for cell in row])


def _markdown_cell(value: Any) -> str:
    return markdown_text("" if value is None else str(value))


def to_markdown(table: Tabular, heading_level: int = 3) -> str:
    """A Markdown table; cells show certificate text literally (markup characters escaped,
    hidden characters as escapes, line breaks folded)."""
    lines = [f"{'#' * heading_level} {_markdown_cell(table.title)}", ""]
    if table.rows:
        lines.append("| " + " | ".join(_markdown_cell(c) for c in table.columns) + " |")
        lines.append("|" + "|".join("---" for _ in table.columns) + "|")
        lines.extend(
            "| " + " | ".join(_markdown_cell(cell) for cell in row) + " |" for row in table.rows
        )
    else:
        lines.append("_(none)_")
    lines.extend(["", *(f"> {_markdown_cell(note)}" for note in table.notes)])
    return "\n".join(lines).rstrip() + "\n"


_FINGERPRINT = re.compile(r"^[0-9a-f]{64}$")


def _cell(value: Any) -> Text:
    """A table cell as literal text; a bare SHA-256 is shortened (JSON and CSV keep it)."""
    text = "" if value is None else str(value)
    if _FINGERPRINT.match(text):
        text = text[:16] + "…"
    return Text(printable(text))


def print_table(table: Tabular, stream: IO[str]) -> None:
    """A rich table; certificate text is never read as rich markup, and its control and
    bidirectional characters are shown as escapes."""
    console = Console(file=stream, highlight=False, soft_wrap=False)
    grid = Table(title=Text(printable(table.title)), show_lines=False, title_justify="left")
    for column in table.columns:
        grid.add_column(Text(column), overflow="fold")
    for row in table.rows:
        grid.add_row(*(_cell(cell) for cell in row))
    if table.rows:
        console.print(grid)
    else:
        console.print(Text(printable(f"{table.title}: none")))
    for note in table.notes:
        console.print(Text(printable(note)))


def write_jsonl(objects: Iterable[dict[str, Any]], stream: IO[str] | None = None) -> int:
    """One JSON object per line; returns how many were written."""
    out = stream or sys.stdout
    count = 0
    for obj in objects:
        out.write(json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n")
        count += 1
    return count


def short(fingerprint: str | None, digits: int = 12) -> str:
    return "" if not fingerprint else fingerprint[:digits]


def join_route(labels: Sequence[str]) -> str:
    return " > ".join(labels)
