"""The whole CCADB graph leaves trustgraph intact: networkx writes and reads it back as
GraphML and GEXF with the same counts, from the library and from `export`."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from tests.corpus.conftest import run
from trustgraph import api
from trustgraph.storage.database import Database

pytestmark = [pytest.mark.corpus, pytest.mark.slow]


def test_the_ccadb_graph_round_trips(ccadb_db: Path, tmp_path: Path) -> None:
    with Database(ccadb_db, readonly=True) as db:
        graph = api.graph(db)
        certificates = db.counts()["certificates"]
    counts = (graph.number_of_nodes(), graph.number_of_edges())
    assert 0 < counts[1] <= certificates
    for fmt, write, read in (
        ("graphml", nx.write_graphml, nx.read_graphml),
        ("gexf", nx.write_gexf, nx.read_gexf),
    ):
        library = tmp_path / f"library.{fmt}"
        write(graph, library)
        back = read(library)
        assert (back.number_of_nodes(), back.number_of_edges()) == counts
        command = tmp_path / f"command.{fmt}"
        done = run(
            "export", "--format", fmt, "--out", str(command), "--db", str(ccadb_db), "--quiet"
        )
        assert done.exit_code == 0, done.output
        back = read(command)
        assert (back.number_of_nodes(), back.number_of_edges()) == counts
