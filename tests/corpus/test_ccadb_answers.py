"""Answers on the whole CCADB corpus that depend on scope and on owners over time."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from tests.corpus.conftest import run
from trustgraph.analysis.checks import run_checks
from trustgraph.analysis.checks.base import HIGH, INFO
from trustgraph.graph.owners import owner_key
from trustgraph.storage import certificates
from trustgraph.storage.database import Database
from trustgraph.stored import StoredRecords
from trustgraph.x509.keyusage import allows_server_auth

pytestmark = [pytest.mark.corpus, pytest.mark.slow]
G5 = "VeriSign Class 3 Public Primary Certification Authority - G5"


def _impact(db: Path, *scenario: str) -> dict[str, Any]:
    """The JSON answer of ``impact`` on Mozilla's store at 2017-03-01 for ``scenario``."""
    done = run(
        "impact", "--store", "mozilla", "--at", "2017-03-01", *scenario,
        "--format", "json", "--db", str(db), "--quiet",
    )  # fmt: skip
    assert done.exit_code in (0, 1), done.output
    return dict(json.loads(done.stdout))


def _own_eku(db: Database, fingerprint: str) -> tuple[str, ...] | None:
    row = db.conn.execute("SELECT eku FROM certificates WHERE sha256 = ?", (fingerprint,))
    value = row.fetchone()[0]
    return None if value is None else tuple(json.loads(value))


def test_no_high_finding_is_about_a_ca_that_cannot_serve_tls(ccadb_db: Path) -> None:
    with Database(ccadb_db, readonly=True) as db:
        tls = run_checks(StoredRecords(db))
        every = run_checks(StoredRecords(db), scope="all")
        high = [f for f in tls.findings if f.severity == HIGH]
        assert high
        assert all(allows_server_auth(_own_eku(db, fp)) for f in high for fp in f.certificates)
        outside = [f for f in every.findings if f.scope is not None and not f.scope.tls]
        assert outside and all(f.severity == INFO for f in outside)
        assert len(outside) == sum(tls.out_of_scope.values())
        kept = {(f.check, tuple(f.certificates)) for f in tls.findings}
        assert kept == {
            (f.check, tuple(f.certificates)) for f in every.findings if f not in outside
        }
        stamping = [f for f in outside if "timeStamping" in (f.scope.reason if f.scope else "")]
        assert stamping, "time-stamping CAs with SHA-1 are out of TLS scope"


def test_distrusting_symantec_in_2017_watches_its_brands(ccadb_db: Path) -> None:
    result = _impact(ccadb_db, "--distrust-owner", "Symantec")
    organisations = {o.split(",")[0].casefold() for o in result["parameters"]["owners_distrusted"]}
    assert {"symantec corporation", "verisign", "geotrust inc", "thawte"} <= organisations
    subjects = " ".join(w["subject"] for w in result["watched"]).casefold()
    for brand in ("o=verisign", "o=geotrust", "o=thawte", "o=symantec"):
        assert brand in subjects, brand
    removed = {a["label"] for a in result["anchors"]["removed"]}
    assert {G5, "GeoTrust Global CA", "thawte Primary Root CA"} <= removed
    assert all(
        w["operator"]["owner"] in result["parameters"]["owners_distrusted"]
        for w in result["watched"]
    )
    assert not any("o=digicert" in w["subject"].casefold() for w in result["watched"])


def test_distrusting_a_root_by_name_watches_what_chained_through_it(ccadb_db: Path) -> None:
    result = _impact(ccadb_db, "--distrust-root", G5)
    assert [a["label"] for a in result["anchors"]["removed"]] == [G5]
    g5 = result["anchors"]["removed"][0]["ca"]
    watched = result["watched"]
    assert 0 < len(watched) < 200  # not DigiCert's whole estate (about 1,400 CAs)
    assert all(g5 in w["anchors_before"] for w in watched if w["ca"] != g5)


COLLATERAL = ("Apple IST CA 2 - G1", "Google Internet Authority G2")


def test_distrusting_symantec_counts_the_cas_of_others_that_fall_with_it(
    ccadb_db: Path,
) -> None:
    """Apple's and Google's CAs chained only through Symantec's roots in 2017: removing
    those roots takes them down too, though neither is Symantec's."""
    result = _impact(ccadb_db, "--distrust-owner", "Symantec")
    counts = result["counts"]
    collateral = {item["label"]: item for item in result["collateral"]}
    for label in COLLATERAL:
        assert label in collateral, label
        assert (
            collateral[label]["operator"]["owner"] not in result["parameters"]["owners_distrusted"]
        )
        assert collateral[label]["path_before"]["length"] >= 1
    assert collateral["Apple IST CA 2 - G1"]["operator"]["owner"] == "Apple Inc."
    removed = {a["ca"] for a in result["anchors"]["removed"]}
    watched = {w["ca"] for w in result["watched"]}
    for item in result["collateral"]:
        assert item["ca"] not in watched
        assert item["anchors_before"] and set(item["anchors_before"]) <= removed
    assert counts["collateral"] == len(result["collateral"]) > 50
    assert counts["lose_every_path"] == counts["lost"] + counts["collateral"]
    assert counts["watched"] == counts["lost"] + counts["survive"] + counts["not_reachable_before"]
    assert counts["reconciled"] is True
    grouped = result["collateral_by_operator"]
    assert sum(group["count"] for group in grouped) == counts["collateral"]
    assert [g["count"] for g in grouped] == sorted((g["count"] for g in grouped), reverse=True)


def test_the_collateral_was_reachable_before_only_from_the_removed_anchors(
    ccadb_db: Path,
) -> None:
    """``reach`` (a backward search, not impact's forward one) agrees: before the scenario
    each collateral CA is reached from removed anchors only."""
    result = _impact(ccadb_db, "--distrust-owner", "Symantec")
    removed = {a["ca"] for a in result["anchors"]["removed"]}
    for item in result["collateral"]:
        if item["label"] not in COLLATERAL:
            continue
        done = run(
            "reach", item["ca"], "--store", "mozilla", "--at", "2017-03-01",
            "--format", "json", "--db", str(ccadb_db), "--quiet",
        )  # fmt: skip
        assert done.exit_code == 0, done.output
        reached = {anchor["ca"] for anchor in json.loads(done.stdout)["anchors"]}
        assert reached and reached <= removed
        assert reached == set(item["anchors_before"])


def test_an_owner_and_its_removed_roots_take_down_the_same_cas(ccadb_db: Path) -> None:
    by_owner = _impact(ccadb_db, "--distrust-owner", "Symantec")
    roots = [a["ca"] for a in by_owner["anchors"]["removed"]]
    by_roots = _impact(ccadb_db, *(arg for ca in roots for arg in ("--distrust-root", ca)))
    assert sorted(a["ca"] for a in by_roots["anchors"]["removed"]) == sorted(roots)

    def fallen(answer: dict[str, Any]) -> set[str]:
        return {item["ca"] for item in answer["lost"]} | {
            item["ca"] for item in answer["collateral"]
        }

    assert fallen(by_owner) == fallen(by_roots)
    assert len(fallen(by_owner)) == by_owner["counts"]["lose_every_path"] > 100


@pytest.mark.parametrize("fmt", ["table", "markdown", "csv"])
def test_every_format_lists_the_collateral_with_its_operator(ccadb_db: Path, fmt: str) -> None:
    done = run(
        "impact", "--store", "mozilla", "--at", "2017-03-01", "--distrust-owner", "Symantec",
        "--format", fmt, "--db", str(ccadb_db), "--quiet",
    )  # fmt: skip
    assert done.exit_code in (0, 1), done.output
    answer = _impact(ccadb_db, "--distrust-owner", "Symantec")
    operators = {item["label"]: item["operator"]["owner"] for item in answer["collateral"]}
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(done.stdout)))
        listed = {row["CA"]: row["operator"] for row in rows if row["section"] == "collateral"}
        assert listed == operators
        return
    lines = done.stdout.splitlines()
    for label in COLLATERAL:
        if fmt == "markdown":
            row = next(line for line in lines if f"| {label} |" in line)
            assert row.startswith(f"| {operators[label]} |")
        else:
            assert any(label in line and operators[label] in line for line in lines), label
    summary = done.stdout.split("\n###")[0] if fmt == "markdown" else done.stdout.split("\n\n")[0]
    assert f"{answer['counts']['collateral']} collateral" in summary
    assert len(summary.splitlines()) <= 24


def _target(db: Path, target: str) -> dict[str, Any]:
    done = run(
        "reach", target, "--store", "mozilla", "--at", "2016-10-21",
        "--format", "json", "--db", str(db), "--quiet",
    )  # fmt: skip
    assert done.exit_code in (0, 1), done.output
    return dict(json.loads(done.stdout))


def test_an_operator_target_names_the_cas_of_its_name_that_others_operate(
    ccadb_db: Path,
) -> None:
    """CCADB files WoSign EV SSL CA under Asseco and WoSign Client Authority under Sectigo:
    operator:WoSign leaves them out, and says so; organization:WoSign takes them in."""
    operated = _target(ccadb_db, "operator:WoSign")
    target = operated["parameters"]["target"]
    elsewhere = {item["label"]: item for item in target["attributed_elsewhere"]}
    assert elsewhere["WoSign EV SSL CA"]["operator"].startswith("Asseco")
    assert elsewhere["WoSign Client Authority"]["operator"] == "Sectigo"
    assert not {item["ca"] for item in elsewhere.values()} & set(target["cas"])
    [caveat] = [c for c in operated["caveats"] if c["kind"] == "attributed-elsewhere"]
    assert "WoSign EV SSL CA" in caveat["text"] and "organization:" in caveat["text"]
    by_name = _target(ccadb_db, "organization:WoSign")["parameters"]["target"]
    with Database(ccadb_db, readonly=True) as db:
        organizations = dict(certificates.ca_subject_organizations(db))
    named = {ca for ca, o in organizations.items() if o and owner_key(o) == "wosign"}
    assert len({organizations[ca] for ca in named}) > 1  # "WoSign CA Limited", "WoSign, Inc."
    assert set(by_name["cas"]) == named
    assert {item["ca"] for item in elsewhere.values()} <= named
    assert named - set(target["cas"]) == {item["ca"] for item in elsewhere.values()}
