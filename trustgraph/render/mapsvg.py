"""Static pictures of a map for slides: the page's opening view (same layout, colours,
collapsed operators, labels that do not overlap, highlighted paths at the map's date) with
its legend, as SVG, or as PNG through cairosvg when it is installed.

Certificate text goes into the SVG as escaped character data only.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from trustgraph.errors import UsageError
from trustgraph.render.mapstyle import OPERATOR_PALETTE, Label, place_labels, text_width

WIDTH, HEIGHT, LEGEND, TITLE = 1600, 1000, 330, 44
FONT = 12
NODE, ROOT = 3.0, 4.5


def _state(edge: dict[str, Any], day: str) -> str:
    current = edge["states"][0][1]
    for start, name in edge["states"][1:]:
        if start <= day:
            current = name
    return str(current)


def _usable(name: str) -> bool:
    return name in ("valid", "valid, revocation date unknown")


def _anchor(node: dict[str, Any], day: str) -> bool:
    return bool(node["anchor"]) or any(
        s[1] <= day and (s[2] == "" or day < s[2]) for s in node["stores"]
    )


class _Frame:
    """Graph coordinates to picture coordinates: the layout's box fitted into the map area."""

    def __init__(self, groups: list[dict[str, Any]]) -> None:
        left = min(g["x"] - g["radius"] for g in groups)
        right = max(g["x"] + g["radius"] for g in groups)
        bottom = min(g["y"] - g["radius"] for g in groups)
        top = max(g["y"] + g["radius"] for g in groups)
        area_w, area_h = WIDTH - LEGEND - 40, HEIGHT - TITLE - 40
        self.scale = min(area_w / max(right - left, 1e-9), area_h / max(top - bottom, 1e-9))
        self.dx = 20 + (area_w - (right - left) * self.scale) / 2 - left * self.scale
        self.dy = TITLE + 20 + (area_h - (top - bottom) * self.scale) / 2 + top * self.scale

    def point(self, x: float, y: float) -> tuple[float, float]:
        return self.dx + x * self.scale, self.dy - y * self.scale


class _Picture:
    """What the opening view shows: operators collapsed (large maps) or expanded."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data, self.day, self.style = data, data["at"], data["style"]
        self.nodes, self.groups, self.edges = data["nodes"], data["groups"], data["edges"]
        self.frame = _Frame(self.groups)
        self.expanded = {
            i for i, g in enumerate(self.groups) if not data["collapsed"] or g["count"] == 1
        }
        self.highlighted, self.closed = _highlight(data, self.day)

    def where(self, index: int) -> tuple[str, int]:
        """What stands for CA ``index``: itself, or its operator's disc."""
        group = self.nodes[index]["group"]
        return ("n", index) if group in self.expanded else ("g", group)

    def centre(self, item: tuple[str, int]) -> tuple[float, float]:
        source = self.nodes[item[1]] if item[0] == "n" else self.groups[item[1]]
        return self.frame.point(source["x"], source["y"])

    def lines(self) -> list[str]:
        """The certificates, those between collapsed operators merged, least visible first."""
        drawn: list[tuple[int, tuple[str, int], tuple[str, int], str, float]] = []
        merged: dict[tuple[tuple[str, int], tuple[str, int]], list[bool]] = {}
        for index, edge in enumerate(self.edges):
            a, b = self.where(edge["source"]), self.where(edge["target"])
            high = index in self.highlighted
            if a[0] == "n" and b[0] == "n":
                rank, colour, width = self._look(index, edge)
                drawn.append((rank, a, b, colour, width))
            elif a != b:
                merged.setdefault((a, b), []).append(high)
        for (a, b), flags in merged.items():
            colour = self.style["highlight"] if any(flags) else self.style["states"]["valid"]
            drawn.append((3 if any(flags) else 1, a, b, colour, 1.0 + math.log(len(flags))))
        out = []
        for _rank, a, b, colour, width in sorted(drawn, key=lambda item: item[0]):
            (x1, y1), (x2, y2) = self.centre(a), self.centre(b)
            out.append(
                f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                f'stroke="{colour}" stroke-width="{width:.2f}" stroke-opacity="0.8"/>'
            )
        return out

    def _look(self, index: int, edge: dict[str, Any]) -> tuple[int, str, float]:
        """How a certificate is drawn: (drawing order, colour, width)."""
        name = _state(edge, self.day)
        if index in self.highlighted:
            return 3, self.style["highlight"], 3.5
        if index in self.closed:
            return 2, self.style["closed"], 1.5
        return (
            (1 if _usable(name) else 0),
            self.style["states"][name],
            (1.0 if edge["cross"] else 0.6),
        )

    def marks(self) -> tuple[list[str], list[Label]]:
        """The operator discs and CA dots (with anchor rings), and their label candidates."""
        out: list[str] = []
        labels: list[Label] = []
        for index, group in enumerate(self.groups):
            if index in self.expanded:
                continue
            x, y = self.frame.point(group["x"], group["y"])
            radius = max(group["radius"] * self.frame.scale, 4)
            out.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}" fill="{group["colour"]}"/>'
            )
            text = f"{group['name']} ({group['count']} CAs)"
            labels.append(
                Label(f"g{index}", text, x + radius - 3, y, 10 + math.log(group["count"]))
            )
        for index, node in enumerate(self.nodes):
            if node["group"] not in self.expanded:
                continue
            x, y = self.frame.point(node["x"], node["y"])
            radius = ROOT if node["kind"] == "root" else NODE
            colour = self.groups[node["group"]]["colour"]
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius}" fill="{colour}"/>')
            out += self._ring(node, x, y, radius)
            labels.append(Label(f"n{index}", node["label"], x + radius, y, node["importance"]))
        return out, labels

    def _ring(self, node: dict[str, Any], x: float, y: float, radius: float) -> list[str]:
        if node["distrusted"]:
            colour, gap, width = self.style["distrusted"], 4, 3.0
        elif _anchor(node, self.day):
            colour, gap, width = self.style["anchor"], 2, 1.5
        else:
            return []
        return [
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius + gap}" fill="none" '
            f'stroke="{colour}" stroke-width="{width}"/>'
        ]


def render_svg(data: dict[str, Any]) -> str:
    """The opening view of a map (see :func:`trustgraph.render.maps.map_data`) as SVG."""
    picture = _Picture(data)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="Noto Sans CJK SC, Noto Sans, sans-serif" '
        f'font-size="{FONT}">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
        f'<text x="16" y="28" font-size="18" font-weight="600">'
        f"{escape(data['title'] + ' on ' + picture.day)}</text>",
        *picture.lines(),
    ]
    marks, labels = picture.marks()
    out += marks
    for label, box in place_labels(labels, FONT, WIDTH - LEGEND, HEIGHT):
        where, text = f'x="{box[0]:.1f}" y="{box[3] - FONT * 0.3:.1f}"', escape(label.text)
        out.append(f'<text {where} fill="white" stroke="white" stroke-width="3">{text}</text>')
        out.append(f"<text {where}>{text}</text>")
    counts: dict[int, int] = {}
    for node in data["nodes"]:
        counts[node["group"]] = counts.get(node["group"], 0) + 1
    out += _legend(data, counts)
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _highlight(data: dict[str, Any], day: str) -> tuple[set[int], set[int]]:
    """The edges highlighted and closed at ``day`` (indexes into the data's edges)."""
    covered = data["covered"]
    if day < covered[0] or (covered[1] and day >= covered[1]):
        return set(), set()
    current = None
    for item in data["slices"]:
        if item[0] <= day:
            current = item
    if current is None:
        return set(), set()
    index = {edge["id"]: i for i, edge in enumerate(data["edges"])}

    def edges_of(numbers: list[int]) -> set[int]:
        return {index[fp] for p in numbers for fp in data["paths"][p][1] if fp in index}

    return edges_of(current[1]), edges_of(current[2])


def _legend(data: dict[str, Any], counts: dict[int, int]) -> list[str]:
    """The legend, in its column: the operators drawn, most CAs first (as many as the
    palette has colours, then the rest as one line), then the marks; text wraps to the
    column, never past the picture's edge."""
    x, y = WIDTH - LEGEND + 12, TITLE + 24
    out = [
        f'<rect x="{WIDTH - LEGEND}" y="{TITLE}" width="{LEGEND}" height="{HEIGHT - TITLE}" '
        'fill="#fafafa" stroke="#dddddd"/>',
        f'<text x="{x}" y="{y}" font-weight="600">Legend</text>',
    ]

    def entry(mark: Callable[[int], str], text: str, indent: int) -> None:
        nonlocal y
        y += 20
        out.append(mark(y - 4))
        for number, line in enumerate(wrapped(text, WIDTH - x - indent - 8, FONT)):
            y += 15 if number else 0
            out.append(f'<text x="{x + indent}" y="{y}">{escape(line)}</text>')

    def swatch(colour: str) -> Callable[[int], str]:
        return lambda at: f'<circle cx="{x + 6}" cy="{at}" r="5" fill={quoteattr(colour)}/>'

    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    shown = len(OPERATOR_PALETTE)
    for group, count in ranked[:shown]:
        item = data["groups"][group]
        entry(swatch(item["colour"]), f"{item['name']} ({count})", 18)
    if len(ranked) > shown:
        more = f"… and {len(ranked) - shown} more operators"
        entry(swatch(data["style"]["otherOperators"]), more, 18)
    for item in data["style"]["legend"]:
        entry(_mark(item, x), item["text"], 30)
    if data["collapsed"]:
        y += 28
        out.append(f'<text x="{x}" y="{y}">Discs: operators with their CA counts</text>')
    return out


def _mark(item: dict[str, Any], x: int) -> Callable[[int], str]:
    """How a legend entry of the fixed legend is drawn at a height."""
    colour = quoteattr(item["colour"])
    if item["mark"] == "line":
        return lambda at: (
            f'<line x1="{x}" y1="{at}" x2="{x + 24}" y2="{at}" stroke={colour} '
            f'stroke-width="{item["width"]}"/>'
        )
    return lambda at: (
        f'<circle cx="{x + 6}" cy="{at}" r="5" fill="none" stroke={colour} stroke-width="2"/>'
    )


def wrapped(text: str, width: float, size: float) -> list[str]:
    """``text`` in lines no wider than ``width`` pixels at ``size``: broken between words,
    and inside a word only where that word alone is wider."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if text_width(candidate, size) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = ""
        for char in word:
            if current and text_width(current + char, size) > width:
                lines.append(current)
                current = ""
            current += char
    if current:
        lines.append(current)
    return lines or [""]


def render_png(svg: str) -> bytes:
    """A PNG of an SVG picture.

    Raises:
        UsageError: cairosvg (``pip install 'webpki-trustgraph[png]'``) is not installed.
    """
    try:
        import cairosvg  # type: ignore[import-untyped]
    except ImportError as exc:
        raise UsageError(
            "--format png needs cairosvg: pip install 'webpki-trustgraph[png]' (or use svg)"
        ) from exc
    return bytes(cairosvg.svg2png(bytestring=svg.encode("utf-8")))
