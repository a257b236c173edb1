"""Every check of the catalog on certificates made to show the problem, and to not show it."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from tests.factories.pki import CA, PKI, Cert, make_name, sct_extension, when, write_pem
from trustgraph.analysis.checks import run_checks
from trustgraph.analysis.checks.base import HIGH, INFO, MEDIUM, NOTICE
from trustgraph.ingest.loader import load_paths
from trustgraph.storage.database import Database
from trustgraph.stored import StoredRecords
from trustgraph.x509.details import read_details


def _findings(db: Database, tmp_path: Path, certs: list[Cert], check: str) -> dict[str, str]:
    """Certificate fingerprint -> severity of the findings of ``check``."""
    load_paths(db, [write_pem(tmp_path / f"{check}.pem", certs)])
    report = run_checks(StoredRecords(db), [check])
    return {fp: f.severity for f in report.findings for fp in f.certificates}


def _leaf(pki: PKI, issuer: CA, name: str, **options) -> Cert:  # type: ignore[no-untyped-def]
    return pki.leaf(issuer, name, key_usage="leaf", **options)


def test_sha1_after_deadline(db: Database, pki: PKI, tmp_path: Path) -> None:
    root = pki.ca("SHA1 Root", key=pki.new_key("rsa"))
    root_cert = pki.root(root, hash_name="sha1", not_before=when("2016-03-01"))
    late = _leaf(pki, root, "late.example", hash_name="sha1", not_before=when("2016-02-01"))
    long = _leaf(
        pki,
        root,
        "long.example",
        hash_name="sha1",
        not_before=when("2015-06-01"),
        not_after=when("2017-06-01"),
    )
    short = _leaf(
        pki,
        root,
        "short.example",
        hash_name="sha1",
        not_before=when("2015-06-01"),
        not_after=when("2016-12-01"),
    )
    modern = _leaf(pki, root, "modern.example", not_before=when("2016-02-01"))
    sub_ca = pki.issue(root, "SHA1 Sub CA", hash_name="sha1", not_before=when("2016-05-01"))
    found = _findings(db, tmp_path, pki.certs, "sha1-after-deadline")
    assert found == {late.sha256: HIGH, long.sha256: NOTICE, sub_ca.sha256: HIGH}
    for clean in (root_cert, short, modern):
        assert clean.sha256 not in found


def test_backdated_not_before(db: Database, pki: PKI, tmp_path: Path) -> None:
    root = pki.ca("SCT Root", key=pki.new_key("rsa"))
    pki.root(root)
    backdated = _leaf(
        pki,
        root,
        "backdated.example",
        not_before=when("2015-12-20"),
        extra=[sct_extension(when("2016-01-18"), when("2016-01-19"))],
    )
    dodged = _leaf(
        pki,
        root,
        "dodged.example",
        hash_name="sha1",
        not_before=when("2015-12-20"),
        extra=[sct_extension(when("2016-01-04"))],
    )
    honest = _leaf(
        pki,
        root,
        "honest.example",
        not_before=when("2016-01-18"),
        extra=[sct_extension(when("2016-01-18T01:00:00"))],
    )
    no_sct = _leaf(pki, root, "nosct.example", not_before=when("2015-12-20"))
    assert [t.isoformat() for t in read_details(backdated.der).sct_timestamps] == [
        "2016-01-18T00:00:00+00:00",
        "2016-01-19T00:00:00+00:00",
    ]
    found = _findings(db, tmp_path, pki.certs, "backdated-notbefore")
    assert found == {backdated.sha256: MEDIUM, dodged.sha256: HIGH}
    assert honest.sha256 not in found and no_sct.sha256 not in found


def test_validity_too_long(db: Database, pki: PKI, tmp_path: Path) -> None:
    root = pki.ca("Validity Root")
    pki.root(root)
    cases = {
        "four-years.example": ("2016-01-01", "2020-01-01", True),  # 48 > 39 months
        "39-months.example": ("2016-01-01", "2019-04-01", False),
        "826-days.example": ("2019-01-01", "2021-04-06T00:00:01", True),
        "825-days.example": ("2019-01-01", "2021-04-04T23:59:59", False),
        "399-days.example": ("2021-01-01", "2022-02-04", True),
        "397-days.example": ("2021-01-01", "2022-02-01", False),
        "before-rules.example": ("2014-01-01", "2019-01-01", False),
    }
    made = {
        name: _leaf(pki, root, name, not_before=when(start), not_after=when(end))
        for name, (start, end, _bad) in cases.items()
    }
    long_ca = pki.issue(
        root, "Long CA", not_before=when("2021-01-01"), not_after=when("2031-01-01")
    )
    found = _findings(db, tmp_path, pki.certs, "validity-too-long")
    assert set(found) == {made[n].sha256 for n, (_s, _e, bad) in cases.items() if bad}
    assert long_ca.sha256 not in found


def test_unapproved_keys(db: Database, pki: PKI, tmp_path: Path) -> None:
    root = pki.ca("Key Root")
    pki.root(root)
    keys = {
        "secp256k1": (ec.generate_private_key(ec.SECP256K1()), True),
        "rsa1024": (rsa.generate_private_key(65537, 1024), True),
        "ed25519": (ed25519.Ed25519PrivateKey.generate(), True),
        "p384": (ec.generate_private_key(ec.SECP384R1()), False),
        "rsa2048": (rsa.generate_private_key(65537, 2048), False),
    }
    made = {
        name: pki.issue(root, CA(make_name(f"{name}.example"), key), ca=False, key_usage=None)
        for name, (key, _bad) in keys.items()
    }
    found = _findings(db, tmp_path, pki.certs, "unapproved-key")
    assert set(found) == {made[n].sha256 for n, (_k, bad) in keys.items() if bad}


def test_key_reuse_across_names(db: Database, pki: PKI, tmp_path: Path) -> None:
    root = pki.ca("Reuse Root")
    pki.root(root)
    key = pki.new_key()
    renamed_a = pki.issue(root, CA(make_name("Old Name CA"), key))
    renamed_b = pki.issue(root, CA(make_name("New Name CA"), key))
    same = pki.ca("Cross Signed CA")
    other = pki.ca("Other Root")
    pki.root(other)
    pki.issue(root, same)
    pki.issue(other, same)
    report_fps = _findings(db, tmp_path, pki.certs, "key-reuse-across-names")
    assert report_fps == {renamed_a.sha256: INFO, renamed_b.sha256: INFO}


def test_duplicate_except_not_before(db: Database, pki: PKI, tmp_path: Path) -> None:
    root = pki.ca("Dual Root")
    pki.root(root)
    subject = CA(make_name("dual.example"), pki.new_key())
    options = {
        "ca": False,
        "key_usage": "leaf",
        "serial": 4242,
        "san": ["dual.example"],
        "not_after": when("2016-06-01"),
    }
    first = pki.issue(root, subject, not_before=when("2015-03-01T10:00:00"), **options)
    second = pki.issue(root, subject, not_before=when("2015-03-01T10:00:37"), **options)
    other_expiry = pki.issue(
        root,
        subject,
        not_before=when("2015-03-01T10:00:00"),
        **{**options, "not_after": when("2016-07-01")},
    )
    found = _findings(db, tmp_path, pki.certs, "duplicate-except-notbefore")
    assert found == {first.sha256: MEDIUM, second.sha256: MEDIUM}
    assert other_expiry.sha256 not in found


@pytest.mark.parametrize(
    ("country", "day", "count", "flagged"),
    [
        ("CN", "2015-12-20", 10, True),  # Sunday, not a working day in China
        ("CN", "2015-09-06", 10, False),  # Sunday, but a make-up working day in China
        ("CN", "2015-10-01", 12, True),  # national holiday
        ("US", "2015-12-19", 10, True),  # Saturday
        ("US", "2015-12-19", 9, False),  # too few to be a cluster
        ("US", "2015-12-18", 30, False),  # Friday
    ],
)
def test_non_working_day_issuance(
    db: Database, pki: PKI, tmp_path: Path, country: str, day: str, count: int, flagged: bool
) -> None:
    issuer = CA(make_name("Calendar CA", "Calendar Org", country), pki.new_key())
    pki.root(issuer)
    # 04:00 UTC is midday in China, so the local date is the same day
    leaves = [
        _leaf(pki, issuer, f"h{i}.example", not_before=when(f"{day}T04:00:00"))
        for i in range(count)
    ]
    found = _findings(db, tmp_path, pki.certs, "non-working-day-issuance")
    assert (set(found) == {leaf.sha256 for leaf in leaves}) if flagged else not found


def test_unknown_check_is_a_usage_error(db: Database) -> None:
    from trustgraph.errors import UsageError

    with pytest.raises(UsageError, match="unknown check"):
        run_checks(StoredRecords(db), ["no-such-check"])


def test_check_cli_exit_codes_and_markdown(db: Database, pki: PKI, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from trustgraph.cli import app

    key = pki.new_key()
    root = pki.ca("CLI Check Root")
    pki.root(root)
    pki.issue(root, CA(make_name("Name One"), key))
    pki.issue(root, CA(make_name("Name Two"), key))
    load_paths(db, [write_pem(tmp_path / "c.pem", pki.certs)])
    runner = CliRunner()
    base = ["check", "--db", str(db.path)]
    assert runner.invoke(app, [*base, "--fail-on", "notice"]).exit_code == 0  # only info
    assert runner.invoke(app, [*base, "--fail-on", "info"]).exit_code == 1
    assert runner.invoke(app, [*base, "--fail-on", "severe"]).exit_code == 2
    assert runner.invoke(app, [*base, "--only", "nope"]).exit_code == 2
    markdown = runner.invoke(app, [*base, "--format", "markdown", "--fail-on", "high"])
    assert "### key-reuse-across-names (1)" in markdown.stdout
    assert "Rule: " in markdown.stdout
