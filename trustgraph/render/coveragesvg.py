"""The coverage of trust stores as a picture: one row per store, one column per month, each
cell coloured by the age of the snapshot that stands for the store on the month's first day
(or marked as a gap, or as before the store's first snapshot). An SVG document,
self-contained, for slides and reports; PNG through
:func:`trustgraph.render.mapsvg.render_png`."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from trustgraph.core.times import parse_iso
from trustgraph.policy.coverage import MAX_AGE_DAYS, StoreCoverage

CELL = 5
ROW = 20
LABEL = 130
TOP = 44
FONT = "DejaVu Sans, Noto Sans, Arial, sans-serif"


@dataclass(frozen=True)
class Band:
    """A class of cells: its colour, and what it means."""

    colour: str
    meaning: str


BANDS = (
    Band("#1a7f37", "snapshot under 3 months (91 days) old on the month's first day"),
    Band("#7cc47f", "3 to 6 months old"),
    Band("#e3c94c", f"6 months to {MAX_AGE_DAYS} days old"),
    Band("#d1242f", "gap: no snapshot stands for the store"),
    Band("#eeeeee", "before the store's first snapshot"),
)
FRESH, AGEING, OLD, GAP, BEFORE = BANDS
FRESH_DAYS, AGEING_DAYS = 91, 183


def months(start: str, end: str) -> list[str]:
    """The first day of every month from ``start``'s to ``end``'s (ISO dates), in order."""
    year, month = int(start[:4]), int(start[5:7])
    last = (int(end[:4]), int(end[5:7]))
    found = []
    while (year, month) <= last:
        found.append(f"{year:04d}-{month:02d}-01T00:00:00Z")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def band_at(item: StoreCoverage, moment: str) -> Band:
    """The class of ``item`` at ``moment``: the age of the snapshot standing for it, a
    gap, or before its first snapshot."""
    for span in item.spans:
        if span.start <= moment < span.end:
            taken, asked = parse_iso(span.snapshot.as_of), parse_iso(moment)
            assert taken is not None and asked is not None
            age = (asked - taken).days
            return FRESH if age < FRESH_DAYS else AGEING if age < AGEING_DAYS else OLD
    if not item.spans or moment < item.spans[0].start:
        return BEFORE
    return GAP


def coverage_svg(coverages: list[StoreCoverage], start: str, today: str) -> str:
    """The picture of ``coverages`` month by month from ``start`` to ``today``."""
    columns = months(start, today)
    width = LABEL + CELL * len(columns) + 20
    height = TOP + ROW * len(coverages) + 30 + 18 * len(BANDS)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT}" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="10" y="18" font-size="14" font-weight="bold">Trust-store coverage, '
        f"{escape(columns[0][:7])} to {escape(today[:7])}</text>",
    ]
    parts += _year_ticks(columns, len(coverages))
    for row, item in enumerate(coverages):
        parts += _row(item, columns, TOP + row * ROW)
    parts += _legend(TOP + ROW * len(coverages) + 24)
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _year_ticks(columns: list[str], rows: int) -> list[str]:
    ticks = []
    for index, month in enumerate(columns):
        if month[5:7] != "01" and index != 0:
            continue
        x = LABEL + index * CELL
        ticks.append(
            f'<line x1="{x}" y1="{TOP - 4}" x2="{x}" y2="{TOP + rows * ROW}" '
            'stroke="#999999" stroke-width="0.5"/>'
        )
        if month[5:7] == "01" and int(month[:4]) % 2 == 0:
            ticks.append(f'<text x="{x}" y="{TOP - 8}" font-size="10">{month[:4]}</text>')
    return ticks


def _row(item: StoreCoverage, columns: list[str], y: int) -> list[str]:
    parts = [
        f'<text x="10" y="{y + ROW - 7}"><title>{escape(item.store)}</title>'
        f"{escape(_short(item.store))}</text>"
    ]
    run_start, run_band = 0, None
    for index, month in enumerate([*columns, None]):
        band = band_at(item, month) if month is not None else None
        if band is run_band:
            continue
        if run_band is not None:
            parts.append(_cells(item.store, run_band, columns, run_start, index, y))
        run_start, run_band = index, band
    return parts


def _cells(store: str, band: Band, columns: list[str], start: int, end: int, y: int) -> str:
    """One run of cells of a row that share a class, with a tooltip naming it."""
    last = columns[end - 1][:7]
    return (
        f'<rect x="{LABEL + start * CELL}" y="{y + 2}" width="{(end - start) * CELL}" '
        f'height="{ROW - 4}" fill="{band.colour}"><title>{escape(store)}, '
        f"{columns[start][:7]} to {last}: {escape(band.meaning)}</title></rect>"
    )


def _legend(y: int) -> list[str]:
    parts = []
    for index, band in enumerate(BANDS):
        top = y + index * 18
        parts.append(
            f'<rect x="10" y="{top}" width="14" height="12" fill="{band.colour}" '
            'stroke="#666666" stroke-width="0.5"/>'
        )
        parts.append(f'<text x="30" y="{top + 10}">{escape(band.meaning)}</text>')
    return parts


def _short(store: str, most: int = 18) -> str:
    return store if len(store) <= most else store[: most - 1] + "…"
