"""Trust stores: snapshots from bundles, NSS certdata.txt and CCADB records; the snapshot
in force at a date; diffs."""

from __future__ import annotations

import csv
import dataclasses
import gzip
import io
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.factories.nss import cert_object, certdata, trust_object
from tests.factories.pki import PKI, write_pem
from tests.queries import anchor_set, paths
from trustgraph import api
from trustgraph.analysis import stores as store_history
from trustgraph.core.storekinds import CHROME
from trustgraph.errors import InputError, UsageError
from trustgraph.ingest import stores
from trustgraph.storage.database import Database
from trustgraph.stored import StoredRecords

D1, D2 = "2015-01-01T00:00:00Z", "2016-01-01T00:00:00Z"


def test_bundle_snapshots_in_force_and_diff(db: Database, pki: PKI, tmp_path: Path) -> None:
    """Root A in both snapshots, root B only in the first: a query in 2015 uses the first
    snapshot, one in 2016 the second; the diff says B was removed."""
    a, b = pki.root("Store Root A"), pki.root("Store Root B")
    stores.add_snapshot(db, "test", write_pem(tmp_path / "s1.pem", [a, b]), D1)
    stores.add_snapshot(db, "test", write_pem(tmp_path / "s2.pem", [a]), D2)
    early = api.anchors_for(db, store="test", at="2015-06-01")
    late = api.anchors_for(db, store="test", at="2016-06-01")
    assert len(early) == 2 and len(late) == 1
    assert early.source["snapshot"]["as_of"] == D1 and late.source["snapshot"]["as_of"] == D2
    change = store_history.diff(StoredRecords(db), "test", "2015-06-01", "2016-06-01")
    assert [item["certificates"] for item in change.removed] == [[b.sha256]]
    assert change.added == []
    with pytest.raises(UsageError, match="no snapshot on or before"):
        api.anchors_for(db, store="test", at="2014-01-01")
    with pytest.raises(UsageError, match="no trust store named"):
        api.anchors_for(db, store="nope", at="2016-01-01")


def test_a_query_uses_the_store_of_its_date(db: Database, pki: PKI, tmp_path: Path) -> None:
    root = pki.ca("Removed Later")
    root_cert = pki.root(root)
    pki.issue(root, "Child Of Removed")
    other = pki.root("Stays")
    write_pem(tmp_path / "all.pem", pki.certs)
    from trustgraph.ingest.loader import load_paths

    load_paths(db, [tmp_path / "all.pem"])
    stores.add_snapshot(db, "test", write_pem(tmp_path / "s1.pem", [root_cert, other]), D1)
    stores.add_snapshot(db, "test", write_pem(tmp_path / "s2.pem", [other]), D2)
    before = api.reach(
        db,
        "Child Of Removed",
        anchors=api.anchors_for(db, store="test", at="2015-06-01"),
        rules=api.make_rules("2015-06-01"),
    )
    after = api.reach(
        db,
        "Child Of Removed",
        anchors=api.anchors_for(db, store="test", at="2016-06-01"),
        rules=api.make_rules("2016-06-01"),
    )
    assert len(before.reached) == 1 and after.reached == []


def test_generated_certdata_trust_and_distrust_after(
    db: Database, pki: PKI, tmp_path: Path
) -> None:
    """A trusted root, a root with distrust-after 2016-01-01, a root trusted for e-mail
    only, and a distrust entry for a certificate the file does not contain."""
    trusted = pki.ca("NSS Trusted")
    trusted_cert = pki.root(trusted)
    limited = pki.ca("NSS Distrust After")
    limited_cert = pki.root(limited)
    email = pki.root("NSS Email Only")
    old_child = pki.issue(limited, "Old Child", not_before=pki_time("2015-06-01"))
    new_child = pki.issue(limited, "New Child", not_before=pki_time("2016-06-01"))
    blocked = pki.issue(trusted, "Blocked Child")
    blocked_cert = blocked.cert
    text = certdata(
        [
            cert_object("NSS Trusted", trusted_cert.der),
            trust_object("NSS Trusted", trusted_cert.der, "CKT_NSS_TRUSTED_DELEGATOR"),
            cert_object("NSS Distrust After", limited_cert.der),
            trust_object(
                "NSS Distrust After",
                limited_cert.der,
                "CKT_NSS_TRUSTED_DELEGATOR",
                b"160101000000Z",
            ),
            cert_object("NSS Email Only", email.der),
            trust_object("NSS Email Only", email.der, "CKT_NSS_MUST_VERIFY_TRUST"),
            trust_object(
                "Blocked",
                b"not in file",
                "CKT_NSS_NOT_TRUSTED",
                issuer=blocked_cert.issuer.public_bytes(),
                serial=bytes([2, len(_int(blocked_cert.serial_number))])
                + _int(blocked_cert.serial_number),
            ),
        ]
    )
    path = tmp_path / "certdata.txt"
    path.write_text(text)
    write_pem(tmp_path / "children.pem", [old_child, new_child, blocked])
    from trustgraph.ingest.loader import load_paths

    load_paths(db, [tmp_path / "children.pem"])
    report = stores.add_snapshot(db, "nss", path, D1)
    assert report.anchors == 2 and report.distrusted == 1
    assert [item["label"] for item in report.not_anchors] == ["NSS Email Only"]
    anchors = api.anchors_for(db, store="nss", at="2017-01-01")
    assert anchors.trust and blocked.sha256 in anchors.blocked
    assert reach_names(db, anchors, "Old Child") == 1
    assert reach_names(db, anchors, "New Child") == 0
    assert reach_names(db, anchors, "Blocked Child") == 0


def pki_time(text: str):  # type: ignore[no-untyped-def]
    from tests.factories.pki import when

    return when(text)


def _int(value: int) -> bytes:
    return value.to_bytes((value.bit_length() + 8) // 8, "big")


def reach_names(db: Database, anchors, name: str) -> int:  # type: ignore[no-untyped-def]
    return len(api.reach(db, name, anchors=anchors, rules=api.make_rules("2017-01-01")).reached)


def _records_csv(rows: list[dict[str, str]]) -> bytes:
    columns = [
        "CA Owner",
        "Certificate Name",
        "Parent Certificate Name",
        "Certificate Record Type",
        "Revocation Status",
        "SHA-256 Fingerprint",
        "Parent SHA-256 Fingerprint",
        "Mozilla Status",
        "Microsoft Status",
        "Subordinate CA Owner",
    ]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, columns)
    writer.writeheader()
    for row in rows:
        writer.writerow({column: row.get(column, "") for column in columns})
    return buffer.getvalue().encode()


def test_ccadb_records_store_declared_edges_and_revocation(
    db: Database, pki: PKI, tmp_path: Path
) -> None:
    """A records report: root R included by Mozilla only; intermediate I (no bytes loaded)
    declared under R and revoked; a second intermediate J under I."""
    root = pki.ca("Records Root")
    root_cert = pki.root(root)
    inter = pki.issue(root, "Records Intermediate")
    below = pki.issue(inter.subject, "Records Below")
    rows = [
        {
            "CA Owner": "Example Owner",
            "Certificate Name": "Records Root",
            "Certificate Record Type": "Root Certificate",
            "SHA-256 Fingerprint": root_cert.sha256,
            "Mozilla Status": "Included",
            "Microsoft Status": "Not Included",
        },
        {
            "CA Owner": "Example Owner",
            "Certificate Name": "Records Intermediate",
            "Certificate Record Type": "Intermediate Certificate",
            "Revocation Status": "Revoked",
            "SHA-256 Fingerprint": inter.sha256,
            "Parent SHA-256 Fingerprint": root_cert.sha256,
            "Subordinate CA Owner": "Hosted Sub Ltd",
        },
        {
            "CA Owner": "Example Owner",
            "Certificate Name": "Records Below",
            "Certificate Record Type": "Intermediate Certificate",
            "SHA-256 Fingerprint": below.sha256,
            "Parent SHA-256 Fingerprint": inter.sha256,
        },
    ]
    report_path = tmp_path / "AllCertificateRecordsReport_2021-04-05.csv.gz"
    report_path.write_bytes(gzip.compress(_records_csv(rows)))
    from trustgraph.ingest import ccadb
    from trustgraph.ingest.loader import load_paths

    load_paths(db, [write_pem(tmp_path / "root.pem", [root_cert])])
    imported = ccadb.import_records(db, report_path, "2021-04-05T00:00:00Z")
    assert (imported.rows, imported.declared, imported.already_loaded) == (3, 2, 1)
    assert imported.reconciles and imported.revoked == 1
    snapshot = stores.add_snapshot(db, "mozilla", report_path, "2021-04-05T00:00:00Z")
    assert snapshot.anchors == 1 and snapshot.without_bytes == 0
    with pytest.raises(UsageError, match="program"):
        stores.add_snapshot(db, "somestore", report_path, "2021-04-05T00:00:00Z")
    anchors = anchor_set(db, [root_cert])
    before = api.chains(db, below.sha256, anchors=anchors, rules=api.make_rules("2021-01-01"))
    [path] = before.paths
    assert [e.kind for e in path.edges] == ["declared", "declared"]
    assert path.certificates == [root_cert.sha256, inter.sha256, below.sha256]
    after = api.chains(
        db,
        below.sha256,
        anchors=api.anchors_for(db, store="mozilla", at="2021-05-01"),
        rules=api.make_rules("2021-05-01"),
    )
    assert after.paths == [], "revoked no later than the report date"
    from trustgraph.graph.owners import OwnerIndex

    owners = OwnerIndex.from_database(db)
    inter_ca = db.conn.execute(
        "SELECT ca_id FROM certificates WHERE sha256 = ?", (inter.sha256,)
    ).fetchone()[0]
    assert owners.operator(inter_ca).owner == "Hosted Sub Ltd"  # type: ignore[union-attr]
    # the bytes arrive: the declared edges become verified
    load_paths(db, [write_pem(tmp_path / "rest.pem", [inter, below])])
    again = api.chains(db, below.sha256, anchors=anchors, rules=api.make_rules("2021-01-01"))
    assert [e.kind for e in again.paths[0].edges] == ["verified", "verified"]


def test_unknown_revocation_date_is_a_caveat(db: Database, pki: PKI, tmp_path: Path) -> None:
    """Revoked at an unknown date no later than 2020-01-01: used (with a caveat) before,
    refused from then on."""
    from trustgraph.ingest import facts
    from trustgraph.ingest.loader import load_paths

    root = pki.ca("Caveat Root")
    root_cert = pki.root(root)
    child = pki.issue(root, "Caveat Child")
    load_paths(db, [write_pem(tmp_path / "c.pem", pki.certs)])
    facts.record_revocations(
        db, [(child.sha256, None, None, None, "2020-01-01T00:00:00Z", "test", None)]
    )
    assert len(paths(db, "Caveat Child", [root_cert], at="2019-06-01")) == 1
    assert paths(db, "Caveat Child", [root_cert], at="2020-06-01") == []
    rules = api.with_revocations(db, api.make_rules("2019-06-01"))
    assert rules.revocations.caveat(child.sha256, rules.at) == (
        f"certificate {child.sha256} was revoked by 2020-01-01 (date unknown) (test): it may "
        "already be revoked on 2019-06-01"
    )
    pessimistic = dataclasses.replace(rules, revocations=rules.revocations.assuming_revoked())
    strict = api.chains(db, "Caveat Child", anchors=anchor_set(db, [root_cert]), rules=pessimistic)
    assert strict.paths == []


def _bad_base64(pki: PKI, tmp_path: Path) -> Path:
    text = (
        pki.root("Good Root").pem
        + "-----BEGIN CERTIFICATE-----\nMII!!!\n-----END CERTIFICATE-----\n"
    )
    path = tmp_path / "broken.pem"
    path.write_text(text)
    return path


def _passwd(_pki: PKI, tmp_path: Path) -> Path:
    path = tmp_path / "passwd"
    path.write_text("root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin:/bin/sh\n")
    return path


def _empty(_pki: PKI, tmp_path: Path) -> Path:
    path = tmp_path / "empty.pem"
    path.write_bytes(b"")
    return path


@pytest.mark.parametrize("source", [_bad_base64, _passwd, _empty], ids=lambda f: f.__name__)
def test_a_source_that_yields_no_whole_store_replaces_nothing(
    db: Database, pki: PKI, tmp_path: Path, source: Callable[[PKI, Path], Path]
) -> None:
    """A store is replaced only by a source that is read whole and names anchors; an
    empty one needs --allow-empty."""
    roots = [pki.root(f"Kept Root {i}") for i in range(3)]
    stores.add_snapshot(db, "mozilla", write_pem(tmp_path / "real.pem", roots), D1)
    bad = source(pki, tmp_path)
    with pytest.raises(InputError) as raised:
        stores.add_snapshot(db, "mozilla", bad, D1)
    assert str(raised.value).startswith(str(bad))
    assert len(api.anchors_for(db, store="mozilla", at=D2)) == 3
    if source is _bad_base64:
        return
    stores.add_snapshot(db, "mozilla", bad, D1, allow_empty=True)
    assert len(api.anchors_for(db, store="mozilla", at=D2)) == 0


def test_a_store_needs_a_name(db: Database, pki: PKI, tmp_path: Path) -> None:
    bundle = write_pem(tmp_path / "one.pem", [pki.root("Named Root")])
    with pytest.raises(UsageError, match="needs a name"):
        stores.add_snapshot(db, " ", bundle, D1)
    stores.add_snapshot(db, "mozilla", bundle, D1)
    with pytest.raises(UsageError, match="no trust store named ''"):
        store_history.show(StoredRecords(db), "", D2)


def test_a_root_store_textproto_after_a_long_comment_is_still_one(
    db: Database, pki: PKI, tmp_path: Path
) -> None:
    root = pki.root("Commented Root")
    path = tmp_path / "root_store.textproto"
    licence = "".join(f"# licence line {i}: {'x' * 80}\n" for i in range(2000))
    path.write_text(licence + f'trust_anchors {{\n  sha256_hex: "{root.sha256}"\n}}\n')
    assert stores.detect_kind(path) == CHROME
    assert stores.add_snapshot(db, "chrome", path, D1).anchors == 1
