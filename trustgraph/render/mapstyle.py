"""How a map looks, the same in the interactive page and the static pictures: colours,
legend, and which labels to draw so that no two overlap.

Operators drawn together get distinct colours: ranked by prominence in the map (most CAs
first, then by normalised name, so the same view always gets the same colours), the first
twelve take the palette's colours in turn (twelve colours from Paul Tol's colour-blind safe
"muted", "light" and "bright" schemes, and a brown), and the rest share one grey that the
legend names "other operators", so no two operators ever look alike. No operator colour is
the highlight's or a certificate state's.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

OPERATOR_PALETTE = (
    "#332288",
    "#88ccee",
    "#44aa99",
    "#117733",
    "#999933",
    "#ddcc77",
    "#882255",
    "#aa4499",
    "#bbcc33",
    "#ffaabb",
    "#4477aa",
    "#aa7744",
)
UNKNOWN_OPERATOR = "#aaaaaa"
OTHER_OPERATORS = "#dddddd"
"""The colour of the operators beyond the palette's twelve in one map."""
HIGHLIGHT = "#ee7733"
CLOSED = "#cc3311"
"""Paths a scenario closes (impact maps)."""
DISTRUSTED = "#cc3311"
"""The ring around an anchor a scenario distrusts."""
ANCHOR_RING = "#222222"
STATES = {
    "valid": "#666666",
    "valid, revocation date unknown": "#b8860b",
    "revoked": "#cc3311",
    "not yet valid": "#cccccc",
    "expired": "#cccccc",
    "hash refused": "#cccccc",
    "unusable": "#cccccc",
    "excluded": "#cccccc",
}
STATE_TEXT = {
    "valid": "usable",
    "valid, revocation date unknown": "usable, but revoked at an unknown date",
    "revoked": "revoked",
    "not yet valid": "not yet valid",
    "expired": "expired",
    "hash refused": "signature hash no longer accepted",
    "unusable": "unusable (unreadable critical extension)",
    "excluded": "excluded by the rules of the map",
}


def operator_colours(counts: dict[str, int], unknown: str | None = None) -> dict[str, str]:
    """The colour of each operator of a map, from how many of its CAs the map draws
    (``counts`` by normalised name; ``unknown``: the key of CAs of no known operator)."""
    ranked = sorted((key for key in counts if key != unknown), key=lambda k: (-counts[k], k))
    colours = {
        key: OPERATOR_PALETTE[rank] if rank < len(OPERATOR_PALETTE) else OTHER_OPERATORS
        for rank, key in enumerate(ranked)
    }
    if unknown in counts:
        colours[unknown] = UNKNOWN_OPERATOR
    return colours


@dataclass(frozen=True)
class LegendEntry:
    """One line of a legend: a mark (``node``, ``ring``, ``line``) in a colour, and what it
    means."""

    mark: str
    colour: str
    text: str
    width: float = 2.0

    def as_dict(self) -> dict[str, object]:
        return {"mark": self.mark, "colour": self.colour, "text": self.text, "width": self.width}


def fixed_legend(mode: str) -> list[LegendEntry]:
    """The legend entries that do not depend on the operators drawn."""
    entries = [LegendEntry("ring", ANCHOR_RING, "trust anchor of a store at the date")]
    if mode == "impact":
        entries += [
            LegendEntry("ring", DISTRUSTED, "anchor the scenario distrusts"),
            LegendEntry("line", HIGHLIGHT, "surviving way in", 4),
            LegendEntry("line", CLOSED, "path the scenario closes", 3),
        ]
    elif mode in ("chains", "ways"):
        entries.append(LegendEntry("line", HIGHLIGHT, "highlighted path at the date", 4))
    entries += [
        LegendEntry("line", STATES["valid"], "certificate usable at the date"),
        LegendEntry(
            "line",
            STATES["valid, revocation date unknown"],
            STATE_TEXT["valid, revocation date unknown"],
        ),
        LegendEntry("line", STATES["revoked"], "revoked"),
        LegendEntry("line", STATES["expired"], "not usable (expired, not yet valid, ...)"),
    ]
    return entries


def text_width(text: str, size: float) -> float:
    """About how wide ``text`` is in a sans-serif font of ``size`` pixels: wide (CJK)
    characters count one em, others about 0.58 em."""
    return sum(size if unicodedata.east_asian_width(c) in "WF" else size * 0.58 for c in text)


@dataclass(frozen=True)
class Label:
    key: str
    text: str
    x: float
    y: float
    importance: float


def place_labels(
    labels: Iterable[Label], size: float, width: float, height: float, limit: int = 400
) -> list[tuple[Label, tuple[float, float, float, float]]]:
    """The labels to draw, most important first, each with its box (left, top, right,
    bottom) to the right of its point: a label is drawn only where it overlaps no label
    already placed and stays inside ``width`` x ``height``."""
    cell = size * 4
    grid: dict[tuple[int, int], list[tuple[float, float, float, float]]] = {}
    placed: list[tuple[Label, tuple[float, float, float, float]]] = []
    for label in sorted(labels, key=lambda item: (-item.importance, item.key)):
        if len(placed) >= limit:
            break
        left, top = label.x + size * 0.6, label.y - size * 0.6
        box = (left, top, left + text_width(label.text, size), top + size * 1.2)
        if box[0] < 0 or box[1] < 0 or box[2] > width or box[3] > height:
            continue
        cells = [
            (cx, cy)
            for cx in range(int(box[0] // cell), int(box[2] // cell) + 1)
            for cy in range(int(box[1] // cell), int(box[3] // cell) + 1)
        ]
        if any(_overlap(box, other) for c in cells for other in grid.get(c, ())):
            continue
        for c in cells:
            grid.setdefault(c, []).append(box)
        placed.append((label, box))
    return placed


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
