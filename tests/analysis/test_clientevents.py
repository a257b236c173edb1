"""Clients over time and under a scenario, on a generated PKI shaped like DST Root CA X3's
expiry: an old root (expiring 2030-05-30, removed from the Mozilla-style store on
2030-07-01), a new root cross-signed by it with a cross-certificate that outlives it, an
intermediate under the new root, another reached only through the old root, and leaves
under both."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.factories.pki import PKI, when, write_pem
from trustgraph.cli import app

OLD = {"not_before": when("2010-01-01"), "not_after": when("2030-05-30")}
NEW = {"not_before": when("2015-01-01"), "not_after": when("2040-01-01")}
LEAF = {"not_before": when("2030-01-01"), "not_after": when("2031-01-01"), "key_usage": "leaf"}


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("events")
    pki = PKI()
    old, new = pki.ca("Old Root"), pki.ca("New Root")
    old_root, new_root = pki.root(old, **OLD), pki.root(new, **NEW)
    cross = pki.issue(old, new, **NEW)
    served_ca, legacy_ca = pki.ca("Served CA"), pki.ca("Legacy CA")
    served = pki.issue(new, served_ca, **NEW)
    legacy = pki.issue(old, legacy_ca, **OLD)
    leaves = [pki.leaf(served_ca, f"www.site{n}.example", **LEAF) for n in range(2)]
    leaves += [pki.leaf(legacy_ca, f"www.old{n}.example", **LEAF) for n in range(3)]
    path = str(folder / "e.db")
    steps = [
        ["load", str(write_pem(folder / "cas.pem", [old_root, new_root, cross, served, legacy]))],
        [
            "store",
            "add",
            "mozilla",
            str(write_pem(folder / "both.pem", [old_root, new_root])),
            "--as-of",
            "2029-01-01",
        ],
        [
            "store",
            "add",
            "mozilla",
            str(write_pem(folder / "new.pem", [new_root])),
            "--as-of",
            "2030-07-01",
        ],
        [
            "store",
            "add",
            "android",
            str(write_pem(folder / "old.pem", [old_root])),
            "--as-of",
            "2016-08-01",
        ],
        ["ct", "load", str(write_pem(folder / "leaves.pem", leaves))],
    ]
    for step in steps:
        done = run(*step, "--db", path, "--quiet")
        assert done.exit_code == 0, done.output
    return path


def test_a_timeline_says_when_each_client_breaks_and_recovers(db: str) -> None:
    done = run(
        "timeline",
        "Served CA",
        "--store",
        "mozilla",
        "--since",
        "2030-01-01",
        "--until",
        "2030-12-31",
        "--clients",
        "openssl-1.0.2,openssl-1.1.1,firefox",
        "--db",
        db,
        "--format",
        "json",
    )
    assert done.exit_code == 0, done.output
    clients = json.loads(done.stdout)["clients"]
    spans = {
        (s["client"], s["chain"].split(":")[0].split(" ")[0], s["from"][:10]): s["outcome"]
        for s in clients["spans"]
    }
    long_1_0_2 = sorted(
        (s["from"], s["outcome"], s["reason"])
        for s in clients["spans"]
        if s["client"] == "openssl-1.0.2" and "(by Old Root)" in s["chain"]
    )
    assert long_1_0_2 == [
        ("2030-01-01T00:00:00Z", "ok", None),
        ("2030-05-30T00:00:01Z", "fails", "Old Root: expired on 2030-05-30"),
        ("2030-07-01T00:00:00Z", "ok", None),
    ]
    refused = [s["leaves_refused"] for s in clients["spans"] if s["outcome"] == "fails"]
    assert refused == [2]  # Served CA's two leaves, unexpired when the old root expires
    assert all(
        outcome == "ok" for (client, _, _), outcome in spans.items() if client != "openssl-1.0.2"
    )
    assert {c["variant"] for c in clients["chains"]} == {"long", "short"}


def test_an_impact_names_the_clients_that_break_and_the_leaves_they_lose(db: str) -> None:
    done = run(
        "impact",
        "--store",
        "mozilla",
        "--at",
        "2030-03-01",
        "--distrust-root",
        "Old Root",
        "--clients",
        "openssl-1.0.2,openssl-1.1.1,firefox,android",
        "--db",
        db,
        "--format",
        "json",
    )
    assert done.exit_code in (0, 1), done.output
    clients = json.loads(done.stdout)["clients"]
    summary = {row["client"]: row for row in clients["summary"]}
    for name in ("openssl-1.0.2", "openssl-1.1.1", "firefox"):
        assert summary[name]["cas_broken"] == 2, name  # Old Root's own leaves, Legacy CA
        assert summary[name]["leaves_broken"] == 3, name
        assert summary[name]["domains_broken_at_most"] == 3, name
    # Android keeps its own store: Mozilla's decision does not reach it
    assert summary["android"]["cas_broken"] == 0
    assert summary["android"]["leaves_broken"] == 0
    broken = {(o["client"], o["reason_after"]) for o in clients["outcomes"] if o["breaks"]}
    assert ("openssl-1.1.1", "no trusted issuer found for Legacy CA") in broken
    assert ("firefox", "no trusted issuer found for a leaf of Old Root") in broken


def test_removing_the_expired_root_mends_the_served_first_clients(db: str) -> None:
    """After the old root expires, removing it lets OpenSSL 1.0.2 find the new root: for
    Served CA and for the new root itself, both sent with the cross-certificate."""
    done = run(
        "impact",
        "--store",
        "mozilla",
        "--at",
        "2030-06-15",
        "--distrust-root",
        "Old Root",
        "--clients",
        "openssl-1.0.2,openssl-1.0.1,openssl-1.1.1",
        "--db",
        db,
        "--format",
        "json",
    )
    assert done.exit_code in (0, 1), done.output
    summary = {r["client"]: r for r in json.loads(done.stdout)["clients"]["summary"]}
    assert summary["openssl-1.0.2"]["cas_mended"] == 2
    assert summary["openssl-1.0.1"]["cas_mended"] == 0  # no alternative chains
    assert summary["openssl-1.1.1"]["cas_mended"] == 0  # it never built through Old Root


def test_clients_need_one_store(db: str, tmp_path: Path) -> None:
    done = run(
        "impact",
        "--store",
        "all",
        "--at",
        "2030-03-01",
        "--distrust-root",
        "Old Root",
        "--clients",
        "default",
        "--db",
        db,
    )
    assert done.exit_code == 2
    assert "--clients answers for one --store at a time" in done.stderr


def test_the_client_range_defaults_to_the_year_before(db: str) -> None:
    """Without --since, 365 days before --until (a leap day has no same day a year
    before)."""
    done = run(
        "timeline",
        "Served CA",
        "--store",
        "mozilla",
        "--until",
        "2032-02-29",
        "--clients",
        "openssl-3",
        "--db",
        db,
        "--format",
        "json",
    )
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["clients"]["since"] == "2031-03-01T00:00:00Z"
