"""Answers on the whole CCADB corpus that depend on scope and on owners over time."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.corpus.conftest import run
from trustgraph.analysis.checks import run_checks
from trustgraph.analysis.checks.base import HIGH, INFO
from trustgraph.storage.database import Database
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
        tls = run_checks(db)
        every = run_checks(db, scope="all")
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
