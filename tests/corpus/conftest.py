"""The whole CCADB corpus in one database, loaded once for every test that needs it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from trustgraph.cli import app

runner = CliRunner()


def run(*args: str) -> Any:
    """``trustgraph ARGS`` in-process, on a terminal 120 columns wide."""
    return runner.invoke(app, list(args), env={"COLUMNS": "120"})


def answer(*args: str) -> Any:
    """The JSON answer of ``trustgraph ARGS`` (exit 1, nothing found, is an answer too)."""
    done = run(*args, "--format", "json")
    assert done.exit_code in (0, 1), done.output
    return json.loads(done.stdout)


def build(db: Path, steps: list[list[str]]) -> Path:
    """Run each command of ``steps`` on database ``db``; every one must succeed."""
    for step in steps:
        done = run(*step, "--db", str(db), "--quiet")
        assert done.exit_code == 0, done.output
    return db


@pytest.fixture(scope="session")
def ccadb_db(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("ccadb") / "ccadb.db"
    steps = [
        ["load", str(corpus / "ccadb/AllCertificatePEMsCSVFormat_crtsh_2026-08-20.csv.gz")],
        ["load", str(corpus / "ccadb/Mozilla_AllCertificateRecordsReport_2021-04-05.csv.gz")],
        [
            "store",
            "add",
            "mozilla",
            str(corpus / "certifi/cacert-certifi-2016.9.26.pem"),
            "--as-of",
            "2016-09-26",
        ],
        ["owners", "load", str(corpus / "owners/ca-relations-hiller2020.csv")],
    ]
    return build(db, steps)
