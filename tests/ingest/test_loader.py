"""Loading: every certificate found ends loaded, duplicate or skipped with a reason."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest
from asn1crypto import x509 as asn1_x509

from tests.conftest import load_certs
from tests.factories.pki import PKI, resign_tbs
from tests.queries import paths
from trustgraph.ingest import loader
from trustgraph.ingest.loader import load_paths
from trustgraph.storage.database import Database
from trustgraph.storage.schema import DEFERRABLE_INDEXES
from trustgraph.x509.certificate import parse_certificate


def test_counts_reconcile_with_duplicates_and_garbage(
    db: Database, pki: PKI, tmp_path: Path
) -> None:
    a, b = pki.root("Root A"), pki.root("Root B")
    junk = base64.b64encode(b"\x30\x03\x02\x01\x05").decode()
    bundle = tmp_path / "mixed.pem"
    bundle.write_text(
        a.pem
        + b.pem
        + a.pem
        + f"-----BEGIN CERTIFICATE-----\n{junk}\n-----END CERTIFICATE-----\n"
        + "-----BEGIN CERTIFICATE-----\n%%%\n-----END CERTIFICATE-----\n"
    )
    report = load_paths(db, [bundle])
    assert (report.found, report.loaded, report.duplicates, report.skipped) == (5, 2, 1, 2)
    assert report.reconciles
    assert {issue.kind for issue in report.skipped_inputs} == {"unparsable", "unreadable"}
    assert all(issue.location.startswith(f"{bundle}:") for issue in report.skipped_inputs)
    before = _rows(db)
    again = load_paths(db, [bundle])
    assert (again.loaded, again.duplicates, again.skipped) == (0, 3, 2)
    assert again.unchanged == [str(bundle)]
    assert _rows(db) == before and db.counts()["certificates"] == 2


def _rows(db: Database) -> dict[str, int]:
    """How many rows each table holds."""
    tables = [
        row[0] for row in db.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    ]
    return {t: db.conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in sorted(tables)}


def test_sources_and_problems_are_recorded(db: Database, pki: PKI, tmp_path: Path) -> None:
    cert = pki.root("Recorded")
    bundle = tmp_path / "one.pem"
    bundle.write_text(cert.pem + "-----BEGIN CERTIFICATE-----\n%%\n-----END CERTIFICATE-----\n")
    load_paths(db, [bundle])
    sources = db.sources()
    assert [s.path for s in sources] == [str(bundle)]
    assert sources[0].summary == {"found": 2, "certificates_new": 1, "duplicates": 0, "skipped": 1}
    assert db.conn.execute("SELECT COUNT(*) FROM problems").fetchone()[0] == 1


def _with_broken_critical_key_usage(der: bytes, issuer_key: object) -> bytes:
    """The same certificate, re-signed, with its critical keyUsage value made unreadable
    (as in four Microsoft intermediates of the CCADB corpus)."""
    tbs = asn1_x509.Certificate.load(der)["tbs_certificate"]
    raw = tbs.dump()
    good = next(e for e in tbs["extensions"] if e["extn_id"].native == "key_usage")
    good_value = good["extn_value"].dump()
    assert raw.count(good_value) == 1
    broken = good_value[:2] + b"\xd4" + good_value[3:]  # same length, no BIT STRING tag
    return resign_tbs(der, raw.replace(good_value, broken), issuer_key)


def test_unreadable_critical_extension_loads_but_breaks_paths(
    db: Database, pki: PKI, tmp_path: Path
) -> None:
    root = pki.ca("Root")
    root_cert = pki.root(root)
    middle = pki.ca("Broken KU CA")
    good = pki.issue(root, middle)
    pki.issue(middle, "Below Broken")
    load_certs(db, tmp_path, [root_cert, *pki.certs[2:]])
    broken_der = _with_broken_critical_key_usage(good.der, root.key)
    record = parse_certificate(broken_der)
    assert record.parser == "asn1crypto" and record.extensions.unreadable_critical == ("2.5.29.15",)
    path = tmp_path / "broken.der"
    path.write_bytes(broken_der)
    report = load_paths(db, [path])
    assert report.loaded == 1 and not report.skipped
    assert any("2.5.29.15" in w.reason for w in report.warnings)
    edge = db.conn.execute(
        "SELECT kind FROM edges WHERE certificate = ?", (record.sha256,)
    ).fetchone()
    assert edge == ("verified",)
    assert paths(db, "Below Broken", [root_cert]) == []


def test_a_large_load_suspends_query_indexes_and_leaves_them_all_rebuilt(
    pki: PKI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above the threshold the query indexes are dropped while a source loads; afterwards
    every index is back, and queries that use them give the same answers as a small load."""
    root = pki.root("Index Root")
    certs = [root] + [pki.issue(root.issuer, f"Index CA {i}") for i in range(12)]
    expected = Database(tmp_path / "small.db")
    load_certs(expected, tmp_path, certs)

    def indexes(db: Database) -> set[str]:
        rows = db.conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'")
        return {f"{name}: {sql}" for name, sql in rows}

    dropped: list[str] = []
    suspend = Database.suspend_indexes

    def recording_suspend(self: Database) -> None:
        dropped.extend(n for n in DEFERRABLE_INDEXES if f"{n}:" in " ".join(indexes(self)))
        suspend(self)

    monkeypatch.setattr(loader, "_BATCH", 3)
    monkeypatch.setattr(loader._IndexPolicy, "THRESHOLD", 4)
    monkeypatch.setattr(Database, "suspend_indexes", recording_suspend)
    db = Database(tmp_path / "large.db")
    load_certs(db, tmp_path, certs)
    assert sorted(dropped) == sorted(DEFERRABLE_INDEXES)
    assert indexes(db) == indexes(expected)
    root_ca = parse_certificate(root.der).ca_id
    for query, value in (
        ("SELECT sha256 FROM certificates WHERE sha1 = ?", hashlib.sha1(root.der).hexdigest()),
        ("SELECT certificate FROM edges WHERE issuer_ca = ? ORDER BY certificate", root_ca),
    ):
        assert [tuple(r) for r in db.conn.execute(query, (value,))] == [
            tuple(r) for r in expected.conn.execute(query, (value,))
        ]
