"""Reused serial numbers, grouped by issuer name and by issuing CA."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.factories.pki import CA, PKI, make_name, when, write_pem
from trustgraph.analysis.serials import (
    DIFFERENT_CONTENT,
    DIFFERENT_KEYS,
    SIGNATURE_ONLY,
    find_serial_groups,
)
from trustgraph.cli import app
from trustgraph.ingest.loader import load_paths
from trustgraph.storage.database import Database
from trustgraph.stored import StoredRecords


def _groups(db: Database, grouping: str, scope: str = "all") -> dict[str, str]:
    return {
        g.serial: g.severity
        for g in find_serial_groups(StoredRecords(db), scope)
        if g.grouping == grouping
    }


def test_severities_and_groupings(db: Database, pki: PKI, tmp_path: Path) -> None:
    """Serial 0x10: two leaves with different keys. 0x11: one leaf and a re-signed copy that
    differs only in its expiry. 0x12: the same certificate signed twice (ECDSA signatures
    differ, the content does not). 0x13: two CAs named alike with different keys, each using
    serial 0x13 once: one group by issuer name, none by issuing CA."""
    root = pki.ca("Serial Root")
    pki.root(root)
    leaf = {"ca": False, "key_usage": "leaf"}
    pki.issue(root, "a.example", serial=0x10, **leaf)
    pki.issue(root, "b.example", serial=0x10, **leaf)
    same_subject = CA(make_name("c.example"), pki.new_key())
    pki.issue(root, same_subject, serial=0x11, not_after=when("2030-01-01"), **leaf)
    pki.issue(root, same_subject, serial=0x11, not_after=when("2031-01-01"), **leaf)
    twice = CA(make_name("d.example"), pki.new_key())
    pki.issue(root, twice, serial=0x12, **leaf)
    pki.issue(root, twice, serial=0x12, **leaf)
    twin_a, twin_b = pki.ca("Twin Name"), pki.ca("Twin Name")
    pki.root(twin_a)
    pki.root(twin_b)
    pki.issue(twin_a, "e.example", serial=0x13, **leaf)
    pki.issue(twin_b, "f.example", serial=0x13, **leaf)
    load_paths(db, [write_pem(tmp_path / "s.pem", pki.certs)])
    by_name = _groups(db, "issuer-name")
    by_ca = _groups(db, "issuing-ca")
    assert by_name == {
        "10": DIFFERENT_KEYS,
        "11": DIFFERENT_CONTENT,
        "12": SIGNATURE_ONLY,
        "13": DIFFERENT_KEYS,
    }
    assert by_ca == {"10": DIFFERENT_KEYS, "11": DIFFERENT_CONTENT, "12": SIGNATURE_ONLY}
    assert _groups(db, "issuer-name", "ca") == {}
    validity = next(
        g for g in find_serial_groups(StoredRecords(db)) if g.serial == "11"
    ).differences
    assert list(validity) == ["validity"]


@pytest.mark.corpus
def test_wosign_hunan_intermediates(corpus: Path, db: Database) -> None:
    load_paths(db, [corpus / "wosign_case" / "certs"])
    runner = CliRunner()
    result = runner.invoke(app, ["serials", "--format", "json", "--db", str(db.path)])
    assert result.exit_code == 1  # groups found
    import json

    groups = json.loads(result.stdout)["by_issuing_ca"]
    [hunan] = [g for g in groups if g["serial"] == "44807b207cf2052e8d3411770266d295"]
    assert {c["subject"] for c in hunan["certificates"]} == {
        "CN=中国湖南 EV 服务器证书,OU=WoSign Trust Network,O=东方新诚信数字认证中心,C=CN"
    }
    assert "CN=CA 沃通根证书" in hunan["issuer"]
    assert {"crl_distribution_points", "ocsp"} <= set(hunan["differences"])
    table = runner.invoke(app, ["serials", "--db", str(db.path)], env={"COLUMNS": "400"})
    assert "crl_distribution_points" in table.stdout and "ocsp" in table.stdout
