"""Exports other tools read: Graphviz renders the DOT, Cytoscape.js loads the JSON with the
same element counts, BloodHound's OpenGraph shape holds, and hostile names stay data."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from typer.testing import CliRunner

from tests.conftest import load_certs, unavailable
from tests.factories.pki import PKI
from trustgraph import api
from trustgraph.cli import app
from trustgraph.render.graphformats import GraphFormat, bloodhound, cytoscape, graph_text
from trustgraph.storage.database import Database

HOSTILE = 'Evil "CA" \\ } -> x [label=<b>] \u202e\x1b[2J'
VENDOR = Path(__file__).resolve().parents[1] / "vendor"


@pytest.fixture
def graph(db: Database, tmp_path: Path) -> nx.MultiDiGraph:
    pki = PKI()
    root = pki.ca(HOSTILE, "Org")
    other = pki.ca("Other Root", "Other")
    certs = [
        pki.root(root),
        pki.root(other),
        pki.issue(root, "Sub CA"),
        pki.issue(other, pki.certs[2].subject),
    ]
    load_certs(db, tmp_path, certs)
    return api.graph(db)


def test_dot_renders_with_graphviz(graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    dot = shutil.which("dot")
    if dot is None:
        unavailable("Graphviz is not installed (apt-get install graphviz)")
        return
    source = "".join(graph_text(graph, GraphFormat.DOT))
    done = subprocess.run([dot, "-Tsvg"], input=source, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count('class="node"') == graph.number_of_nodes()
    assert done.stdout.count('class="edge"') == graph.number_of_edges()
    assert "Evil &quot;CA&quot;" in done.stdout and "\x1b" not in done.stdout


def test_cytoscape_loads_with_the_same_counts(
    browser: Any, graph: nx.MultiDiGraph, tmp_path: Path
) -> None:
    page = tmp_path / "cy.html"
    data = json.dumps(cytoscape(graph)["elements"]).replace("</", "<\\/")
    page.write_text(
        "<!doctype html><html><body><div id=cy style='width:400px;height:300px'></div>"
        f"<script>{(VENDOR / 'cytoscape.min.js').read_text()}</script>"
        "<script>window.cy = cytoscape({container: document.getElementById('cy'), "
        f"elements: {data}}});</script>"
        "</body></html>"
    )
    opened = browser.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda e: errors.append(str(e)))
    opened.goto(page.as_uri())
    counts = opened.evaluate(
        "[window.cy.nodes().length, window.cy.edges().length, window.cy.edges('.cross').length]"
    )
    assert not errors
    crosses = sum(1 for _a, _b, d in graph.edges(data=True) if d["cross_certificate"])
    assert counts == [graph.number_of_nodes(), graph.number_of_edges(), crosses]


def test_bloodhound_opengraph_shape(graph: nx.MultiDiGraph) -> None:
    document = bloodhound(graph)
    nodes = document["graph"]["nodes"]
    ids = {node["id"] for node in nodes}
    assert document["metadata"]["source_kind"] == "TrustGraph"
    assert all(node["kinds"][0] == "TGCA" for node in nodes)
    for edge in document["graph"]["edges"]:
        assert edge["start"]["value"] in ids and edge["end"]["value"] in ids
        assert edge["kind"] in ("TGIssued", "TGCrossCertified")
    for item in [*nodes, *document["graph"]["edges"]]:
        assert all(isinstance(v, str | int | float | bool) for v in item["properties"].values())
    assert any(n["properties"]["name"] == HOSTILE.replace("\x1b", "\\x1b") for n in nodes)


def _read(fmt: str, path: Path) -> nx.Graph:
    """A file read back by the networkx reader of its format."""
    if fmt == "graphml":
        return nx.read_graphml(path, force_multigraph=True)
    if fmt == "gexf":
        return nx.read_gexf(path)
    return nx.cytoscape_graph(json.loads(path.read_text(encoding="utf-8")))


def _edges(graph: nx.Graph) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """Each edge by its certificate, with its ends and attributes (none of a reader's own
    bookkeeping: GEXF's ``id``, Cytoscape's ``id``, ``key``, ``source``, ``target``)."""
    bookkeeping = {"id", "key", "source", "target"}
    return {
        data["certificate"]: (u, v, {k: x for k, x in data.items() if k not in bookkeeping})
        for u, v, data in graph.edges(data=True)
    }


def _nodes(graph: nx.Graph) -> dict[str, dict[str, Any]]:
    bookkeeping = {"id", "value", "name", "label"}
    return {
        node: {k: x for k, x in data.items() if k not in bookkeeping}
        for node, data in graph.nodes(data=True)
    }


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "cytoscape"])
def test_export_command_round_trips(
    graph: nx.MultiDiGraph, db: Database, tmp_path: Path, fmt: str
) -> None:
    """Read back by networkx, every format gives the same CAs with the same attributes and
    the same certificates between the same CAs, each with its attributes, none renamed."""
    out = tmp_path / f"g.{fmt}"
    done = CliRunner().invoke(
        app, ["export", "--format", fmt, "--out", str(out), "--db", str(db.path)]
    )
    assert done.exit_code == 0, done.output
    back = _read(fmt, out)
    assert _nodes(back) == _nodes(graph)
    assert _edges(back) == _edges(graph)
    labels = {data.get("label") for _n, data in back.nodes(data=True)}
    assert HOSTILE.replace("\x1b", "\\x1b") in labels  # XML cannot carry ESC: shown as text
