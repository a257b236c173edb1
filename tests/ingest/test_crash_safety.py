"""Interrupted loads: killed at every commit point, or stopped by a full disk, a load leaves
the database as after the inputs before it, and running the same command again gives
exactly what a clean load gives (certificates, edges, and the answers of reach and chains)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import resize_disk, small_disk
from tests.process import trustgraph

pytestmark = [pytest.mark.corpus, pytest.mark.slow]

PEMS = "ccadb/AllCertificatePEMsCSVFormat_crtsh_2026-08-20.csv.gz"
RECORDS = "ccadb/Mozilla_AllCertificateRecordsReport_2021-04-05.csv.gz"
BUNDLE = "certifi/cacert-certifi-2016.9.26.pem"
G2 = "Certification Authority of WoSign G2"
KILLED = -9


def _load_command(corpus: Path, db: Path) -> list[str]:
    return ["load", str(corpus / RECORDS), str(corpus / PEMS), "--db", str(db), "-q"]


def _snapshot(db: Path, corpus: Path) -> dict[str, str]:
    """What a clean load must reproduce, as a digest per part: the rows that carry meaning,
    and answers."""
    connection = sqlite3.connect(db)
    tables = {
        "certificates": "SELECT sha256, der IS NULL, ca_id FROM certificates ORDER BY sha256",
        "edges": "SELECT * FROM edges ORDER BY certificate",
        "cas": "SELECT ca_id, subject FROM cas ORDER BY ca_id",
        "revocations": "SELECT certificate, revoked_at, no_later_than FROM revocations "
        "ORDER BY certificate",
        "declarations": "SELECT * FROM declarations ORDER BY certificate",
        "operators": "SELECT certificate, owner FROM operator_facts ORDER BY certificate, owner",
    }
    result: dict[str, Any] = {
        name: connection.execute(sql).fetchall() for name, sql in tables.items()
    }
    connection.close()
    anchors = ["--anchors", str(corpus / BUNDLE)]
    for command in ("reach", "chains"):
        for at in ("2016-06-01", "2016-12-01"):
            done = trustgraph(
                command, G2, *anchors, "--at", at, "--db", str(db), "--format", "json", "-q"
            )
            document = json.loads(done.stdout)
            document.pop("provenance")
            result[f"{command} {at}"] = (done.returncode, document)
    return {
        name: hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()
        for name, value in result.items()
    }


@pytest.fixture(scope="module")
def clean(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    db = tmp_path_factory.mktemp("clean") / "clean.db"
    done = trustgraph(*_load_command(corpus, db))
    assert done.returncode == 0, done.stderr
    reach = trustgraph(
        "reach",
        G2,
        "--anchors",
        str(corpus / BUNDLE),
        "--at",
        "2016-06-01",
        "--db",
        str(db),
        "--format",
        "json",
        "-q",
    )
    assert json.loads(reach.stdout)["count"] >= 2  # Certum's way in is there
    return _snapshot(db, corpus)


@pytest.mark.parametrize("when", ["before", "after"])
def test_a_load_killed_at_any_commit_finishes_on_a_rerun(
    corpus: Path, tmp_path: Path, clean: dict[str, str], when: str
) -> None:
    points = 0
    for point in range(1, 10):
        db = tmp_path / f"killed-{point}.db"
        killed = trustgraph(*_load_command(corpus, db), kill_at=point, when=when)
        if killed.returncode != KILLED:
            assert killed.returncode == 0, killed.stderr
            break
        points += 1
        if db.exists():  # the database is always readable, whatever it holds so far
            status = trustgraph("status", "--db", str(db), "--format", "json")
            assert status.returncode == 0, status.stderr
        rerun = trustgraph(*_load_command(corpus, db))
        assert rerun.returncode == 0, rerun.stderr
        assert _snapshot(db, corpus) == clean, f"killed {when} commit {point}"
    assert points >= 3  # creating the database, the records report, the certificates


def test_a_full_disk_keeps_nothing_half_loaded(
    corpus: Path, tmp_path: Path, clean: dict[str, str]
) -> None:
    with small_disk(tmp_path / "disk", 24) as disk:
        db = disk / "full.db"
        full = trustgraph(*_load_command(corpus, db))
        assert full.returncode == 2
        assert "disk is full" in full.stderr and "Traceback" not in full.stderr
        assert "nothing of this step was kept" in full.stderr
        status = trustgraph("status", "--db", str(db), "--format", "json")
        assert status.returncode == 0, status.stderr
        assert json.loads(status.stdout)["counts"]["certificates"] == 0
        resize_disk(disk, 400)
        rerun = trustgraph(*_load_command(corpus, db))
        assert rerun.returncode == 0, rerun.stderr
        assert _snapshot(db, corpus) == clean
