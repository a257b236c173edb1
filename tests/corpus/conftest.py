"""The whole CCADB corpus in one database, loaded once for every test that needs it."""

from __future__ import annotations

import json
import shutil
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


CRTSH = "rootstores/crtsh-root-programs-2020-2025.tar.xz"
CERTIFI = "certifi/certifi-history-2014-2026.tar.xz"
STL = "rootstores/microsoft/authroot-stl"
MS_CA = "rootstores/microsoft/ms-ca-snapshots-2012-2019.tar.xz"
APPLE = "rootstores/apple/apple-ios5-12-macos10.9-10.14.tar.xz"
ANDROID = "rootstores/android/android-2.3-10.tar.xz"


@pytest.fixture(scope="session")
def history_db(ccadb_db: Path, corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The CCADB corpus with every root program's history: Microsoft's trust lists and old
    roots, Apple's and Android's archives, crt.sh's snapshots of nine programs and
    certifi's Mozilla bundles."""
    db = tmp_path_factory.mktemp("history") / "history.db"
    shutil.copy(ccadb_db, db)
    steps = [
        ["load", str(corpus / MS_CA)],
        ["store", "add", "microsoft", str(corpus / STL)],
        ["store", "add", "apple-ios", str(corpus / APPLE)],
        ["store", "add", "android", str(corpus / ANDROID)],
        ["store", "add", "all", str(corpus / CRTSH)],
        ["store", "add", "apple-ios", str(corpus / CRTSH)],
        ["store", "add", "mozilla", str(corpus / CERTIFI)],
    ]
    return build(db, steps)
