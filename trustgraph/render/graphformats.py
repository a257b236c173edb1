"""The plain trust graph (see :mod:`trustgraph.analysis.plaingraph`) in the formats other
tools read: GraphML and GEXF (Gephi, yEd, igraph, networkx), Cytoscape.js JSON (elements
with data and classes), Graphviz DOT, and BloodHound OpenGraph JSON (nodes with kinds and
properties, edges with start, end and kind), so a BloodHound user can path-find over CAs.

Certificate text is data in every format: XML and JSON writers escape it, and DOT strings
are quoted with quotes, backslashes and control characters escaped. Each file reads back
whole with the reader its users use: networkx's ``read_graphml``, ``read_gexf`` (a GEXF
edge's id is its certificate's fingerprint) and ``cytoscape_graph``.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterator
from typing import Any

import networkx as nx

SOURCE_KIND = "TrustGraph"
"""The BloodHound source kind every node carries."""


class GraphFormat(enum.StrEnum):
    GRAPHML = "graphml"
    GEXF = "gexf"
    CYTOSCAPE = "cytoscape"
    DOT = "dot"
    BLOODHOUND = "bloodhound"


def graph_text(graph: nx.MultiDiGraph, fmt: GraphFormat) -> Iterator[str]:
    """The graph in ``fmt``, as chunks of text."""
    if fmt is GraphFormat.GRAPHML:
        yield from (line + "\n" for line in nx.generate_graphml(graph))
    elif fmt is GraphFormat.GEXF:
        yield from (line + "\n" for line in nx.generate_gexf(_with_edge_ids(graph)))
    elif fmt is GraphFormat.CYTOSCAPE:
        yield json.dumps(cytoscape(graph), ensure_ascii=False, indent=1) + "\n"
    elif fmt is GraphFormat.DOT:
        yield from dot(graph)
    else:
        yield json.dumps(bloodhound(graph), ensure_ascii=False, indent=1) + "\n"


def _with_edge_ids(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy whose edges carry their key (the certificate's fingerprint) as ``id``, which
    GEXF makes the edge's id."""
    copy = graph.copy()
    for _issuer, _subject, key, attributes in copy.edges(keys=True, data=True):
        attributes["id"] = key
    return copy


def _node_classes(attributes: dict[str, Any]) -> list[str]:
    return [name for name in ("root", "anchor") if attributes.get(name)]


def _edge_classes(attributes: dict[str, Any]) -> list[str]:
    classes = [str(attributes["kind"])]
    if attributes.get("cross_certificate"):
        classes.append("cross")
    if attributes.get("self_issued"):
        classes.append("self-issued")
    if "usable" in attributes:
        classes.append("usable" if attributes["usable"] else "unusable")
    return classes


def cytoscape(graph: nx.MultiDiGraph) -> dict[str, Any]:
    """Cytoscape.js elements: ``{"elements": {"nodes": [...], "edges": [...]}}``, each
    with ``data`` (``id``; edges ``source`` and ``target``) and space-separated ``classes``;
    also what networkx's ``cytoscape_graph`` reads back (``directed``, ``multigraph``, a
    node's ``value`` and ``name``, an edge's ``key``)."""
    nodes = [
        {
            "data": {**attributes, "id": ca, "value": ca, "name": attributes.get("label", ca)},
            "classes": " ".join(_node_classes(attributes)),
        }
        for ca, attributes in graph.nodes(data=True)
    ]
    edges = [
        {
            "data": {**attributes, "id": key, "key": key, "source": issuer, "target": subject},
            "classes": " ".join(_edge_classes(attributes)),
        }
        for issuer, subject, key, attributes in graph.edges(keys=True, data=True)
    ]
    return {
        "data": dict(graph.graph),
        "directed": True,
        "multigraph": True,
        "elements": {"nodes": nodes, "edges": edges},
    }


def bloodhound(graph: nx.MultiDiGraph) -> dict[str, Any]:
    """BloodHound OpenGraph: nodes ``{id, kinds, properties}`` of kind ``TGCA`` (and
    ``TGRoot``, ``TGAnchor``), edges ``{start, end, kind, properties}`` of kind
    ``TGIssued`` or ``TGCrossCertified``, from issuer to subject."""
    nodes = [
        {
            "id": ca,
            "kinds": ["TGCA", *(f"TG{c.title()}" for c in _node_classes(attributes))],
            "properties": {"name": attributes.get("label", ca), "objectid": ca, **attributes},
        }
        for ca, attributes in graph.nodes(data=True)
    ]
    edges = [
        {
            "start": {"value": issuer},
            "end": {"value": subject},
            "kind": "TGCrossCertified" if attributes.get("cross_certificate") else "TGIssued",
            "properties": dict(attributes),
        }
        for issuer, subject, attributes in graph.edges(data=True)
    ]
    return {
        "metadata": {"source_kind": SOURCE_KIND},
        "graph": {"nodes": nodes, "edges": edges},
    }


def dot(graph: nx.MultiDiGraph) -> Iterator[str]:
    """Graphviz DOT: a node per CA labelled with its name, an edge per certificate
    (dashed for declared edges, bold for cross-certificates), every attribute kept."""
    yield "digraph trustgraph {\n  node [shape=box];\n"
    for ca, attributes in graph.nodes(data=True):
        shown = {"label": attributes.get("label", ca), **_prefixed(attributes)}
        if attributes.get("root"):
            shown["peripheries"] = 2
        yield f"  {_quoted(ca)} [{_attributes(shown)}];\n"
    for issuer, subject, key, attributes in graph.edges(keys=True, data=True):
        shown = {"id": key, **_prefixed(attributes)}
        if attributes.get("kind") == "declared":
            shown["style"] = "dashed"
        if attributes.get("cross_certificate"):
            shown["penwidth"] = 2
        yield f"  {_quoted(issuer)} -> {_quoted(subject)} [{_attributes(shown)}];\n"
    yield "}\n"


def _prefixed(attributes: dict[str, Any]) -> dict[str, Any]:
    """Attributes under a ``tg_`` prefix, so none is read as a Graphviz attribute."""
    return {f"tg_{name}": value for name, value in attributes.items()}


def _attributes(values: dict[str, Any]) -> str:
    return ", ".join(f"{name}={_quoted(_text(value))}" for name, value in values.items())


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _quoted(text: str) -> str:
    """A DOT quoted string: quotes and backslashes escaped, control characters shown as
    a backslash, ``u`` and their four hex digits (a DOT string cannot hold them)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "".join(c if c.isprintable() else f"\\\\u{ord(c):04x}" for c in escaped) + '"'
