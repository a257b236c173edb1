"""Shared fixtures: the real-data corpus, a fresh database, and loading generated PKIs."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests import neo4j_server
from tests.factories.pki import PKI, Cert, write_pem
from tests.fuzzing import long_runs
from trustgraph.backends.neo4j.connection import Neo4jGraph, Neo4jSettings
from trustgraph.backends.neo4j.push import clear
from trustgraph.ingest.loader import load_paths
from trustgraph.storage.database import Database

PROJECT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("TRUSTGRAPH_CHROMIUM", "/usr/bin/chromium")


def pytest_configure(config: pytest.Config) -> None:
    """``pytest -m fuzz`` searches at length (see :mod:`tests.fuzzing`)."""
    long_runs("fuzz" in (config.getoption("markexpr", "") or ""))


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
        unavailable(f"real-data corpus not found at {path} (set TRUSTGRAPH_CORPUS)")
    return path


def unavailable(message: str) -> None:
    """Skip on a developer's machine; under CI=true, fail: CI must run every test."""
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    missing = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing = "the playwright package is not installed"
    if missing is None and not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        missing = (
            f"no chromium at {CHROMIUM} (apt-get install chromium, or set TRUSTGRAPH_CHROMIUM)"
        )
    if missing:
        unavailable(missing)
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                # WebGL without a GPU: Chromium's software renderer.
                "--enable-unsafe-swiftshader",
                "--use-angle=swiftshader",
            ],
        )
        yield instance
        instance.close()


@pytest.fixture(scope="session")
def neo4j_process() -> Iterator[neo4j_server.RunningNeo4j | None]:
    """The test server of the session (None when NEO4J_URI names another Neo4j)."""
    if os.environ.get("NEO4J_URI"):
        yield None
        return
    try:
        server = neo4j_server.start()
    except neo4j_server.Neo4jUnavailable as exc:
        unavailable(f"no Neo4j for the tests: {exc}")
        return
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def neo4j_settings(neo4j_process: neo4j_server.RunningNeo4j | None) -> Neo4jSettings:
    """The Neo4j the tests use: NEO4J_URI (NEO4J_USER, NEO4J_PASSWORD) when set, whose
    trustgraph data the tests delete; else the session's test server."""
    if neo4j_process is None:
        return Neo4jSettings.from_environment()
    return Neo4jSettings(neo4j_process.uri)


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


@contextmanager
def small_disk(path: Path, megabytes: int) -> Iterator[Path]:
    """A tmpfs of ``megabytes`` at ``path`` (root only), for tests of a full disk; under
    CI=true a machine that cannot mount one fails the test."""
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={megabytes}m", "tmpfs", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        unavailable(f"cannot mount a small tmpfs for a full-disk test: {done.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def resize_disk(path: Path, megabytes: int) -> None:
    """Give the tmpfs of :func:`small_disk` another size."""
    subprocess.run(["mount", "-o", f"remount,size={megabytes}m", str(path)], check=True)


@contextmanager
def read_only_view(folder: Path, at: Path) -> Iterator[Path]:
    """``folder`` mounted read-only at ``at`` (a bind mount; root only)."""
    at.mkdir(parents=True, exist_ok=True)
    for command in (
        ["mount", "--bind", str(folder), str(at)],
        ["mount", "-o", "remount,bind,ro", str(at)],
    ):
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            subprocess.run(["umount", str(at)], check=False)
            unavailable(f"cannot make a read-only mount: {done.stderr.strip()}")
    try:
        yield at
    finally:
        subprocess.run(["umount", "-l", str(at)], check=False)


def database_with_store(
    folder: Path, certs: list[Cert], anchors: list[Cert], store: str = "s"
) -> Path:
    """A database in ``folder`` with ``certs`` loaded and a trust store ``store`` whose one
    snapshot (2015-01-01) holds ``anchors``."""
    from trustgraph.ingest import stores

    path = folder / "test.db"
    with Database(path) as db:
        load_paths(db, [write_pem(folder / "all.pem", certs)])
        stores.add_snapshot(db, store, write_pem(folder / "anchors.pem", anchors), "2015-01-01")
    return path
