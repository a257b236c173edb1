"""The trust graph as plain networkx data: every writer takes it, a round trip keeps it,
and with a date and a store it is exactly the part usable then."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from tests.conftest import load_certs
from tests.factories.pki import PKI, Cert, when, write_pem
from trustgraph import api
from trustgraph.errors import UsageError
from trustgraph.ingest import stores
from trustgraph.storage.database import Database


@pytest.fixture
def small(db: Database, tmp_path: Path) -> dict[str, Cert]:
    pki = PKI()
    root_a, root_b = pki.ca('Root "A"\\', "Org A"), pki.ca("Root B", "Org B")
    certs = {
        "root_a": pki.root(root_a),
        "root_b": pki.root(root_b),
        "inter": pki.issue(root_a, "Inter CA"),
        "cross": pki.issue(root_b, pki.certs[2].subject),  # Inter CA, certified by B too
        "expired": pki.issue(root_a, "Old CA", not_after=when("2012-01-01")),
    }
    load_certs(db, tmp_path, list(certs.values()))
    stores.add_store(
        db, "s", write_pem(tmp_path / "s.pem", [certs["root_a"]]), "2010-01-01T00:00:00Z"
    )
    return certs


def _plain(value: object) -> bool:
    return isinstance(value, str | int | float | bool)


def test_every_attribute_is_plain_and_writers_round_trip(
    db: Database, small: dict[str, Cert], tmp_path: Path
) -> None:
    graph = api.graph(db)
    assert (graph.number_of_nodes(), graph.number_of_edges()) == (4, 5)
    for _node, attributes in graph.nodes(data=True):
        assert all(_plain(v) for v in attributes.values()), attributes
    for _a, _b, attributes in graph.edges(data=True):
        assert all(_plain(v) for v in attributes.values()), attributes
    nx.write_graphml(graph, tmp_path / "g.graphml")
    nx.write_gexf(graph, tmp_path / "g.gexf")
    for back in (nx.read_graphml(tmp_path / "g.graphml"), nx.read_gexf(tmp_path / "g.gexf")):
        assert (back.number_of_nodes(), back.number_of_edges()) == (4, 5)


def test_cross_certificates_and_roots_are_marked(db: Database, small: dict[str, Cert]) -> None:
    graph = api.graph(db)
    cross = {
        key for _a, _b, key, data in graph.edges(keys=True, data=True) if data["cross_certificate"]
    }
    assert cross == {small["inter"].sha256, small["cross"].sha256}
    roots = {ca for ca, data in graph.nodes(data=True) if data["root"]}
    assert len(roots) == 2


def test_with_a_date_and_store_only_the_usable_part(db: Database, small: dict[str, Cert]) -> None:
    graph = api.graph(db, at="2015-01-01", store="s")
    # Root B is not in the store; Old CA's certificate has expired.
    assert sorted(data["label"] for _ca, data in graph.nodes(data=True)) == [
        "Inter CA",
        'Root "A"\\',
    ]
    assert sorted(key for _a, _b, key in graph.edges(keys=True)) == sorted(
        [small["inter"].sha256, small["root_a"].sha256]  # the root's own certificate, a self-loop
    )
    whole = api.graph(db, at="2015-01-01")
    states = {key: data["state"] for _a, _b, key, data in whole.edges(keys=True, data=True)}
    assert states[small["expired"].sha256] == "expired"
    with pytest.raises(UsageError, match="needs a date"):
        api.graph(db, store="s")
