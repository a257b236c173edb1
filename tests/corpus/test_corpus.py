"""The real corpus in ../shared/data: the WoSign case and the whole CCADB."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import pytest

from trustgraph import api
from trustgraph.ingest.loader import load_paths
from trustgraph.ingest.sources import Occurrence, read_pem
from trustgraph.storage.database import Database
from trustgraph.x509 import der
from trustgraph.x509.certificate import _extensions_with_asn1crypto, parse_certificate

pytestmark = pytest.mark.corpus

CCADB_PEMS = "ccadb/AllCertificatePEMsCSVFormat_crtsh_2026-08-20.csv.gz"
STARTCOM_TO_WOTONG = (
    "497f91db583f82148ea52b6cfa9a3c19d8e5b067ebf6ddad78e96c956cbcd881",
    "e81e53747e2e060d4623974b9efdd1da4bebdcaed456efc63d0d5058c8b25597",
)
STARTCOM_TO_WOSIGN = (
    "8b97f276e45686ce8990bb21e4498f34a4aaaaf0e183933ed5a2476f4809b3cc",
    "ce7e10b3ea550920c2be9d391cb7823a7e8f5bfcd3f13c7e11066a190e5b852d",
)
CERTIFI_2016 = "certifi/cacert-certifi-2016.9.26.pem"
CERTUM_TO_G2 = (
    "1092c43d57bcda0af70291e37fdde88b02de83e3f4013272d4ca2ae3c7498fe4",
    "7bda50131ea7e55c8fdda63563d12314a7159d5621333ba8bcdad0b8a3a50e6c",
)


@pytest.fixture(scope="module")
def wosign_db(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Database:
    db = Database(tmp_path_factory.mktemp("wosign") / "w.db")
    report = load_paths(db, [corpus / "wosign_case" / "certs"])
    assert (report.found, report.loaded, report.skipped) == (152, 152, 0)
    return db


def test_every_wosign_certificate_loads(wosign_db: Database) -> None:
    counts = wosign_db.counts()
    assert counts["certificates"] == 152 and counts["problems"] == 0


@pytest.mark.parametrize(
    ("fingerprints", "issuer", "subject"),
    [
        (STARTCOM_TO_WOTONG, "StartCom Certification Authority", "CA 沃通根证书"),
        (
            STARTCOM_TO_WOSIGN,
            "StartCom Certification Authority",
            "Certification Authority of WoSign",
        ),
        (CERTUM_TO_G2, "Certum CA", "Certification Authority of WoSign G2"),
    ],
)
def test_case_cross_certificates_are_verified(
    wosign_db: Database, fingerprints: tuple[str, ...], issuer: str, subject: str
) -> None:
    for fingerprint in fingerprints:
        row = wosign_db.conn.execute(
            "SELECT e.kind, i.subject_cn, s.subject_cn FROM edges e "
            "JOIN cas i ON i.ca_id = e.issuer_ca JOIN cas s ON s.ca_id = e.subject_ca "
            "WHERE e.certificate = ?",
            (fingerprint,),
        ).fetchone()
        assert row == ("verified", issuer, subject)


def test_certum_cross_certificates_by_date(wosign_db: Database, corpus: Path) -> None:
    """With certifi 2016.9.26's roots: both Certum CA -> WoSign G2 paths in mid-2016, none
    before the cross-certificates existed or after they expired (2020-11-02)."""
    anchors, _ = api.anchors_from_files(
        wosign_db, [corpus / "certifi" / "cacert-certifi-2016.9.26.pem"]
    )

    def paths_at(at: str) -> list[list[str]]:
        result = api.chains(
            wosign_db,
            "Certification Authority of WoSign G2",
            anchors=anchors,
            rules=api.make_rules(at),
        )
        return [p.certificates for p in result.paths]

    mid_2016 = paths_at("2016-06-01")
    for fingerprint in CERTUM_TO_G2:
        assert any(path[-1] == fingerprint and len(path) == 2 for path in mid_2016)
    for at in ("2011-06-01", "2020-12-01"):
        used = {fp for path in paths_at(at) for fp in path}
        assert not used & set(CERTUM_TO_G2)


def test_reach_agrees_with_chains_on_the_case(wosign_db: Database, corpus: Path) -> None:
    anchors, _ = api.anchors_from_files(
        wosign_db, [corpus / "certifi" / "cacert-certifi-2016.9.26.pem"]
    )
    names = [
        row[0]
        for row in wosign_db.conn.execute(
            "SELECT DISTINCT subject_cn FROM cas WHERE subject_cn LIKE '%WoSign%' "
            "OR subject_cn LIKE 'StartCom%' ORDER BY 1"
        )
    ]
    assert len(names) > 20
    for at in ("2014-01-01", "2016-06-01", "2018-06-01"):
        for purpose in ("any", "serverAuth"):
            rules = api.make_rules(at, purpose)
            for name in names:
                chains = api.chains(
                    wosign_db, f"{name}", anchors=anchors, rules=rules, max_paths=100000
                )
                reach = api.reach(wosign_db, name, anchors=anchors, rules=rules)
                assert {r.ca for r in reach.reached} == {p.anchor_ca for p in chains.paths}


@pytest.fixture(scope="module")
def ccadb_rows(corpus: Path) -> int:
    with gzip.open(corpus / CCADB_PEMS, "rt", newline="") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


def test_whole_ccadb_corpus_is_accounted_for(corpus: Path, ccadb_rows: int, tmp_path: Path) -> None:
    with Database(tmp_path / "ccadb.db") as db:
        report = load_paths(db, [corpus / CCADB_PEMS])
        assert report.found == ccadb_rows and report.reconciles
        assert report.loaded + report.duplicates == ccadb_rows - report.skipped
        for issue in report.skipped_inputs:
            assert " row " in issue.location and issue.reason
        counts = db.counts()
        assert counts["certificates"] == report.loaded
        edges = sum(v for k, v in counts.items() if k.startswith("edges_"))
        assert edges == report.loaded
        assert counts["edges_verified"] > 0.99 * report.loaded


def test_fallback_parser_agrees_with_cryptography(corpus: Path) -> None:
    """On every certificate cryptography reads, the asn1crypto path decodes the same
    extensions: the fallback is trustworthy for those cryptography refuses."""
    with gzip.open(corpus / CCADB_PEMS, "rt", newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    compared = 0
    for _fingerprint, pem in rows[::7]:
        for item in read_pem(pem, "row"):
            if not isinstance(item, Occurrence):
                continue
            record = parse_certificate(item.der)
            if record.parser != "cryptography":
                continue
            extensions, _notes = _extensions_with_asn1crypto(der.split_certificate(record.der))
            assert extensions == record.extensions, record.sha256
            compared += 1
    assert compared > 1000


def test_certifi_bundles_load_whole(corpus: Path, tmp_path: Path) -> None:
    with Database(tmp_path / "certifi.db") as db:
        for bundle in sorted((corpus / "certifi").glob("*.pem")):
            blocks = bundle.read_text().count("-----BEGIN CERTIFICATE-----")
            report = load_paths(db, [bundle])
            assert report.found == blocks and not report.skipped, bundle.name
