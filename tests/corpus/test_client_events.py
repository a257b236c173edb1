"""Which clients broke at the AddTrust expiry (2020-05-30) and DST Root CA X3's
(2021-09-30), from the real certificates (CCADB) and each program's real store history:
the outcomes the projects and Let's Encrypt documented at the time."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from tests.corpus.conftest import run
from trustgraph.storage.certificates import der_of, fingerprints_with_prefix
from trustgraph.storage.database import Database

pytestmark = [pytest.mark.corpus, pytest.mark.slow]

SECTIGO_DV = "7fa4ff68ec04"  # Sectigo RSA Domain Validation Secure Server CA
USERTRUST_BY_ADDTRUST = "1a5174980a29"  # USERTrust RSA CA, cross-signed by AddTrust
R3 = "67add1166b02"  # Let's Encrypt R3, issued by ISRG Root X1
ISRG_BY_DST = "6d99fb265eb1"  # ISRG Root X1, cross-signed by DST Root CA X3


def _chain(db: Path, prefixes: list[str], out: Path) -> Path:
    """The certificates of these fingerprint prefixes, as PEM in this order."""
    with Database(db) as database:
        found = der_of(database, _full(database, prefixes))
    ordered = [next(der for fp, der in found.items() if fp.startswith(p)) for p in prefixes]
    out.write_text(
        "".join(
            x509.load_der_x509_certificate(der).public_bytes(serialization.Encoding.PEM).decode()
            for der in ordered
        )
    )
    return out


def _full(database: Database, prefixes: list[str]) -> list[str]:
    return [fingerprints_with_prefix(database, p, 2)[0] for p in prefixes]


def _outcomes(db: Path, chain: Path, at: str) -> dict[str, dict[str, Any]]:

    done = run(
        "clients", str(chain), "--at", at, "--client", "all", "--db", str(db), "--format", "json"
    )
    assert done.exit_code == 1, done.output  # some clients fail
    return {c["client"]: c for c in json.loads(done.stdout)["clients"]}


def test_addtrust_expiry(history_db: Path, tmp_path: Path) -> None:
    chain = _chain(history_db, [SECTIGO_DV, USERTRUST_BY_ADDTRUST], tmp_path / "addtrust.pem")
    clients = _outcomes(history_db, chain, "2020-06-01")
    outcome = {name: answer["outcome"] for name, answer in clients.items()}
    for name in ("openssl-1.0.2", "gnutls-3.6.7", "libressl-3.1", "openssl-1.0.1"):
        assert outcome[name] == "fails", name
        assert clients[name]["reason"] == "AddTrust External CA Root: expired on 2020-05-30"
        assert [s["from"] for s in clients[name]["path"]] == ["served", "served", "store"]
    for name in ("openssl-1.1.1", "openssl-3", "gnutls-3.6.14", "firefox", "chrome", "go"):
        assert outcome[name] == "ok", name
        assert clients[name]["path"][-1]["subject"].startswith(
            "CN=USERTrust RSA Certification Authority"
        )
        assert clients[name]["path"][-1]["from"] == "store"
    assert set(clients["go"]) >= {"client", "outcome", "path", "reason"}
    assert clients["chrome"]["store"]["store"] == "mozilla"  # before the Chrome Root Store
    assert clients["chrome"]["store"]["caveat"].startswith("before the Chrome Root Store")


def test_dst_root_ca_x3_expiry(history_db: Path, tmp_path: Path) -> None:
    chain = _chain(history_db, [R3, ISRG_BY_DST], tmp_path / "long-chain.pem")
    clients = _outcomes(history_db, chain, "2021-10-01")
    outcome = {name: answer["outcome"] for name, answer in clients.items()}
    assert outcome["openssl-1.0.2"] == "fails"
    assert clients["openssl-1.0.2"]["reason"] == "DST Root CA X3: expired on 2021-09-30"
    assert outcome["openssl-1.1.1"] == "ok"
    assert outcome["gnutls-3.6.7"] == "fails"
    assert outcome["gnutls-3.6.14"] == "ok"
    # Android 7.0 never got ISRG Root X1 and does not check DST Root CA X3's expiry
    android = clients["android-7.0"]
    assert outcome["android-7.0"] == "ok"
    assert android["store"]["as_of"].startswith("2016-08-01")
    assert android["path"][-1]["subject"].startswith("CN=DST Root CA X3")
    # an iPhone left on iOS 9 has no ISRG Root X1 and does check the anchor's expiry
    assert outcome["ios-9"] == "fails"
    assert clients["ios-9"]["store"]["description"].startswith("iOS 9 ")
    assert outcome["ios-12"] == "ok"


def test_a_client_without_its_store_is_unknown_not_dropped(
    history_db: Path, tmp_path: Path
) -> None:
    chain = _chain(history_db, [R3, ISRG_BY_DST], tmp_path / "long-chain.pem")
    clients = _outcomes(history_db, chain, "2019-01-01")
    assert clients["java"]["outcome"] == "unknown"
    assert "no snapshot on or before 2019-01-01" in clients["java"]["reason"]


def test_the_addtrust_expiry_over_time(history_db: Path) -> None:
    """Servers set up in 2020 with USERTrust's AddTrust cross-certificate: OpenSSL 1.0.2
    fails from the expiry until Mozilla's bundle drops AddTrust; OpenSSL 1.1.1 never."""
    done = run(
        "timeline",
        "USERTrust RSA Certification Authority",
        "--store",
        "mozilla",
        "--since",
        "2020-01-01",
        "--until",
        "2020-12-31",
        "--clients",
        "openssl-1.0.2,openssl-1.1.1",
        "--db",
        str(history_db),
        "--format",
        "json",
    )
    assert done.exit_code == 0, done.output
    spans = json.loads(done.stdout)["clients"]["spans"]
    through_addtrust = [
        (s["from"][:10], s["outcome"], s["reason"])
        for s in spans
        if s["client"] == "openssl-1.0.2" and "(by AddTrust External CA Root)" in s["chain"]
    ]
    assert through_addtrust[0][:2] == ("2020-01-01", "ok")
    assert through_addtrust[1] == (
        "2020-05-30",
        "fails",
        "AddTrust External CA Root: expired on 2020-05-30",
    )
    assert through_addtrust[2][1] == "ok"  # the bundle without AddTrust: an alternative chain
    assert all(s["outcome"] == "ok" for s in spans if s["client"] == "openssl-1.1.1")


def test_removing_dst_root_ca_x3_mends_openssl_1_0_2(history_db: Path) -> None:
    """The workaround OpenSSL's blog gave in September 2021, as a scenario."""
    done = run(
        "impact",
        "--store",
        "mozilla",
        "--at",
        "2021-10-01",
        "--distrust-root",
        "DST Root CA X3",
        "--clients",
        "openssl-1.0.2,openssl-1.1.1,libressl-3.1",
        "--db",
        str(history_db),
        "--format",
        "json",
    )
    assert done.exit_code in (0, 1), done.output
    clients = json.loads(done.stdout)["clients"]
    mended = {
        o["chain"].split(": ", 1)[1]
        for o in clients["outcomes"]
        if o["client"] == "openssl-1.0.2" and o["mends"]
    }
    assert "R3 < ISRG Root X1 (by DST Root CA X3)" in mended
    summary = {row["client"]: row for row in clients["summary"]}
    assert summary["openssl-1.1.1"]["cas_mended"] == 0
    assert summary["libressl-3.1"]["cas_mended"] == 0  # no alternative chains to fall back on
    assert summary["openssl-1.0.2"]["cas_broken"] == 0
