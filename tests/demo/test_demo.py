"""The built-in WoSign demo: offline, from any directory, declared and verified."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from trustgraph.demo.story import as_document, run_demo

CERTUM_CROSS = {
    "1092c43d57bcda0af70291e37fdde88b02de83e3f4013272d4ca2ae3c7498fe4",
    "7bda50131ea7e55c8fdda63563d12314a7159d5621333ba8bcdad0b8a3a50e6c",
}


def _ways(document: dict[str, Any], at: str) -> set[tuple[str, str, str]]:
    day = next(d for d in document["dates"] if d["at"].startswith(at))
    return {(w["anchor"]["label"], w["entry_certificate"], w["edge_kind"]) for w in day["ways_in"]}


def _entries(ways: set[tuple[str, str, str]]) -> set[tuple[str, str]]:
    """The anchors and entry certificates of some ways in, without their edge kinds."""
    return {(anchor, entry) for anchor, entry, _kind in ways}


@pytest.fixture(scope="module")
def declared(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return as_document(run_demo(tmp_path_factory.mktemp("demo")))


def test_startcom_and_certum_in_mid_2016(declared: dict[str, Any]) -> None:
    ways = _ways(declared, "2016-06-01")
    anchors = {anchor for anchor, _entry, _kind in ways}
    assert {"StartCom Certification Authority", "Certum CA"} <= anchors
    assert {entry for _anchor, entry, _kind in ways} >= CERTUM_CROSS
    assert {kind for _a, _e, kind in ways} == {"declared"}


def test_certum_path_closes_on_2016_11_29(declared: dict[str, Any]) -> None:
    for fingerprint in CERTUM_CROSS:
        [interval] = declared["entry_certificate_timelines"][fingerprint]
        assert interval["until"] == "2016-11-29T00:00:00Z"
        assert [e["kind"] for e in interval["closed_by"]] == ["revoked"]
    after = _ways(declared, "2016-12-01")
    assert not CERTUM_CROSS & {entry for _a, entry, _k in after}


def test_after_the_roots_left_nothing_reaches_wosign(declared: dict[str, Any]) -> None:
    last = declared["dates"][-1]
    assert last["wosign_roots_in_store"] == [] and last["ways_in"] == []
    assert last["reachable_without_wosign_roots"] == []
    lookalike_operators = {w["entered"]["operator"]["owner"] for w in last["ways_into_lookalikes"]}
    assert "WoSign CA Limited" not in lookalike_operators and lookalike_operators


def test_mirror_tells_the_same_story_verified(
    declared: dict[str, Any], corpus: Path, tmp_path: Path
) -> None:
    verified = as_document(run_demo(tmp_path / "demo", corpus / "wosign_case" / "certs"))
    assert verified["edges"].get("edges_declared", 0) == 0
    for day in declared["dates"]:
        at = day["at"][:10]
        assert _entries(_ways(verified, at)) == _entries(_ways(declared, at))
        assert {k for _a, _e, k in _ways(verified, at)} <= {"verified"}


def test_cli_runs_offline_from_any_directory(tmp_path: Path) -> None:
    env = {**os.environ, "TRUSTGRAPH_CRTSH_URL": "http://127.0.0.1:9/"}
    result = subprocess.run(
        [sys.executable, "-m", "trustgraph", "demo", "--format", "json", "--out", "here"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert (tmp_path / "here" / "trustgraph.db").exists()
    assert [d["at"][:10] for d in document["dates"]] == [
        "2016-06-01",
        "2016-10-21",
        "2016-12-01",
        "2017-06-01",
        "2017-11-15",
    ]
    text = subprocess.run(
        [sys.executable, "-m", "trustgraph", "demo", "--out", "here"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert text.returncode == 0 and "Certum CA -> Certification Authority of WoSign G2" in (
        text.stdout
    )


@pytest.mark.slow
@pytest.mark.parametrize("megabytes", [1, 2, 3, 4])
def test_a_full_disk_gives_a_whole_demo_or_one_true_line(tmp_path: Path, megabytes: int) -> None:
    """On a disk that fills at some step of the demo, the command either finishes with a
    database that opens, or says the disk is full, and leaves no half-built database (the
    write-ahead log of a database built beside its target must be in the file before the
    file is renamed, or the renamed file is damaged)."""
    from tests.conftest import small_disk
    from trustgraph.cli import app
    from trustgraph.storage.database import Database

    with small_disk(tmp_path / "disk", megabytes) as disk:
        done = CliRunner().invoke(app, ["demo", "--out", str(disk), "--quiet"])
        if done.exit_code == 0:
            Database(disk / "trustgraph.db", readonly=True).close()
            return
        assert done.exit_code == 2, done.output
        assert "the disk is full" in done.output and "damaged" not in done.output
        assert not (disk / "trustgraph.db.building").exists()
        if (disk / "trustgraph.db").exists():
            Database(disk / "trustgraph.db", readonly=True).close()
