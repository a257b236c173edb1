"""Microsoft's authroot CTL: every attribute read into the one model of anchor restrictions,
and trust data that cannot be read fails the whole file (never a root trusted without its
restriction); whatever the bytes, the reader fails only with InputError."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tests.factories.ctl import CODE_SIGNING, SERVER_AUTH, Entry, ctl, ekus, filetime
from tests.factories.der import oid, seq, tlv
from tests.fuzzing import fuzz
from trustgraph.errors import InputError
from trustgraph.ingest import authroot, stores
from trustgraph.ingest.listed import ListedAnchor
from trustgraph.policy.anchors import AnchorTrust
from trustgraph.storage import trust
from trustgraph.storage.database import Database

UPDATE = datetime(2017, 3, 4, 5, 6, 7, tzinfo=UTC)
EMAIL = "1.3.6.1.5.5.7.3.4"


def _one(attributes: dict[str, bytes]) -> ListedAnchor:
    version = authroot.read_ctl(ctl([Entry(b"root", attributes)], UPDATE), "test.stl")
    assert len(version.anchors) == 1
    return version.anchors[0]


def test_version_dated_by_this_update_with_its_sequence() -> None:
    version = authroot.read_ctl(ctl([Entry(b"a"), Entry(b"b")], UPDATE, 0x1401ABCD), "t.stl")
    assert (version.as_of, version.sequence, len(version.anchors)) == (
        "2017-03-04T05:06:07Z",
        "1401ABCD",
        2,
    )


def test_every_restriction_is_read() -> None:
    sha256 = bytes(range(32))
    anchor = _one(
        {
            "9": ekus(SERVER_AUTH, CODE_SIGNING, EMAIL),
            "11": "Test Root".encode("utf-16-le") + b"\0\0",
            "98": sha256,
            "104": filetime(datetime(2019, 2, 1, tzinfo=UTC)),
            "122": ekus(EMAIL),
            "126": filetime(datetime(2017, 9, 30, tzinfo=UTC)),
            "127": ekus(SERVER_AUTH),
            "83": seq(seq(oid("2.23.140.1.1"))),
            "200": b"\x01\x02",
        }
    )
    assert anchor.sha256 == sha256.hex()
    assert anchor.label == "Test Root"
    assert anchor.purposes == frozenset({SERVER_AUTH, CODE_SIGNING})  # the disallowed EKU is gone
    assert anchor.distrust_after == "2017-09-30T00:00:00Z"
    assert anchor.distrust_purposes == frozenset({SERVER_AUTH})
    assert anchor.disabled_from == "2019-02-01T00:00:00Z"
    assert anchor.attributes == {
        "disallowed_purposes": [EMAIL],
        "ev_policies": ["2.23.140.1.1"],
        "other": {"200": "0102"},
    }


def test_empty_dates_restrict_nothing_and_are_kept() -> None:
    anchor = _one({"104": b"", "126": b""})
    assert (anchor.disabled_from, anchor.distrust_after) == (None, None)
    assert anchor.attributes == {"empty_attributes": ["104", "126"]}


BROKEN = {
    "a FILETIME of 7 bytes": ({"126": b"\0" * 7}, "FILETIME has 8 bytes"),
    "EKUs that are not OIDs": ({"127": tlv(0x04, b"x")}, "unreadable attribute"),
    "disallowed EKUs without trusted ones": ({"122": ekus(EMAIL)}, "every purpose"),
    "a SHA-256 of 20 bytes": ({"98": b"\0" * 20}, "SHA-256 attribute has 20 bytes"),
}


@pytest.mark.parametrize(("attributes", "reason"), BROKEN.values(), ids=BROKEN.keys())
def test_an_unreadable_restriction_fails_the_file(
    attributes: dict[str, bytes], reason: str
) -> None:
    with pytest.raises(InputError, match=reason) as caught:
        _one(attributes)
    assert "test.stl: entry 1" in str(caught.value)


WRONG = {
    "another signed content": (ctl([], UPDATE, content_type="1.2.840.113549.1.7.1"), "not a"),
    "a list for another usage": (ctl([], UPDATE, usage="1.3.6.1.5.5.7.3.3"), "not a list"),
    "cut short": (ctl([Entry(b"a")], UPDATE)[:-9], "not a readable"),
    "not DER": (b"\x30\x82\xff", "not a readable"),
}


@pytest.mark.parametrize(("data", "reason"), WRONG.values(), ids=WRONG.keys())
def test_a_file_that_is_not_a_root_list_is_refused(data: bytes, reason: str) -> None:
    with pytest.raises(InputError, match=reason):
        authroot.read_ctl(data, "bad.stl")


def test_a_bad_version_in_a_series_adds_nothing(db: Database, tmp_path: Path) -> None:
    series = tmp_path / "series"
    series.mkdir()
    (series / "a.stl").write_bytes(ctl([Entry(b"a")], UPDATE))
    (series / "b.stl").write_bytes(ctl([Entry(b"b", {"126": b"\0"})], UPDATE))
    with pytest.raises(InputError, match=r"b\.stl: entry 1"):
        stores.add_store(db, "microsoft", series)
    assert trust.snapshots(db) == []


def test_versions_of_one_date_are_stored_once(db: Database, tmp_path: Path) -> None:
    series = tmp_path / "series"
    series.mkdir()
    (series / "a.stl").write_bytes(ctl([Entry(b"a")], UPDATE, 0x10))
    (series / "b.stl").write_bytes(ctl([Entry(b"a"), Entry(b"b")], UPDATE, 0x11))
    (series / "c.stl").write_bytes(ctl([Entry(b"a")], datetime(2018, 1, 1, tzinfo=UTC), 0x12))
    report = stores.add_store(db, "microsoft", series)
    assert [(v.snapshot.sequence, v.anchors) for v in report.versions] == [("11", 2), ("12", 1)]
    assert [u["source"] for u in report.unused] == [str(series / "a.stl")]
    assert "higher sequence" in report.unused[0]["reason"]


_REAL = ctl([Entry(b"a", {"9": ekus(SERVER_AUTH), "126": filetime(UPDATE)}), Entry(b"b")], UPDATE)


@st.composite
def _mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(_REAL)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data) - 1))
        action = draw(st.sampled_from(("flip", "cut", "insert")))
        if action == "flip":
            data[at] ^= draw(st.integers(1, 255))
        elif action == "cut":
            del data[at:]
            if not data:
                break
        else:
            data[at:at] = draw(st.binary(min_size=1, max_size=4))
    return bytes(data)


@fuzz(300)
@given(st.one_of(_mutated(), st.binary(max_size=200)))
# Found by this test: a NotBefore FILETIME beyond any date (OverflowError).
@example(_REAL.replace(filetime(UPDATE), b"\xff" * 8))
def test_any_bytes_give_a_version_or_an_input_error(data: bytes) -> None:
    try:
        version = authroot.read_ctl(data, "fuzz.stl")
    except InputError:
        return
    assert all(len(anchor.sha1 or "") == 40 for anchor in version.anchors)


def test_an_empty_eku_list_trusts_the_root_for_nothing() -> None:
    """CryptoAPI reads an enhanced-key-usage property with no usages as valid for no
    purpose; it must not read as "every purpose", which a missing attribute means."""
    empty, absent = _one({"9": b""}), _one({})
    assert empty.purposes == frozenset() and absent.purposes is None
    trust = AnchorTrust(empty.purposes)
    assert not trust.trusted_for(None) and not trust.trusted_for(SERVER_AUTH)
    assert AnchorTrust(absent.purposes).trusted_for(SERVER_AUTH)


def test_a_filetime_beyond_any_date_refuses_the_file() -> None:
    with pytest.raises(InputError, match=r"entry 1 .*beyond any date"):
        _one({"104": b"\xff" * 8})


def test_a_list_larger_than_any_real_one_is_refused_in_bounded_memory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(authroot, "MAX_ENTRIES", 5)
    data = ctl([Entry(bytes([i])) for i in range(6)], UPDATE)
    with pytest.raises(InputError, match="more than 5 entries"):
        authroot.read_ctl(data, "big.stl")
    assert (
        len(authroot.read_ctl(ctl([Entry(bytes([i])) for i in range(5)], UPDATE), "ok").anchors)
        == 5
    )


def test_two_versions_with_one_sequence_number_are_not_called_higher(
    db: Database, tmp_path: Path
) -> None:
    series = tmp_path / "series"
    series.mkdir()
    (series / "a.stl").write_bytes(ctl([Entry(b"a")], UPDATE, 0x10))
    (series / "b.stl").write_bytes(ctl([Entry(b"a"), Entry(b"b")], UPDATE, 0x10))
    report = stores.add_store(db, "microsoft", series)
    assert [v.anchors for v in report.versions] == [2]
    [unused] = report.unused
    assert unused["source"] == str(series / "a.stl")
    assert "higher" not in unused["reason"] and "same sequence number" in unused["reason"]
