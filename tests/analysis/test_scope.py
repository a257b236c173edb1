"""The TLS scope of Baseline Requirements checks: a certificate is judged against a TLS rule
only when its own EKU and those of a path above it allow serverAuth."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.x509.oid import ExtendedKeyUsageOID as EKU

from tests.factories.pki import PKI, Cert, when, write_pem
from trustgraph.analysis.checks import run_checks
from trustgraph.analysis.checks.base import HIGH, INFO
from trustgraph.ingest.loader import load_paths
from trustgraph.storage.database import Database
from trustgraph.stored import StoredRecords

LATE = when("2016-06-01")


@pytest.fixture
def sha1_cas(db: Database, pki: PKI, tmp_path: Path) -> dict[str, Cert]:
    """SHA-1 subordinate CAs issued after the 2016 deadline, under a TLS root:

    * ``tls``: no EKU; ``server``: EKU serverAuth; ``any``: anyExtendedKeyUsage;
    * ``stamp``: EKU timeStamping only; ``mail``: clientAuth and emailProtection;
    * ``below_stamp``: no EKU itself, but issued by ``stamp``'s CA: no path above it
      allows serverAuth;
    * ``below_server``: no EKU, issued by ``server``'s CA.
    """
    root = pki.ca("Scope Root", key=pki.new_key("rsa"))
    pki.root(root)
    made = {}
    for name, eku in (
        ("tls", None),
        ("server", [EKU.SERVER_AUTH]),
        ("any", [EKU.ANY_EXTENDED_KEY_USAGE]),
        ("stamp", [EKU.TIME_STAMPING]),
        ("mail", [EKU.CLIENT_AUTH, EKU.EMAIL_PROTECTION]),
    ):
        made[name] = pki.issue(
            root,
            pki.ca(f"{name} CA", key=pki.new_key("rsa")),
            hash_name="sha1",
            not_before=LATE,
            eku=eku,
        )
    made["below_stamp"] = pki.issue(
        made["stamp"].subject, "Below Stamp CA", hash_name="sha1", not_before=LATE
    )
    made["below_server"] = pki.issue(
        made["server"].subject, "Below Server CA", hash_name="sha1", not_before=LATE
    )
    load_paths(db, [write_pem(tmp_path / "scope.pem", pki.certs)])
    return made


IN_SCOPE = {"tls", "server", "any", "below_server"}
OUT_OF_SCOPE = {"stamp", "mail", "below_stamp"}


def _by_name(certs: dict[str, Cert], findings: list) -> dict[str, str]:  # type: ignore[type-arg]
    names = {cert.sha256: name for name, cert in certs.items()}
    return {names[f.certificates[0]]: f.severity for f in findings if f.certificates[0] in names}


def test_tls_scope_reports_only_what_the_rule_speaks_of(
    db: Database, sha1_cas: dict[str, Cert]
) -> None:
    report = run_checks(StoredRecords(db), ["sha1-after-deadline"])
    assert _by_name(sha1_cas, report.findings) == dict.fromkeys(IN_SCOPE, HIGH)
    assert report.out_of_scope == {"sha1-after-deadline": len(OUT_OF_SCOPE)}


def test_scope_all_lists_the_rest_as_info_with_the_reason(
    db: Database, sha1_cas: dict[str, Cert]
) -> None:
    report = run_checks(StoredRecords(db), ["sha1-after-deadline"], scope="all")
    found = _by_name(sha1_cas, report.findings)
    assert found == {**dict.fromkeys(IN_SCOPE, HIGH), **dict.fromkeys(OUT_OF_SCOPE, INFO)}
    reasons = {
        name: f.scope.reason
        for f in report.findings
        for name, cert in sha1_cas.items()
        if f.certificates == [cert.sha256] and f.scope is not None
    }
    assert reasons["stamp"] == "its EKU (timeStamping) excludes serverAuth"
    assert reasons["below_stamp"] == (
        "every path above it has a CA certificate whose EKU excludes serverAuth"
    )
    assert "outside TLS scope" in next(
        f.message for f in report.findings if f.certificates == [sha1_cas["mail"].sha256]
    )


def test_rules_for_every_certificate_ignore_scope(db: Database, sha1_cas: dict[str, Cert]) -> None:
    report = run_checks(StoredRecords(db), ["key-reuse-across-names", "duplicate-except-notbefore"])
    assert report.out_of_scope == {}
    assert all(f.scope is None for f in report.findings)
