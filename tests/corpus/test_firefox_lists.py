"""Firefox's OneCRL and intermediate preloading lists of 2026 against the CCADB corpus and
certifi's Mozilla history: every revoked CA certificate that was on a path in the Mozilla
view before its revocation is on none after it (and, where only a bound is known, paths
before the bound say so); the two ESR lists differ only by additions."""

from __future__ import annotations

import base64
import json
import lzma
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.corpus.conftest import answer, build
from trustgraph import api
from trustgraph.analysis.caveats import REVOCATION_DATE_UNKNOWN
from trustgraph.core.times import parse_iso
from trustgraph.graph.trustgraph import TrustGraph
from trustgraph.storage.database import Database

pytestmark = [pytest.mark.corpus, pytest.mark.slow]

OLD = "revocations/firefox-esr-140.12.0esr-onecrl.json.xz"
NEW = "revocations/firefox-esr-153.8.0esr-onecrl.json.xz"
PRELOADED = "revocations/firefox-esr-153.8.0esr-intermediates.json.xz"
SAMPLE = 12
"""How many revoked CA certificates of each kind the path checks follow."""


@pytest.fixture(scope="module")
def firefox_db(ccadb_db: Path, corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("firefox") / "firefox.db"
    shutil.copy(ccadb_db, db)
    steps = [
        ["store", "add", "mozilla", str(corpus / "certifi/certifi-history-2014-2026.tar.xz")],
        ["firefox", "onecrl", str(corpus / NEW)],
        ["firefox", "intermediates", str(corpus / PRELOADED)],
    ]
    return build(db, steps)


def test_both_lists_resolve_mostly_and_the_report_reconciles(
    ccadb_db: Path, corpus: Path, tmp_path: Path
) -> None:
    db = tmp_path / "r.db"
    shutil.copy(ccadb_db, db)
    for name in (OLD, NEW):
        found = answer("firefox", "onecrl", str(corpus / name), "--db", str(db))
        assert found["enforced"] + found["not_enforced"] == found["records"]
        assert found["resolved"] + found["unresolved"] == found["enforced"]
        assert found["by_issuer_and_serial"] + found["by_subject_and_key"] == found["enforced"]
        assert found["dated"] + found["dated_by_last_modified_only"] == found["enforced"]
        assert len(found["unresolved_records"]) == found["unresolved"]
        assert found["resolved"] > 0.8 * found["enforced"]
    assert found["replaced_revocations"] > 0  # the second list replaced the first


def test_the_newer_list_only_adds_records(corpus: Path) -> None:
    diff = answer("firefox", "onecrl-diff", str(corpus / OLD), str(corpus / NEW))
    counts = diff["counts"]
    assert counts["added"] + counts["added_not_enforced"] == (
        diff["new"]["records"] - diff["old"]["records"]
    )
    assert counts["removed"] == counts["modified"] == counts["no_longer_enforced"] == 0


def _revoked_ca_certificates(db: Path, dated: bool) -> list[tuple[str, str]]:
    """(fingerprint, effective date) of CA certificates OneCRL revokes in the Mozilla
    view, dated by creation or only bounded, valid on their revocation date."""
    with Database(db, readonly=True) as database:
        rules = api.with_revocations(database, api.make_rules("2030-01-01"), "mozilla")
        graph = TrustGraph.from_database(database)
    found = []
    for fingerprint, item in sorted(rules.revocations.by_certificate.items()):
        edge = graph.edges.get(fingerprint)
        if not item.source.startswith("OneCRL") or edge is None or bool(item.revoked_at) != dated:
            continue
        when = item.effective
        if edge.not_before and edge.not_after and edge.not_before < when < edge.not_after:
            found.append((fingerprint, when))
    return found


def _day(moment: str, days: int) -> str:
    from datetime import timedelta

    parsed = parse_iso(moment)
    assert parsed is not None
    return (parsed + timedelta(days=days)).strftime("%Y-%m-%d")


def _paths_through(db: Path, fingerprint: str, at: str) -> list[dict[str, Any]]:
    found = answer(
        "chains",
        fingerprint,
        "--store",
        "mozilla",
        "--at",
        at,
        "--db",
        str(db),
        "--max-paths",
        "20",
    )
    return [p for p in found["paths"] if fingerprint in p["certificates"]]


@pytest.mark.parametrize("dated", [True, False], ids=["created", "bounded"])
def test_a_revoked_intermediate_is_refused_from_its_date_in_the_mozilla_view(
    firefox_db: Path, dated: bool
) -> None:
    """A path through the certificate a month before its date (with the date-unknown
    caveat when only a bound is known), none a day after."""
    checked = 0
    for fingerprint, when in _revoked_ca_certificates(firefox_db, dated):
        before = _paths_through(firefox_db, fingerprint, _day(when, -30))
        if not before:
            continue
        kinds = {c["kind"] for p in before for c in p["caveats"] if c["about"] == fingerprint}
        assert (REVOCATION_DATE_UNKNOWN in kinds) is not dated
        assert _paths_through(firefox_db, fingerprint, _day(when, 1)) == []
        checked += 1
        if checked == SAMPLE:
            break
    assert checked >= 3


def test_preloaded_intermediates_are_named_in_chains(firefox_db: Path, corpus: Path) -> None:
    """Each step of each path says Firefox preloads it exactly when the list (read here
    on its own) holds the certificate's hash."""
    listed = {
        base64.b64decode(record["derHash"]).hex()
        for record in json.loads(lzma.decompress((corpus / PRELOADED).read_bytes()))["data"]
    }
    steps: list[dict[str, Any]] = []
    for target in ("R11", "E6", "DigiCert Global G2 TLS RSA SHA256 2020 CA1"):
        found = answer(
            "chains", target, "--store", "mozilla", "--at", "2025-06-01", "--db", str(firefox_db)
        )
        assert found["preloading_lists"] == ["firefox"]
        steps += [s for p in found["paths"] for s in p["steps"]]
    assert any(s["certificate"] in listed for s in steps)
    assert all((s["preloaded_by"] == ["firefox"]) == (s["certificate"] in listed) for s in steps)
