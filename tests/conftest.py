"""Shared fixtures: the real-data corpus, a fresh database, and loading generated PKIs."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import neo4j_server
from tests.factories.pki import PKI, Cert, write_pem
from trustgraph.backends.neo4j.connection import Neo4jGraph, Neo4jSettings
from trustgraph.backends.neo4j.push import clear
from trustgraph.ingest.loader import load_paths
from trustgraph.storage.database import Database

PROJECT = Path(__file__).resolve().parents[1]


def corpus_path() -> Path:
    """The shared real-data corpus: $TRUSTGRAPH_CORPUS, else ``../shared/data`` next to this
    checkout, else next to the repository it was cloned from (a fresh clone in a temporary
    folder still finds the corpus of the working copy it came from)."""
    explicit = os.environ.get("TRUSTGRAPH_CORPUS")
    if explicit:
        return Path(explicit)
    candidates = [PROJECT.parent / "shared" / "data"]
    origin = subprocess.run(
        ["git", "-C", str(PROJECT), "remote", "get-url", "origin"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    if origin and Path(origin).is_dir():
        candidates.append(Path(origin).resolve().parent / "shared" / "data")
    return next((c for c in candidates if c.is_dir()), candidates[0])


@pytest.fixture(scope="session")
def corpus() -> Path:
    path = corpus_path()
    if not (path / "wosign_case" / "certs").is_dir():
        _unavailable(f"real-data corpus not found at {path} (set TRUSTGRAPH_CORPUS)")
    return path


def _unavailable(message: str) -> None:
    """Skip on a developer's machine; under CI=true, fail: CI must run every test."""
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def neo4j_settings() -> Iterator[Neo4jSettings]:
    """The Neo4j the tests use: NEO4J_URI (NEO4J_USER, NEO4J_PASSWORD) when set, whose
    trustgraph data the tests delete; else a fresh test server for the session."""
    if os.environ.get("NEO4J_URI"):
        yield Neo4jSettings.from_environment()
        return
    try:
        server = neo4j_server.start()
    except neo4j_server.Neo4jUnavailable as exc:
        _unavailable(f"no Neo4j for the tests: {exc}")
        return
    try:
        yield Neo4jSettings(server.uri)
    finally:
        server.stop()


@pytest.fixture
def neo4j(neo4j_settings: Neo4jSettings) -> Iterator[Neo4jGraph]:
    """A connection to the test Neo4j, emptied of trustgraph data first."""
    with Neo4jGraph(neo4j_settings) as neo:
        clear(neo)
        yield neo


@pytest.fixture
def neo4j_env(neo4j: Neo4jGraph, monkeypatch: pytest.MonkeyPatch) -> Neo4jGraph:
    """The test Neo4j, emptied, and named in the environment for commands."""
    settings = neo4j.settings
    monkeypatch.setenv("NEO4J_URI", settings.uri)
    for name, value in (("NEO4J_USER", settings.user), ("NEO4J_PASSWORD", settings.password)):
        if value:
            monkeypatch.setenv(name, value)
        else:
            monkeypatch.delenv(name, raising=False)
    return neo4j


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    with Database(tmp_path / "test.db") as database:
        yield database


@pytest.fixture
def pki() -> PKI:
    return PKI()


def load_certs(db: Database, tmp_path: Path, certs: list[Cert], name: str = "pki.pem") -> None:
    """Write ``certs`` as one PEM bundle and load it."""
    report = load_paths(db, [write_pem(tmp_path / name, certs)])
    assert report.reconciles and not report.skipped
