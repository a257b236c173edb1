"""Interactive HTML maps: one self-contained file a presenter can send to anyone.

pyvis assembles the network (nodes and edges with their vis-network options); the page is
trustgraph's own template with vis-network (from pyvis's package) and every other asset
inlined, and a Content-Security-Policy that forbids any network request. All data sits in a
JSON block that cannot close its ``<script>`` element; the page builds its text with
``textContent`` only, so certificate text never becomes markup. Node ids are CA ids and
edge ids certificate fingerprints, never names.
"""

from __future__ import annotations

import html
import json
from collections import Counter, deque
from importlib import resources
from pathlib import Path
from typing import Any

import pyvis
from pyvis.network import Network

from trustgraph.analysis.maps import MapRequest, drawn_edges
from trustgraph.core.files import write_atomic
from trustgraph.graph.model import Edge
from trustgraph.graph.owners import OwnerIndex
from trustgraph.graph.trustgraph import TrustGraph
from trustgraph.policy.anchors import AnchorSet
from trustgraph.version import __version__

PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#59a14f",
    "#e15759",
    "#76b7b2",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#86bcb6",
    "#d37295",
    "#a0cbe8",
    "#8cd17d",
    "#b6992d",
)
OTHER = "#bab0ac"
HIGHLIGHT = "#d62728"
STATES = {
    "valid": "#555555",
    "expired": "#bdbdbd",
    "not yet valid": "#9ecae1",
    "revoked": "#fd8d3c",
}
SHAPES = {"anchor": "star", "root": "diamond", "intermediate": "dot", "leaf": "box"}
PHYSICS_LIMIT = 400
_SPACING_X, _SPACING_Y = 170, 150


def render_map(graph: TrustGraph, request: MapRequest) -> str:
    """The HTML of the map described by ``request`` (UTF-8 text)."""
    owners = request.owners
    cas = request.cas
    edges = drawn_edges(graph, cas)
    highlighted = {e.certificate for path in request.highlight for e in path.edges}
    highlighted_cas = {
        ca
        for path in request.highlight
        for ca in (path.anchor_ca, *(e.subject_ca for e in path.edges))
    }
    colours = _owner_colours(cas, owners)
    positions = _layered_layout(graph, cas, edges, request.anchors)
    network = Network(directed=True)
    for ca in sorted(cas):
        network.add_node(
            ca, **_node(graph, ca, request, owners, colours, positions, ca in highlighted_cas)
        )
    parallel: Counter[tuple[str, str]] = Counter()
    for edge in edges:
        pair = (edge.issuer_ca, edge.subject_ca)
        options = _edge(
            graph,
            edge,
            request,
            edge.certificate in highlighted,
            _is_cross(graph, edge),
            parallel[pair],
        )
        parallel[pair] += 1
        network.add_edge(edge.issuer_ca, edge.subject_ca, **options)
    data = {
        "title": request.title,
        "at": request.at[:10],
        "trustgraph": __version__,
        "physics": len(cas) <= PHYSICS_LIMIT,
        "style": {
            "highlight": HIGHLIGHT,
            "states": STATES,
            "shapes": [f"{shape}: {kind}" for kind, shape in SHAPES.items()],
        },
        "owners": [
            {"name": name, "color": colour, "count": count}
            for name, (colour, count) in colours.items()
        ],
        "nodes": network.nodes,
        "edges": network.edges,
        "paths": [path.certificates for path in request.highlight],
    }
    return _page(request.title, data)


def _is_cross(graph: TrustGraph, edge: Edge) -> bool:
    return len({e.issuer_ca for e in graph.certificates_of(edge.subject_ca)}) > 1


def _owner_colours(cas: set[str], owners: OwnerIndex) -> dict[str, tuple[str, int]]:
    counts = Counter(_owner_name(owners, ca) for ca in cas)
    ranked = [name for name, _ in counts.most_common()]
    return {
        name: (PALETTE[i] if i < len(PALETTE) else OTHER, counts[name])
        for i, name in enumerate(ranked)
    }


def _owner_name(owners: OwnerIndex, ca: str) -> str:
    operator = owners.operator(ca)
    return operator.owner if operator else "unknown"


def _kind(graph: TrustGraph, ca: str, anchors: AnchorSet) -> str:
    if ca in anchors:
        return "anchor"
    certificates = graph.certificates_of(ca)
    if any(e.is_self_loop for e in certificates):
        return "root"
    if certificates and not any(e.is_ca for e in certificates):
        return "leaf"
    return "intermediate"


def _node(
    graph: TrustGraph,
    ca: str,
    request: MapRequest,
    owners: OwnerIndex,
    colours: dict[str, tuple[str, int]],
    positions: dict[str, tuple[int, int]],
    highlighted: bool,
) -> dict[str, Any]:
    info = graph.ca(ca)
    kind = _kind(graph, ca, request.anchors)
    owner = _owner_name(owners, ca)
    operator = owners.operator(ca)
    stores = request.stores.get(ca, [])
    label = graph.label(ca)
    if stores:
        label += "\n[" + ", ".join(stores) + "]"
    x, y = positions.get(ca, (0, 0))
    return {
        "label": label,
        "shape": SHAPES[kind],
        "size": 22 if kind == "anchor" else 14,
        "color": colours[owner][0],
        "x": x,
        "y": y,
        "kind": kind,
        "owner": owner,
        "ownerBasis": operator.basis if operator else None,
        "subject": info.subject if info else "",
        "key": info.key if info else "",
        "stores": stores,
        "highlight": highlighted,
        "certificates": [e.certificate for e in graph.certificates_of(ca)],
    }


def _edge(
    graph: TrustGraph,
    edge: Edge,
    request: MapRequest,
    highlighted: bool,
    cross: bool,
    index: int,
) -> dict[str, Any]:
    """An edge's vis options and details; ``index`` separates parallel certificates."""
    row = request.texts.get(edge.certificate)
    revocation = request.revocations.get(edge.certificate)
    issuer = graph.ca(edge.issuer_ca)
    return {
        "id": edge.certificate,
        "kind": edge.kind,
        "cross": cross,
        "highlight": highlighted,
        "notBefore": edge.not_before,
        "notAfter": edge.not_after,
        "revokedAt": revocation.effective if revocation else None,
        "revocation": (
            f"{revocation.describe()} ({revocation.source_label})" if revocation else None
        ),
        "serial": row[0] if row else None,
        "subject": row[1] if row else "",
        "issuer": row[2] if row else "",
        "issuerLabel": issuer.label if issuer else "",
        "smooth": {"enabled": True, "type": "curvedCW", "roundness": 0.1 + 0.15 * index}
        if cross or index
        else False,
    }


def _layered_layout(
    graph: TrustGraph, cas: set[str], edges: list[Edge], anchors: AnchorSet
) -> dict[str, tuple[int, int]]:
    """A deterministic layered layout: layer = issuance steps from the nearest anchor or
    root among the drawn CAs; within a layer, by label."""
    children: dict[str, list[str]] = {}
    has_parent = set()
    for edge in edges:
        children.setdefault(edge.issuer_ca, []).append(edge.subject_ca)
        has_parent.add(edge.subject_ca)
    starts = sorted(ca for ca in cas if ca in anchors or ca not in has_parent)
    layer = {ca: 0 for ca in starts}
    queue = deque(starts)
    while queue:
        ca = queue.popleft()
        for child in children.get(ca, []):
            if child not in layer:
                layer[child] = layer[ca] + 1
                queue.append(child)
    for ca in cas:
        layer.setdefault(ca, 0)
    rows: dict[int, list[str]] = {}
    for ca in cas:
        rows.setdefault(layer[ca], []).append(ca)
    positions = {}
    for depth, members in rows.items():
        members.sort(key=lambda c: (_sort_label(graph, c), c))
        offset = (len(members) - 1) * _SPACING_X / 2
        for index, ca in enumerate(members):
            positions[ca] = (int(index * _SPACING_X - offset), depth * _SPACING_Y)
    return positions


def _sort_label(graph: TrustGraph, ca: str) -> str:
    info = graph.ca(ca)
    return info.label.casefold() if info else ca


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


def _asset(package: str, *parts: str) -> str:
    return resources.files(package).joinpath(*parts).read_text(encoding="utf-8")


def _page(title: str, data: dict[str, Any]) -> str:
    template = _asset("trustgraph.render", "templates", "map.html")
    pieces = {
        "{{TITLE}}": html.escape(title),
        "{{VIS_CSS}}": _asset(pyvis.__name__, "lib", "vis-9.1.2", "vis-network.css"),
        "{{DATA}}": script_json(data),
        "{{VIS_JS}}": _asset(pyvis.__name__, "lib", "vis-9.1.2", "vis-network.min.js"),
        "{{MAP_JS}}": _asset("trustgraph.render", "templates", "map.js"),
    }
    # One pass, so text inserted for one placeholder is never searched for another.
    out = []
    rest = template
    while True:
        found = [(rest.find(key), key) for key in pieces if key in rest]
        if not found:
            out.append(rest)
            break
        index, key = min(found)
        out.append(rest[:index])
        out.append(pieces[key])
        rest = rest[index + len(key) :]
    return "".join(out)


def write_map(path: Path, page: str) -> None:
    """Write a map atomically (see :func:`trustgraph.core.files.write_atomic`).

    Raises:
        OutputError: the file cannot be written; an earlier file there is unchanged.
    """
    write_atomic(path, page)
