"""Trust stores and metadata from the real corpus: certifi, NSS certdata.txt, CCADB records."""

from __future__ import annotations

import csv
import gzip
import hashlib
from pathlib import Path

import pytest

from trustgraph import api
from trustgraph.ingest import ccadb, stores
from trustgraph.ingest.nss import NOT_TRUSTED, TRUSTED_DELEGATOR, read_certdata
from trustgraph.storage.database import Database

pytestmark = pytest.mark.corpus
RECORDS = "ccadb/Mozilla_AllCertificateRecordsReport_2021-04-05.csv.gz"
G2_ROOT = "d487a56f83b07482e85e963394c1ecc2c9e51d0903ee946b02c301581ed99e16"


def test_certifi_bundle_snapshot(corpus: Path, db: Database) -> None:
    bundle = corpus / "certifi" / "cacert-certifi-2016.9.26.pem"
    report = stores.add_snapshot(db, "mozilla", bundle, "2016-09-26T00:00:00Z")
    assert report.anchors == bundle.read_text().count("-----BEGIN CERTIFICATE-----")
    anchors = api.anchors_for(db, store="mozilla", at="2016-10-01")
    assert G2_ROOT in {fp for fps in anchors.cas.values() for fp in fps}


def test_nss_certdata_snapshot(corpus: Path, db: Database) -> None:
    path = corpus / "nss" / "certdata-NSS_3_27_RTM.txt"
    roots, distrusts = read_certdata(path.read_text())
    trusted = [r for r in roots if r.server_auth == TRUSTED_DELEGATOR]
    distrusted_here = [r for r in roots if r.server_auth == NOT_TRUSTED]
    report = stores.add_snapshot(db, "nss", path, "2016-09-27T00:00:00Z")
    assert report.anchors == len(trusted) > 140
    assert report.distrusted == len(distrusts) + len(distrusted_here)
    assert len(distrusts) > 0 and len(distrusted_here) > 0
    assert len(report.not_anchors) == len(roots) - len(trusted)
    assert report.load is not None and not report.load.skipped
    anchors = api.anchors_for(db, store="nss", at="2016-10-01")
    fingerprints = {fp for fps in anchors.cas.values() for fp in fps}
    assert G2_ROOT in fingerprints
    assert {hashlib.sha256(r.der).hexdigest() for r in trusted} == fingerprints
    # Certificates the file carries but marks as not trusted are refused in paths.
    assert {hashlib.sha256(r.der).hexdigest() for r in distrusted_here} <= anchors.blocked


def test_ccadb_records_import_and_store(corpus: Path, db: Database) -> None:
    path = corpus / RECORDS
    with gzip.open(path, "rt", newline="") as handle:
        rows = list(csv.DictReader(handle))
    report = ccadb.import_records(db, path, "2021-04-05T00:00:00Z")
    assert report.rows == len(rows) and report.reconciles
    assert report.revoked == sum(1 for r in rows if r["Revocation Status"] == "Revoked")
    included = sum(
        1
        for r in rows
        if r["Certificate Record Type"] == "Root Certificate" and r["Mozilla Status"] == "Included"
    )
    snapshot = stores.add_snapshot(db, "mozilla", path, "2021-04-05T00:00:00Z")
    assert snapshot.anchors == included and snapshot.without_bytes == included
    microsoft = stores.add_snapshot(db, "microsoft", path, "2021-04-05T00:00:00Z")
    assert microsoft.anchors == sum(
        1
        for r in rows
        if r["Certificate Record Type"] == "Root Certificate"
        and r["Microsoft Status"] in ("Included", "NotBefore")
    )
    declared = db.conn.execute("SELECT COUNT(*) FROM edges WHERE kind = 'declared'").fetchone()[0]
    assert declared > 0.9 * (len(rows) - included)
