"""Interactive HTML maps: one self-contained file a presenter can send to anyone.

The page draws with sigma.js (WebGL) over a graphology graph, both vendored from npm into
``render/vendor`` with their licences; the layout comes from :mod:`.layout`, so the page
and the static pictures of :mod:`.mapsvg` agree. Every asset is inlined and a
Content-Security-Policy forbids any network request. All data sits in a JSON block that
cannot close its ``<script>`` element; the page builds its text with ``textContent`` only,
so certificate text never becomes markup. Node ids are CA ids and edge ids certificate
fingerprints, never names.

Large maps open with each operator's CAs collapsed into one disc (click to expand); labels
are drawn by importance where they overlap no other; the date control re-highlights the
paths computed for the interval the date falls in (see :mod:`trustgraph.analysis.maps`).
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from trustgraph.analysis.maps import MapRequest, drawn_edges
from trustgraph.core.files import write_atomic
from trustgraph.graph.model import Edge
from trustgraph.graph.trustgraph import TrustGraph
from trustgraph.render.layout import Layout, layout_map
from trustgraph.render.mapstyle import (
    ANCHOR_RING,
    CLOSED,
    DISTRUSTED,
    HIGHLIGHT,
    OTHER_OPERATORS,
    STATE_TEXT,
    STATES,
    fixed_legend,
    operator_colours,
)
from trustgraph.version import __version__

COLLAPSE_ABOVE = 400
UNKNOWN = "?"
"""Maps of more CAs open with each operator's CAs collapsed into one disc."""
VENDOR = ("sigma.min.js", "graphology.umd.min.js")


def group_key(request: MapRequest, ca: str) -> str:
    """The group a CA is drawn in: its operator at the map's date (normalised name), or
    ``UNKNOWN`` for every CA no record or O= attribute names an operator of."""
    operator = request.owners.operator_at(ca, request.at)
    return request.owners.key(operator.owner) if operator else UNKNOWN


def map_layout(graph: TrustGraph, request: MapRequest) -> tuple[Layout, list[Edge]]:
    """The layout of a map's CAs, and the certificates drawn between them."""
    edges = drawn_edges(graph, request.cas)
    groups = {ca: group_key(request, ca) for ca in request.cas}
    order = {ca: graph.label(ca).casefold() for ca in request.cas}
    return layout_map(request.cas, edges, groups, order), edges


def map_data(graph: TrustGraph, request: MapRequest) -> dict[str, Any]:
    """Everything the page (and the static pictures) draw, as plain data."""
    layout, edges = map_layout(graph, request)
    cas = sorted(request.cas)
    index = {ca: i for i, ca in enumerate(cas)}
    group_names = sorted(layout.groups)
    group_index = {g: i for i, g in enumerate(group_names)}
    degree: dict[str, int] = {}
    for edge in edges:
        degree[edge.issuer_ca] = degree.get(edge.issuer_ca, 0) + 1
    stores = sorted({span[0] for spans in request.stores.values() for span in spans})
    nodes = [_node(graph, request, ca, layout, group_index, degree, stores) for ca in cas]
    sizes = {g: sum(1 for n in nodes if n["group"] == group_index[g]) for g in group_names}
    colours = operator_colours(sizes, UNKNOWN)
    issuers: dict[str, set[str]] = {}
    for edge in edges:
        issuers.setdefault(edge.subject_ca, set()).add(edge.issuer_ca)
    return {
        "title": request.title,
        "at": request.at[:10],
        "mode": request.mode,
        "trustgraph": __version__,
        "collapsed": len(cas) > COLLAPSE_ABOVE,
        "stores": stores,
        "style": {
            "highlight": HIGHLIGHT,
            "closed": CLOSED,
            "distrusted": DISTRUSTED,
            "anchor": ANCHOR_RING,
            "otherOperators": OTHER_OPERATORS,
            "states": STATES,
            "stateText": STATE_TEXT,
            "legend": [entry.as_dict() for entry in fixed_legend(request.mode)],
        },
        "groups": [_group(request, layout, g, nodes, group_index, colours[g]) for g in group_names],
        "nodes": nodes,
        "edges": [_edge(request, e, index, len(issuers.get(e.subject_ca, ()))) for e in edges],
        "paths": [[index[p.anchor_ca], [e.certificate for e in p.edges]] for p in request.paths],
        "slices": [[s.start[:10], list(s.paths), list(s.closed)] for s in request.slices],
        "covered": [request.covered[0][:10], (request.covered[1] or "")[:10]],
        "truncated": request.truncated,
    }


def _node(
    graph: TrustGraph,
    request: MapRequest,
    ca: str,
    layout: Layout,
    group_index: dict[str, int],
    degree: dict[str, int],
    stores: list[str],
) -> dict[str, Any]:
    info = graph.ca(ca)
    operator = request.owners.operator_at(ca, request.at)
    certificates = graph.certificates_of(ca)
    kind = (
        "root"
        if any(e.is_self_loop for e in certificates)
        else ("leaf" if certificates and not any(e.is_ca for e in certificates) else "CA")
    )
    spans = [[stores.index(s), f[:10], (u or "")[:10]] for s, f, u in request.stores.get(ca, [])]
    x, y = layout.positions[ca]
    return {
        "id": ca,
        "label": graph.label(ca),
        "subject": info.subject if info else "",
        "key": info.key if info else "",
        "group": group_index[group_key(request, ca)],
        "x": round(x, 3),
        "y": round(-y, 3),
        "kind": kind,
        "operator": operator.owner if operator else None,
        "basis": operator.basis if operator else None,
        "stores": spans,
        "importance": (2 if spans else 0) + (1 if kind == "root" else 0) + degree.get(ca, 0) / 1e4,
        "anchor": request.store is None and ca in request.anchors,
        "distrusted": ca in request.distrusted,
        "watched": ca in request.watched,
    }


def _group(
    request: MapRequest,
    layout: Layout,
    key: str,
    nodes: list[dict[str, Any]],
    group_index: dict[str, int],
    colour: str,
) -> dict[str, Any]:
    members = [n for n in nodes if n["group"] == group_index[key]]
    disc = layout.groups[key]
    known = key != UNKNOWN
    return {
        "key": key,
        "name": members[0]["operator"] if known else "operator unknown",
        "colour": colour,
        "x": round(disc.x, 3),
        "y": round(-disc.y, 3),
        "radius": round(disc.radius, 3),
        "count": len(members),
    }


def _edge(request: MapRequest, edge: Edge, index: dict[str, int], issuers: int) -> dict[str, Any]:
    row = request.texts.get(edge.certificate)
    revocation = request.rules.revocations.get(edge.certificate)
    return {
        "id": edge.certificate,
        "source": index[edge.issuer_ca],
        "target": index[edge.subject_ca],
        "kind": edge.kind,
        "cross": issuers > 1,
        "states": [[moment[:10], state] for moment, state in request.edge_states[edge.certificate]],
        "serial": row[0] if row else None,
        "notBefore": (edge.not_before or "")[:10],
        "notAfter": (edge.not_after or "")[:10],
        "revocation": (
            f"{revocation.describe()} ({revocation.source_label})" if revocation else None
        ),
    }


def script_json(value: Any) -> str:
    """JSON that is safe inside a ``<script>`` element: no ``<``, ``>`` or ``&`` (so no
    ``</script>`` or ``<!--``), and no U+2028/U+2029 line separators."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char, escape in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escape)
    return text


def _asset(*parts: str) -> str:
    return resources.files("trustgraph.render").joinpath(*parts).read_text(encoding="utf-8")


def render_map(graph: TrustGraph, request: MapRequest) -> str:
    """The HTML of the map described by ``request`` (UTF-8 text)."""
    return page(request.title, map_data(graph, request))


def page(title: str, data: dict[str, Any]) -> str:
    """The self-contained page of a map's data."""
    template = _asset("templates", "map.html")
    pieces = {
        "{{TITLE}}": html.escape(title),
        "{{DATA}}": script_json(data),
        "{{VENDOR_JS}}": "\n".join(_asset("vendor", name) for name in VENDOR),
        "{{MAP_JS}}": _asset("templates", "map.js"),
    }
    # One pass, so text inserted for one placeholder is never searched for another.
    out = []
    rest = template
    while True:
        found = [(rest.find(key), key) for key in pieces if key in rest]
        if not found:
            out.append(rest)
            break
        position, key = min(found)
        out.append(rest[:position])
        out.append(pieces[key])
        rest = rest[position + len(key) :]
    return "".join(out)


def write_map(path: Path, page: str | bytes) -> None:
    """Write a map atomically (see :func:`trustgraph.core.files.write_atomic`).

    Raises:
        OutputError: the file cannot be written; an earlier file there is unchanged.
    """
    write_atomic(path, page)


@dataclass(frozen=True)
class MapPage:
    """A map's self-contained page; it shows itself in Jupyter (an isolated frame, no
    network request) and writes itself to a file."""

    title: str
    html: str

    def __repr__(self) -> str:
        return f"MapPage({self.title!r}, {len(self.html)} characters)"

    def _repr_html_(self) -> str:
        return (
            f'<iframe title="{html.escape(self.title)}" srcdoc="{html.escape(self.html)}" '
            'sandbox="allow-scripts" style="width:100%;height:640px;border:0"></iframe>'
        )

    def save(self, path: Path) -> None:
        """Write the page atomically.

        Raises:
            OutputError: the file cannot be written.
        """
        write_map(path, self.html)
