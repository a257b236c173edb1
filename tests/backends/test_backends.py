"""Parity: every query command prints the same JSON (and exits the same way) on the memory
backend and on Neo4j, over the WoSign case and over generated PKIs with cross-sign cycles;
between them, the runs use every query of the catalog."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from typer.testing import CliRunner

from tests.factories.pki import PKI, random_pki, when, write_pem
from trustgraph.backends.neo4j import backend as neo4j_backend
from trustgraph.backends.neo4j.backend import Neo4jBackend
from trustgraph.backends.neo4j.catalog import catalog
from trustgraph.backends.neo4j.connection import Neo4jGraph
from trustgraph.backends.neo4j.push import push
from trustgraph.cli import app
from trustgraph.demo.story import run_demo
from trustgraph.graph.trustgraph import TrustGraph
from trustgraph.ingest import facts, stores
from trustgraph.ingest.loader import load_paths
from trustgraph.policy.anchors import database_roots
from trustgraph.storage.database import Database

pytestmark = pytest.mark.neo4j
runner = CliRunner()

G2 = "WoSign CA Free SSL Certificate G2"
WOSIGN_COMMANDS: list[list[str]] = [
    ["chains", G2, "--store", "mozilla", "--at", "2016-06-01"],
    ["chains", G2, "--store", "mozilla", "--at", "2016-12-01", "--verified-only"],
    ["chains", "CA 沃通根证书", "--store", "mozilla", "--at", "2016-06-01", "--max-paths", "2"],
    ["chains", "operator:WoSign", "--store", "mozilla", "--at", "2016-06-01", "--max-depth", "2"],
    ["reach", G2, "--store", "mozilla", "--at", "2016-06-01"],
    ["reach", "owner:WoSign", "--store", "mozilla", "--at", "2017-06-01"],
    ["reach", G2, "--at", "2016-06-01", "--purpose", "serverAuth"],
    ["timeline", G2, "--store", "mozilla", "--until", "2018-01-01"],
    ["cross-signs"],
    ["cross-signs", "--at", "2016-06-01"],
    [
        "impact",
        "--store",
        "mozilla",
        "--at",
        "2016-10-21",
        "--distrust-owner",
        "WoSign",
        "--horizon",
        "2017-12-31",
    ],
    ["serials"],
    ["serials", "--scope", "ca"],
    ["check"],
    ["check", "--since", "2015-01-01", "--only", "sha1-after-deadline"],
]


@pytest.fixture
def used_queries(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """The names of the catalog queries the Neo4j backend runs during a test."""
    used: set[str] = set()
    original = Neo4jBackend.run

    def recording(self: Neo4jBackend, name: str, *args: Any, **kwargs: Any) -> Any:
        used.add(name)
        return original(self, name, *args, **kwargs)

    monkeypatch.setattr(Neo4jBackend, "run", recording)
    return used


def assert_parity(database: Path, command: list[str]) -> None:
    outputs = []
    for backend in ("memory", "neo4j"):
        result = runner.invoke(
            app, [*command, "--format", "json", "--db", str(database), "--backend", backend]
        )
        assert result.exit_code in (0, 1), f"{backend} {command}: {result.output}"
        assert "warning: Neo4j" not in result.stderr
        outputs.append((result.exit_code, result.stdout))
    assert outputs[0] == outputs[1], f"the backends differ on {command}"


@pytest.fixture(scope="module")
def wosign_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("parity-wosign")
    run_demo(out)
    return out / "trustgraph.db"


def test_wosign_case(wosign_demo: Path, neo4j_env: Neo4jGraph, used_queries: set[str]) -> None:
    with Database(wosign_demo) as db:
        push(db, neo4j_env)
    for command in WOSIGN_COMMANDS:
        assert_parity(wosign_demo, command)
    assert used_queries == set(catalog())


def generated(tmp_path: Path, seed: int) -> Path:
    """A random PKI (cross-signs with cycles, path-length limits, name constraints, EKU,
    leaves) plus a reused serial and a late SHA-1 certificate; a trust store with two
    snapshots; a revocation."""
    pki, roots, _leaves = random_pki(seed)
    first = roots[0].subject
    x, y = pki.ca("Cycle X"), pki.ca("Cycle Y")
    pki.issue(first, x)
    pki.issue(x, y)
    pki.issue(y, x)
    pki.issue(first, "Twin A", serial=4242)
    pki.issue(first, "Twin B", serial=4242)
    pki.issue(first, "Late SHA-1 CA", hash_name="sha1", not_before=when("2017-03-01"))
    path = tmp_path / f"generated-{seed}.db"
    with Database(path) as db:
        load_paths(db, [write_pem(tmp_path / "all.pem", pki.certs)])
        stores.add_snapshot(db, "s", write_pem(tmp_path / "a.pem", roots), "2009-01-01T00:00:00Z")
        stores.add_snapshot(
            db, "s", write_pem(tmp_path / "b.pem", roots[:1]), "2017-01-01T00:00:00Z"
        )
        rng = random.Random(seed)
        graph = TrustGraph.from_database(db)
        revoked = rng.choice(sorted(graph.edges))
        facts.record_revocations(
            db, [(revoked, None, None, "2015-06-01T00:00:00Z", None, "test", None)]
        )
        cycles = [c for c in nx.simple_cycles(nx.DiGraph(graph.graph)) if len(c) > 1]
        assert cycles
    return path


def generated_commands(path: Path) -> Iterator[list[str]]:
    with Database(path) as db:
        graph = TrustGraph.from_database(db)
        roots = sorted(database_roots(db).cas)
        labels = sorted({graph.ca(ca).label for ca in graph.graph.nodes})  # type: ignore[union-attr]
    for label in labels:
        for at in ("2013-06-01", "2018-06-01"):
            yield ["chains", label, "--store", "s", "--at", at, "--max-paths", "100"]
            yield ["reach", label, "--at", at]
        yield ["chains", label, "--at", "2016-06-01", "--max-depth", "2", "--verified-only"]
        yield ["timeline", label, "--store", "s", "--until", "2031-01-01"]
    yield ["cross-signs"]
    yield ["cross-signs", "--at", "2016-06-01"]
    for root in roots:
        yield [
            "impact",
            "--store",
            "s",
            "--at",
            "2016-06-01",
            "--distrust-root",
            root,
            "--horizon",
            "2031-01-01",
        ]
    yield ["serials"]
    yield ["check", "--fail-on", "high"]


@pytest.mark.parametrize("seed", [11, 23, 37])
def test_generated_pkis_with_cycles(seed: int, tmp_path: Path, neo4j_env: Neo4jGraph) -> None:
    path = generated(tmp_path, seed)
    with Database(path) as db:
        push(db, neo4j_env)
    commands = list(generated_commands(path))
    assert len(commands) > 20
    for command in commands:
        assert_parity(path, command)


def test_frontiers_sent_in_many_chunks_give_the_same_answers(
    tmp_path: Path, neo4j_env: Neo4jGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A frontier larger than one request goes in chunks, each with all its parameters
    (here one CA per request; at scale, more than 2,000 CAs)."""
    monkeypatch.setattr(neo4j_backend, "_CHUNK", 1)
    path = generated(tmp_path, 11)
    with Database(path) as db:
        push(db, neo4j_env)
    for command in generated_commands(path):
        assert_parity(path, command)


def test_deep_hierarchies(tmp_path: Path, neo4j_env: Neo4jGraph) -> None:
    """Twelve CAs below the root, with a shortcut cross-certificate: paths deeper than any
    fixed Cypher bound, and depth limits that cut some of them."""
    pki = PKI()
    ladder = [pki.ca(f"Rung {n:02d}") for n in range(13)]
    pki.root(ladder[0])
    for upper, lower in itertools.pairwise(ladder):
        pki.issue(upper, lower)
    pki.issue(ladder[2], ladder[9])
    path = tmp_path / "deep.db"
    with Database(path) as db:
        load_paths(db, [write_pem(tmp_path / "deep.pem", pki.certs)])
        push(db, neo4j_env)
    for depth in ("3", "8", "12", "20"):
        for command in ("chains", "reach"):
            assert_parity(path, [command, "Rung 12", "--max-depth", depth, "--at", "2020-01-01"])
