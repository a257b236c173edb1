"""Shared fixtures: the real-data corpus, a fresh database, and loading generated PKIs."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.pki import PKI, Cert, write_pem
from trustgraph.database import Database
from trustgraph.loader import load_paths

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
        message = f"real-data corpus not found at {path} (set TRUSTGRAPH_CORPUS)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


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
