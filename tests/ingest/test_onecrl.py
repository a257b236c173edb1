"""OneCRL as the Mozilla view's own revocations: records by issuer and serial or by subject
and key, dated by their creation or bounded by their last change, refuse paths in that view
only; disabled records are not revocations; a list replaces the one before; a record that
cannot be read refuses the list. Firefox's intermediate preloading list marks paths."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import load_certs
from tests.factories import remotesettings as rs
from tests.factories.pki import PKI, Cert, write_pem
from tests.fuzzing import fuzz
from trustgraph import api
from trustgraph.analysis.caveats import REVOCATION_DATE_UNKNOWN
from trustgraph.analysis.onecrl import diff_lists
from trustgraph.errors import InputError
from trustgraph.ingest import onecrl, stores
from trustgraph.ingest.intermediates import add_preloading_list, read_preloading_list
from trustgraph.storage.database import Database

CREATED = "2019-01-18T11:45:13Z"
CHANGED = "2020-03-01"


@pytest.fixture
def world(db: Database, pki: PKI, tmp_path: Path) -> dict[str, Cert]:
    """Root R in stores mozilla and other; R issues A (to be revoked by issuer and serial)
    and B twice (two certificates of one CA, to be revoked by subject and key); A and B
    each issue a CA below them; R issues C (named by a record not enforced)."""
    root_ca = pki.ca("OneCRL Root")
    root = pki.root(root_ca)
    a_ca, b_ca = pki.ca("Revoked By Serial"), pki.ca("Revoked By Key")
    made = {
        "root": root,
        "a": pki.issue(root_ca, a_ca),
        "b": pki.issue(root_ca, b_ca),
        "b_again": pki.issue(root_ca, b_ca),
        "under_a": pki.issue(a_ca, "Below Serial"),
        "under_b": pki.issue(b_ca, "Below Key"),
        "c": pki.issue(root_ca, "Not Enforced"),
    }
    load_certs(db, tmp_path, pki.certs)
    bundle = write_pem(tmp_path / "roots.pem", [root])
    for store in ("mozilla", "other"):
        stores.add_store(db, store, bundle, "2015-01-01")
    return made


def _reached(db: Database, target: str, store: str, at: str) -> Any:
    return api.reach(
        db, target, anchors=api.anchors_for(db, store=store, at=at), rules=api.make_rules(at)
    )


def test_revoked_from_its_date_in_the_mozilla_view_only(
    db: Database, world: dict[str, Cert], tmp_path: Path
) -> None:
    records = [
        rs.by_serial(world["a"], "a", created=CREATED),
        rs.by_key(world["b"], "b", last_modified_ms=rs.ms(CHANGED)),
        rs.by_serial(world["c"], "off", created=CREATED, enabled=False),
    ]
    report = onecrl.add_onecrl(db, rs.collection(tmp_path / "onecrl.json.xz", records))
    counts = report.counts()
    assert (counts["enforced"], counts["not_enforced"], counts["resolved"]) == (2, 1, 2)
    assert counts["certificates_named"] == 3  # B's two certificates
    assert _reached(db, "Below Serial", "mozilla", "2019-01-01").reached
    assert _reached(db, "Below Serial", "mozilla", "2019-02-01").reached == []
    assert _reached(db, "Below Serial", "other", "2019-02-01").reached
    before = _reached(db, "Below Key", "mozilla", "2020-01-01")
    assert [c.kind for r in before.reached for c in r.caveats] == [REVOCATION_DATE_UNKNOWN]
    assert _reached(db, "Below Key", "mozilla", "2020-04-01").reached == []
    # the disabled record revokes nothing
    assert _reached(db, "Not Enforced", "mozilla", "2019-02-01").reached
    chains = api.chains(
        db,
        "Below Serial",
        anchors=api.anchors_for(db, store="mozilla", at="2019-02-01"),
        rules=api.make_rules("2019-02-01"),
    )
    assert chains.paths == []


def test_the_refusal_says_revoked_and_by_whom(
    db: Database, world: dict[str, Cert], tmp_path: Path
) -> None:
    path = rs.collection(tmp_path / "onecrl.json", [rs.by_serial(world["a"], "rec-a", CREATED)])
    onecrl.add_onecrl(db, path)
    rules = api.with_revocations(db, api.make_rules("2019-02-01"), "mozilla")
    reason = rules.revocations.refusal(world["a"].sha256, rules.at)
    assert reason == "revoked on 2019-01-18 (OneCRL rec-a)"


def test_a_new_list_replaces_the_old_and_unresolved_records_are_named(
    db: Database, world: dict[str, Cert], tmp_path: Path
) -> None:
    stranger = PKI().root("Not Loaded Here")
    first = rs.collection(tmp_path / "old.json", [rs.by_serial(world["a"], "a", CREATED)])
    onecrl.add_onecrl(db, first)
    second = rs.collection(
        tmp_path / "new.json", [rs.by_serial(stranger, "s"), rs.by_key(world["b"], "b")]
    )
    report = onecrl.add_onecrl(db, second)
    assert report.replaced == 1 and report.replaced_origins[0].startswith("old.json")
    assert [r.ident for r in report.unresolved] == ["s"]
    assert _reached(db, "Below Serial", "mozilla", "2025-01-01").reached


def _malformed(record: dict[str, Any]) -> list[Any]:
    return [record]


BAD_RECORDS: list[tuple[str, Any, str]] = [
    ("no id", {"enabled": True}, "no id"),
    ("enabled text", {"id": "x", "enabled": "yes"}, "enabled is 'yes'"),
    ("both forms", {"id": "x", "issuerName": "AA==", "subject": "AA=="}, "a record names"),
    ("neither form", {"id": "x", "last_modified": 1}, "a record names"),
    ("bad base64", {"id": "x", "issuerName": "@@", "serialNumber": "AQ=="}, "not base64"),
    ("not a name", {"id": "x", "issuerName": "AQID", "serialNumber": "AQ=="}, "not a DER name"),
    ("short key hash", {"id": "x", "subject": "MAA=", "pubKeyHash": "AQ=="}, "not 32 bytes"),
    ("time text", {"id": "x", "last_modified": "2020"}, "not a time in milliseconds"),
    ("created", {"id": "x", "details": {"created": "yesterday"}}, "not an ISO time"),
]


@pytest.mark.parametrize(("what", "changes", "words"), BAD_RECORDS, ids=[b[0] for b in BAD_RECORDS])
def test_a_record_that_cannot_be_read_refuses_the_list(
    world: dict[str, Cert], tmp_path: Path, what: str, changes: dict[str, Any], words: str
) -> None:
    good = rs.by_serial(world["a"], "good", CREATED)
    bad = rs.by_serial(world["a"], "bad", CREATED)
    if "issuerName" in changes or "subject" in changes or what == "neither form":
        del bad["issuerName"], bad["serialNumber"]
    bad.update(changes)
    if "id" in changes and changes.get("id") is None:
        del bad["id"]
    if what == "no id":
        del bad["id"]
    path = rs.collection(tmp_path / "l.json", [good, bad])
    with pytest.raises(InputError) as raised:
        onecrl.read_onecrl(path)
    message = str(raised.value)
    assert message.startswith(f"{path}: record 2") and words in message, message


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("{", "not a JSON document"),
        ('{"records": []}', 'no "data" list'),
        ('{"data": [1]}', "record 1 is not an object"),
        ('{"data": [], "timestamp": "now"}', "timestamp: 'now'"),
        ("[" * 100_000, "not a JSON document"),
    ],
)
def test_a_file_that_is_no_collection_is_refused(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "x.json"
    path.write_text(text)
    with pytest.raises(InputError, match=words):
        onecrl.read_onecrl(path)


def test_a_repeated_id_is_refused(world: dict[str, Cert], tmp_path: Path) -> None:
    records = [rs.by_serial(world["a"], "same"), rs.by_key(world["b"], "same")]
    with pytest.raises(InputError, match="the id of record 1 again"):
        onecrl.read_onecrl(rs.collection(tmp_path / "l.json", records))


@fuzz(150)
@given(st.data())
def test_any_edit_of_a_record_reads_or_is_refused(data: st.DataObject) -> None:
    """Any value in any field of a valid record gives a list or an InputError."""
    record: dict[str, Any] = {
        "details": {"bug": "b", "created": "2020-01-01T00:00:00Z"},
        "enabled": True,
        "id": "r",
        "issuerName": "MA0xCzAJBgNVBAMMAkNB",
        "serialNumber": "AQ==",
        "last_modified": 1_600_000_000_000,
    }
    values: st.SearchStrategy[Any] = (
        st.none() | st.booleans() | st.integers() | st.text(max_size=12) | st.just({})
    )
    for key in data.draw(st.lists(st.sampled_from([*record, "subject", "pubKeyHash"]))):
        record[key] = data.draw(values)
    text = json.dumps({"data": [record]})
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "l.json"
        path.write_text(text)
        try:
            onecrl.read_onecrl(path)
        except InputError as exc:
            assert str(exc).startswith(str(path))


@fuzz(100)
@given(st.data())
def test_any_preloading_record_reads_or_is_refused(data: st.DataObject) -> None:
    """Any value in any field of a preloading record gives the list or an InputError."""
    record: dict[str, Any] = {"derHash": "A" * 43 + "=", "id": "p", "subject": "CN=X"}
    values: st.SearchStrategy[Any] = (
        st.none() | st.booleans() | st.integers() | st.text(max_size=50) | st.just([])
    )
    for key in data.draw(st.lists(st.sampled_from([*record, "last_modified"]))):
        record[key] = data.draw(values)
    with tempfile.TemporaryDirectory() as folder:
        path = rs.collection(Path(folder) / "p.json", [record])
        try:
            _published, found = read_preloading_list(path)
        except InputError as exc:
            assert str(exc).startswith(str(path))
        else:
            assert [len(item.sha256) for item in found] == [64]


def test_what_changed_between_two_lists(world: dict[str, Cert], tmp_path: Path) -> None:
    kept = rs.by_serial(world["a"], "kept", CREATED)
    flipped = rs.by_key(world["b"], "flipped")
    old = [kept, flipped, rs.by_serial(world["under_a"], "gone"), rs.by_serial(world["b"], "m")]
    new = [
        kept,
        {**flipped, "enabled": False},
        rs.by_serial(world["under_b"], "new"),
        {**rs.by_serial(world["b"], "m"), "last_modified": 1_700_000_000_000},
    ]
    result = diff_lists(
        onecrl.read_onecrl(rs.collection(tmp_path / "old.json", old)),
        onecrl.read_onecrl(rs.collection(tmp_path / "new.json", new)),
    )
    assert {kind: [r.ident for r in records] for kind, records in result.changes.items()} == {
        "added": ["new"],
        "added_not_enforced": [],
        "now_enforced": [],
        "no_longer_enforced": ["flipped"],
        "removed": ["gone"],
        "modified": ["m"],
    }


def test_preloaded_intermediates_are_marked_in_chains(
    db: Database, world: dict[str, Cert], tmp_path: Path
) -> None:
    stranger = PKI().root("Preloaded Elsewhere")
    path = rs.collection(
        tmp_path / "intermediates.json.xz",
        [rs.preloaded(world["a"], "1"), rs.preloaded(stranger, "2")],
    )
    report = add_preloading_list(db, path)
    assert (len(report.loaded), [r.sha256 for r in report.missing]) == (1, [stranger.sha256])
    found = api.chains(
        db,
        "Below Serial",
        anchors=api.anchors_for(db, store="mozilla", at="2018-01-01"),
        rules=api.make_rules("2018-01-01"),
    )
    document = api.document(found)
    [path_doc] = document["paths"]
    assert [s["preloaded_by"] for s in path_doc["steps"]] == [["firefox"], []]
    assert document["preloading_lists"] == ["firefox"]
    bad = rs.collection(tmp_path / "bad.json", [{"id": "x", "derHash": "AQ=="}])
    with pytest.raises(InputError, match=r"record 1 \(x\): derHash holds 1 bytes"):
        add_preloading_list(db, bad)
    assert len(add_preloading_list(db, path).records) == 2  # the bad list changed nothing
