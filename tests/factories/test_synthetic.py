"""The synthetic PKI generator: real certificates, the shape it reports, the same bytes for
the same seed."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import networkx as nx
import pytest

from tests.factories.synthetic import generate, main, parse_count
from trustgraph.graph.trustgraph import TrustGraph
from trustgraph.ingest import casefile
from trustgraph.ingest.loader import load_paths
from trustgraph.storage.database import Database

SEED = 7


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synthetic")
    generate(600, SEED, out)
    return out


def _digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*.pem")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def test_every_certificate_loads_and_verifies(synthetic: Path, db: Database) -> None:
    shape = json.loads((synthetic / "shape.json").read_text())
    report = load_paths(db, [synthetic / "certs"])
    assert report.reconciles and not report.skipped
    assert report.loaded == shape["counts"]["certificates"] == 600
    assert report.edges == {"verified": 600}


def test_the_reported_shape_is_what_was_written(synthetic: Path, db: Database) -> None:
    shape = json.loads((synthetic / "shape.json").read_text())
    load_paths(db, [synthetic / "certs"])
    graph = TrustGraph.from_database(db)
    roots = {e.subject_ca for e in graph.edges.values() if e.is_self_loop}
    assert len(roots) == shape["counts"]["roots"]
    cas = nx.DiGraph((e.issuer_ca, e.subject_ca) for e in graph.edges.values() if e.is_ca)
    cas.remove_edges_from(nx.selfloop_edges(cas))
    cyclic = [c for c in nx.strongly_connected_components(cas) if len(c) > 1]
    assert len(cyclic) == shape["cycles"]["cyclic_components"] >= 1
    assert max(len(c) for c in cyclic) == shape["cycles"]["largest_cyclic_component"]
    expired = sum(1 for e in graph.edges.values() if (e.not_after or "") < "2025-06-01")
    assert expired == shape["expired"]
    assert sum(shape["leaf_depths"].values()) == shape["counts"]["leaves"]
    assert max(int(d) for d in shape["ca_depths"]) >= 8  # deep chains exist


def test_the_case_file_gives_a_store_and_revocations(synthetic: Path, db: Database) -> None:
    load_paths(db, [synthetic / "certs"])
    report = casefile.apply(db, casefile.load(synthetic / "case.toml"))
    shape = json.loads((synthetic / "shape.json").read_text())
    assert report.counts["revocations"] == shape["revoked"]
    assert report.snapshots[0].anchors == shape["counts"]["roots"]


def test_same_seed_same_bytes(synthetic: Path, tmp_path: Path) -> None:
    generate(600, SEED, tmp_path / "again")
    assert _digest(tmp_path / "again") == _digest(synthetic)
    generate(600, SEED + 1, tmp_path / "other")
    assert _digest(tmp_path / "other") != _digest(synthetic)


def test_command_line_prints_the_shape(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["200", "--out", str(tmp_path / "s"), "--seed", str(SEED)])
    document = json.loads(capsys.readouterr().out)
    assert document["counts"]["certificates"] == 200 and "cycles" in document


@pytest.mark.parametrize(("text", "count"), [("10k", 10_000), ("1M", 1_000_000), ("250", 250)])
def test_counts(text: str, count: int) -> None:
    assert parse_count(text) == count


def test_bad_count() -> None:
    with pytest.raises(ValueError, match="lots"):
        parse_count("lots")
