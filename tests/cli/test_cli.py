"""The command line: output formats, self-describing JSON, exit codes, safe terminal text."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.factories.pki import PKI, write_pem
from trustgraph.cli import app
from trustgraph.version import __version__

runner = CliRunner()


@pytest.fixture
def small_pki(tmp_path: Path) -> dict[str, Path]:
    pki = PKI()
    root = pki.ca("CLI Root")
    other = pki.ca("Other Root")
    roots = [pki.root(root), pki.root(other)]
    inter = pki.ca("[link=https://evil.example]click me[/link] CA")
    pki.issue(root, inter)
    pki.issue(inter, "Issuing CA")
    pki.issue(other, "Unrelated CA")
    return {
        "all": write_pem(tmp_path / "all.pem", pki.certs),
        "anchors": write_pem(tmp_path / "anchors.pem", roots[:1]),
        "db": tmp_path / "cli.db",
    }


def _invoke(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), env={"COLUMNS": "300"})


def test_load_json_and_table(small_pki: dict[str, Path]) -> None:
    result = _invoke(
        "load", str(small_pki["all"]), "--db", str(small_pki["db"]), "--format", "json"
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["schema"] == "trustgraph.load/4" and document["trustgraph"] == __version__
    assert (document["found"], document["loaded"], document["skipped"]) == (5, 5, 0)
    assert document["database"]["edges_verified"] == 5
    assert document["provenance"]["sources"][0]["path"] == str(small_pki["all"])
    table = _invoke("load", str(small_pki["all"]), "--db", str(small_pki["db"]))
    assert table.exit_code == 0 and "5 duplicates" in table.stdout


def test_load_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = _invoke("load", str(tmp_path / "missing.pem"), "--db", str(tmp_path / "x.db"))
    assert result.exit_code == 2 and "no such file" in result.stderr


def test_chains_json_is_self_describing(small_pki: dict[str, Path]) -> None:
    _invoke("load", str(small_pki["all"]), "--db", str(small_pki["db"]))
    result = _invoke(
        "chains",
        "Issuing CA",
        "--anchors",
        str(small_pki["anchors"]),
        "--at",
        "2020-01-01",
        "--format",
        "json",
        "--db",
        str(small_pki["db"]),
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["schema"] == "trustgraph.chains/4"
    assert document["parameters"]["at"] == "2020-01-01T00:00:00Z"
    assert document["parameters"]["anchors"]["kind"] == "files"
    assert document["parameters"]["signature_policy"]["not_accepted_from"]["sha1"]
    assert document["provenance"]["database"] == str(small_pki["db"])
    assert document["truncated"] is False
    [path] = document["paths"]
    assert path["length"] == 2 and path["weakest_edge"] == "verified"
    assert len(path["certificates"]) == 3
    assert [step["kind"] for step in path["steps"]] == ["verified", "verified"]


def test_no_path_exits_1_with_an_empty_list(small_pki: dict[str, Path]) -> None:
    _invoke("load", str(small_pki["all"]), "--db", str(small_pki["db"]))
    result = _invoke(
        "chains",
        "Unrelated CA",
        "--anchors",
        str(small_pki["anchors"]),
        "--format",
        "json",
        "--db",
        str(small_pki["db"]),
    )
    assert result.exit_code == 1
    assert json.loads(result.stdout)["paths"] == []
    reach = _invoke(
        "reach",
        "Unrelated CA",
        "--anchors",
        str(small_pki["anchors"]),
        "--format",
        "json",
        "--db",
        str(small_pki["db"]),
    )
    assert reach.exit_code == 1 and json.loads(reach.stdout)["anchors"] == []


def test_ambiguous_target_lists_candidates(small_pki: dict[str, Path]) -> None:
    _invoke("load", str(small_pki["all"]), "--db", str(small_pki["db"]))
    result = _invoke("chains", "Root", "--db", str(small_pki["db"]))
    assert result.exit_code == 2
    assert "CLI Root" in result.stderr and "Other Root" in result.stderr


def test_terminal_tables_print_markup_literally(small_pki: dict[str, Path]) -> None:
    _invoke("load", str(small_pki["all"]), "--db", str(small_pki["db"]))
    result = _invoke(
        "chains", "Issuing CA", "--anchors", str(small_pki["anchors"]), "--db", str(small_pki["db"])
    )
    assert "[link=https://evil.example]click me[/link] CA" in result.stdout
    assert "\x1b]8;" not in result.stdout  # no terminal hyperlink was made


def test_csv_and_reach(small_pki: dict[str, Path]) -> None:
    _invoke("load", str(small_pki["all"]), "--db", str(small_pki["db"]))
    result = _invoke("chains", "Issuing CA", "--format", "csv", "--db", str(small_pki["db"]))
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [row["length"] for row in rows] == ["2"]
    reach = _invoke("reach", "Issuing CA", "--format", "json", "--db", str(small_pki["db"]))
    anchors = json.loads(reach.stdout)["anchors"]
    assert [a["shortest_path"] for a in anchors] == [2]
    assert "self-signed root" in reach.stderr


def test_export_jsonl(small_pki: dict[str, Path], tmp_path: Path) -> None:
    _invoke("load", str(small_pki["all"]), "--db", str(small_pki["db"]))
    out = tmp_path / "export.jsonl"
    result = _invoke("export", "--format", "jsonl", "--out", str(out), "--db", str(small_pki["db"]))
    assert result.exit_code == 0
    objects = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(objects) == 5
    required = {
        "sha256",
        "subject",
        "issuer",
        "serial",
        "not_before",
        "not_after",
        "ca",
        "issuer_ca",
        "edge",
    }
    assert all(required <= set(obj) for obj in objects)
    assert {obj["edge"] for obj in objects} == {"verified"}


def test_bad_date_is_a_usage_error(small_pki: dict[str, Path]) -> None:
    _invoke("load", str(small_pki["all"]), "--db", str(small_pki["db"]))
    result = _invoke("chains", "Issuing CA", "--at", "yesterday", "--db", str(small_pki["db"]))
    assert result.exit_code == 2 and "not a date" in result.stderr


def test_query_without_database_says_what_to_do(tmp_path: Path) -> None:
    result = _invoke("chains", "x", "--db", str(tmp_path / "none.db"))
    assert result.exit_code == 2 and "trustgraph load" in result.stderr
