"""Leaves from files: linked to the loaded CA whose key verifies them, counted as CT leaves
are; a CA certificate, a leaf no loaded CA issued and bytes that are not a certificate each
end reported, and the counts reconcile."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from tests.factories.pki import PKI, write_pem
from trustgraph.cli import app


def _run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})


def test_leaf_files_are_linked_counted_and_reconciled(tmp_path: Path) -> None:
    pki = PKI()
    root = pki.ca("Files Root")
    root_cert = pki.root(root)
    issuing = pki.ca("Files Issuing CA")
    issuing_cert = pki.issue(root, issuing)
    day = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    live = [
        pki.leaf(issuing, f"www.shop{n}.co.uk", not_before=day, not_after=day.replace(year=2027))
        for n in range(3)
    ]
    expired = pki.leaf(issuing, "old.example.com", not_before=day, not_after=day.replace(month=3))
    stranger = PKI()
    unknown = stranger.leaf(stranger.ca("Unloaded CA"), "x.github.io")
    db = str(tmp_path / "f.db")
    assert (
        _run(
            "load", str(write_pem(tmp_path / "cas.pem", [root_cert, issuing_cert])), "--db", db
        ).exit_code
        == 0
    )
    leaves = write_pem(tmp_path / "leaves.pem", [*live, expired, unknown, issuing_cert])
    junk = tmp_path / "junk.pem"
    junk.write_text("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
    done = _run("ct", "load", str(leaves), str(junk), "--db", db, "--format", "json")
    assert done.exit_code == 2, done.output
    report = json.loads(done.stdout)
    assert (report["certificates_found"], report["leaves_stored"]) == (7, 5)  # junk too
    assert (report["leaves_without_issuer"], report["ca_certificates_skipped"]) == (1, 1)
    assert report["problem_count"] == 1 and report["reconciles"]
    answer = _run("leaves", "Files Root", "--at", "2026-01-01", "--db", db, "--format", "json")
    assert answer.exit_code == 0, answer.output
    found = json.loads(answer.stdout)
    assert (found["unexpired_leaves"], found["registered_domains"]) == (3, 3)
