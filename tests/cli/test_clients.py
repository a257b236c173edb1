"""``trustgraph clients`` as a user and a script meet it: exit codes, every format, and a
hostile certificate name that must stay text in all of them."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.factories.pki import PKI, when, write_pem
from trustgraph.cli import app

HOSTILE = "=cmd|' /C calc'!A0\n| <script>x</script> [bold]CA\u202e"


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "120"})


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A root in store "mozilla" (from 2020), an intermediate with a hostile name below it,
    and a leaf; the chain as a server sends it."""
    folder = tmp_path_factory.mktemp("clients")
    pki = PKI()
    root = pki.ca("Clients Root")
    anchor = pki.root(root)
    hostile = pki.ca(HOSTILE)
    intermediate = pki.issue(root, hostile)
    leaf = pki.leaf(hostile, "www.example", key_usage="leaf", not_before=when("2020-01-01"))
    db = folder / "c.db"
    for step in (
        ["load", str(write_pem(folder / "cas.pem", [anchor, intermediate]))],
        [
            "store",
            "add",
            "mozilla",
            str(write_pem(folder / "root.pem", [anchor])),
            "--as-of",
            "2020-01-01",
        ],
    ):
        done = run(*step, "--db", str(db), "--quiet")
        assert done.exit_code == 0, done.output
    return {
        "db": db,
        "chain": write_pem(folder / "chain.pem", [leaf, intermediate]),
        "leaf_only": write_pem(folder / "leaf.pem", [leaf]),
    }


def _clients(setup: dict[str, Path], chain: str, *extra: str) -> Any:
    return run("clients", str(setup[chain]), "--at", "2025-01-01", "--db", str(setup["db"]), *extra)


def test_every_client_accepting_exits_0(setup: dict[str, Path]) -> None:
    done = _clients(setup, "chain", "--client", "openssl-3", "--client", "go", "--format", "json")
    assert done.exit_code == 0, done.output
    document = json.loads(done.stdout)
    assert document["schema"].startswith("trustgraph.clients/")
    assert [c["client"] for c in document["clients"]] == ["openssl-3", "go"]
    for answer in document["clients"]:
        assert answer["outcome"] == "ok" and answer["reason"] is None
        assert [s["from"] for s in answer["path"]] == ["served", "served", "store"]
        assert answer["path"][1]["subject"] == document["served"][1]["subject"]
    assert len(document["served"]) == 2


def test_a_failing_or_unanswerable_client_exits_1(setup: dict[str, Path]) -> None:
    done = _clients(
        setup, "leaf_only", "--client", "openssl-3", "--client", "android-7.0", "--format", "json"
    )
    assert done.exit_code == 1, done.output
    answers = {c["client"]: c for c in json.loads(done.stdout)["clients"]}
    assert answers["openssl-3"]["outcome"] == "fails"
    assert answers["openssl-3"]["reason"].startswith("no trusted issuer found for")
    assert answers["android-7.0"]["outcome"] == "unknown"
    assert "trustgraph store add" in answers["android-7.0"]["reason"]


def test_a_hostile_name_stays_text_in_every_format(setup: dict[str, Path]) -> None:
    args = ("--client", "openssl-3", "--client", "gnutls-3.6.14")
    table = _clients(setup, "chain", *args)
    assert table.exit_code == 0, table.output
    assert "\u202e" not in table.stdout and "\\u202e" in table.stdout
    assert "<script>" in table.stdout  # shown, as text, in a terminal table
    markdown = _clients(setup, "chain", *args, "--format", "markdown")
    assert "<script>" not in markdown.stdout and "\\<script\\>" in markdown.stdout
    assert _table_shapes(markdown.stdout) == [6, 5]  # no name broke a row's cells
    spreadsheet = _clients(setup, "chain", *args, "--format", "csv")
    rows = list(csv.reader(io.StringIO(spreadsheet.stdout)))
    assert len(rows) == 1 + 2 + 2  # header, two clients, the two certificates served
    cells = [cell for row in rows for cell in row]
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)


def _table_shapes(markdown: str) -> list[int]:
    """The cell count of each Markdown table, or -1 for one whose rows disagree."""
    shapes: list[int] = []
    previous = ""
    for line in markdown.splitlines():
        if not line.startswith("|"):
            previous = line
            continue
        cells = len(re.split(r"(?<!\\)\|", line)) - 2
        if not previous.startswith("|"):
            shapes.append(cells)
        elif shapes[-1] != cells:
            shapes[-1] = -1
        previous = line
    return shapes


def test_the_profiles_are_listed_with_their_sources() -> None:
    done = run("clients-list", "--format", "json")
    assert done.exit_code == 0, done.output
    profiles = json.loads(done.stdout)["profiles"]
    names = [p["name"] for p in profiles]
    assert len(names) == len(set(names)) >= 15
    for profile in profiles:
        assert profile["citations"], profile["name"]
        assert all(
            c["source"].startswith("https://") or "differential tests" in c["source"]
            for c in profile["citations"]
        )


def test_the_chains_of_a_loaded_ca(setup: dict[str, Path]) -> None:
    """--ca: the chain a server sends for the CA's leaves, judged for a leaf of the CA."""
    done = run(
        "clients",
        "--ca",
        "Clients Root",
        "--at",
        "2025-01-01",
        "--client",
        "openssl-3",
        "--client",
        "firefox",
        "--db",
        str(setup["db"]),
        "--format",
        "json",
    )
    assert done.exit_code == 0, done.output
    document = json.loads(done.stdout)
    assert document["schema"].startswith("trustgraph.ca-clients/")
    [chain] = document["chains"]
    assert chain["variant"] == "long" and len(chain["certificates"]) == 1
    assert {c["client"]: c["outcome"] for c in chain["clients"]} == {
        "openssl-3": "ok",
        "firefox": "ok",
    }
    assert [s["from"] for s in chain["clients"][0]["path"]] == ["store"]


def test_a_chain_file_or_a_ca_not_both(setup: dict[str, Path]) -> None:
    both = run("clients", str(setup["chain"]), "--ca", "Clients Root", "--db", str(setup["db"]))
    neither = run("clients", "--db", str(setup["db"]))
    for done in (both, neither):
        assert done.exit_code == 2
        assert "give a CHAIN file or --ca TARGET (one of them)" in done.stderr
