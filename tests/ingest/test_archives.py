"""Apple and Android stores from archives: which observations make a series and why the
others do not, pages matched to certificates, and archives that try to do harm."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from tests.conftest import load_certs
from tests.factories.pki import PKI, Cert
from trustgraph.errors import InputError
from trustgraph.ingest import android, apple, stores
from trustgraph.ingest import archive as archive_module
from trustgraph.ingest.archive import archive_members
from trustgraph.storage import trust
from trustgraph.storage.database import Database


@pytest.fixture(scope="module")
def roots() -> list[Cert]:
    pki = PKI()
    return [pki.root(f"Archive Root {i}") for i in range(3)]


def _archive(path: Path, members: dict[str, bytes], links: dict[str, str] | None = None) -> Path:
    with tarfile.open(path, "w:xz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type = tarfile.SYMTYPE
            info.linkname = target
            archive.addfile(info)
    return path


def _pem(certs: list[Cert]) -> bytes:
    return "".join(c.pem for c in certs).encode()


def _page(trusted: list[tuple[str, str, str]], blocked: list[tuple[str, str, str]]) -> bytes:
    """An Apple page listing (name, serial, expiry) rows without fingerprints."""
    header = (
        "<tr><th>Certificate name</th><th>Issued by</th><th>Type</th><th>Key size</th>"
        "<th>Sig alg</th><th>Serial number</th><th>Expires</th><th>EV policy</th></tr>"
    )

    def rows(items: list[tuple[str, str, str]]) -> str:
        return "".join(
            f"<tr><td>{n}&nbsp;</td><td>{n}&nbsp;</td><td>EC</td><td>256 bits</td>"
            f"<td>SHA-256</td><td>{s}</td><td>{e}</td><td>Not EV</td></tr>"
            for n, s, e in items
        )

    return (
        f"<h2>Trusted certificates</h2><table>{header}{rows(trusted)}</table>"
        f"<h2>Blocked certificates</h2><table>{header}{rows(blocked)}</table>"
    ).encode()


def _row(cert: Cert) -> tuple[str, str, str]:
    serial = f"{cert.cert.serial_number:X}"
    expiry = cert.cert.not_valid_after_utc.strftime("%H:%M:%S %b %d, %Y")
    return cert.subject.cn, " ".join(serial[i : i + 2] for i in range(0, len(serial), 2)), expiry


def test_observations_of_a_release_that_is_not_current_are_reported(
    db: Database, tmp_path: Path, roots: list[Cert]
) -> None:
    path = _archive(
        tmp_path / "apple.tar.xz",
        {
            "ios/ios10/2016-10-02.ca": _pem(roots[:2]),
            "ios/ios9/2016-10-02.ca": _pem(roots[:1]),  # iOS 10 was current that day
            "ios/ios11/2017-12-01.ca": _pem(roots[1:]),
        },
    )
    report = stores.add_store(db, "apple-ios", path)
    assert [(v.snapshot.as_of[:10], v.snapshot.sequence) for v in report.versions] == [
        ("2016-10-02", "iOS 10"),
        ("2017-12-01", "iOS 11"),
    ]
    assert [u["reason"] for u in report.unused] == ["release 9 was not current that day (10 was)"]


def test_a_page_of_names_is_matched_to_loaded_certificates(
    db: Database, tmp_path: Path, roots: list[Cert]
) -> None:
    load_certs(db, tmp_path, roots)
    page = _page([_row(roots[0]), _row(roots[1])], [_row(roots[2]), ("Gone CA", "99", "")])
    path = _archive(tmp_path / "apple.tar.xz", {"osx/osx-10.12/2016-10-01.html": page})
    (version,) = stores.add_store(db, "apple-macos", path).versions
    assert version.anchors == 2 and version.distrusted == 1
    unmatched = [e for e in version.not_anchors if e["apple"] == apple.UNMATCHED]
    assert [e["label"] for e in unmatched] == ["Gone CA"]


def test_a_page_whose_trusted_names_do_not_all_match_is_not_used(
    db: Database, tmp_path: Path, roots: list[Cert]
) -> None:
    load_certs(db, tmp_path, roots[:1])
    page = _page([_row(roots[0]), _row(roots[1])], [])
    path = _archive(tmp_path / "apple.tar.xz", {"osx/osx-10.12/2016-10-01.html": page})
    report = stores.add_store(db, "apple-macos", path)
    assert report.versions == []
    assert "1 of 2 trusted certificates" in report.unused[0]["reason"]


def test_android_versions_by_release_month(db: Database, tmp_path: Path, roots: list[Cert]) -> None:
    path = _archive(
        tmp_path / "android.tar.xz",
        {
            "android/7.0.0_r35/1.ca": _pem(roots[:2]),
            "android/7.0.0_r1/1.ca": _pem(roots[:1]),
            "android/6.0.1_r81/1.ca": _pem(roots[:1]),
            "android/3.2_r1/1.ca": _pem(roots[:1]),
        },
    )
    report = stores.add_store(db, "android", path)
    assert [(v.snapshot.as_of[:7], v.snapshot.sequence, v.anchors) for v in report.versions] == [
        ("2015-10", "6.0.1_r81", 1),
        ("2016-08", "7.0.0_r1", 1),
    ]
    reasons = {u["source"]: u["reason"] for u in report.unused}
    assert reasons["3.2_r1"] == "no known release date for this tag"
    assert "differs from 7.0.0_r1's" in reasons["7.0.0_r35"]
    assert all(v.snapshot.precision == "month" for v in report.versions)


def test_release_tags_map_to_versions() -> None:
    assert [android.version_of(t) for t in ("4.0.1_r1.2", "9.0.0_r3", "10.0.0_r000_q-x", "x")] == [
        "4.0",
        "9",
        "10",
        None,
    ]


def test_links_in_an_archive_are_not_followed(tmp_path: Path, roots: list[Cert]) -> None:
    path = _archive(
        tmp_path / "a.tar.xz",
        {"android/7.0.0_r1/1.ca": _pem(roots[:1])},
        links={"android/8.0.0_r1/1.ca": "/etc/passwd"},
    )
    assert [name for name, _data in archive_members(path)] == ["android/7.0.0_r1/1.ca"]


def test_an_oversized_member_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUSTGRAPH_MAX_INPUT_MB", "1")
    path = _archive(tmp_path / "big.tar.xz", {"android/7.0.0_r1/1.ca": b"\0" * (2 << 20)})
    with pytest.raises(InputError, match="larger than trustgraph reads"):
        list(archive_members(path))


def test_a_broken_archive_names_itself(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "broken.tar.xz"
    path.write_bytes(b"\xfd7zXZ\0broken")
    with pytest.raises(InputError, match=r"broken\.tar\.xz"):
        stores.add_store(db, "android", path)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("../android/7.0.0_r1/1.ca", "lies outside the archive"),
        ("android/../../7.0.0_r1/1.ca", "lies outside the archive"),
        ("/android/7.0.0_r1/1.ca", "lies outside the archive"),
        ("android/7.0.0_r1/1.ca", "appears twice"),
        ("android/./7.0.0_r1/1.ca", "appears twice"),
    ],
)
def test_a_member_that_could_stand_in_for_another_refuses_the_archive(
    db: Database, tmp_path: Path, roots: list[Cert], name: str, reason: str
) -> None:
    """A second entry of one name (or one outside the archive) could replace another
    version's file: Android 7.0 would end with one hostile anchor instead of its own."""
    path = tmp_path / "android.tar.xz"
    with tarfile.open(path, "w:xz") as archive:
        for member, data in (("android/7.0.0_r1/1.ca", _pem(roots[:2])), (name, _pem(roots[2:]))):
            info = tarfile.TarInfo(member)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    with pytest.raises(InputError, match=reason) as raised:
        stores.add_store(db, "android", path)
    assert str(raised.value).startswith(str(path))
    assert trust.snapshots(db) == []


def test_an_archive_of_too_many_entries_is_refused_quickly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(archive_module, "MAX_MEMBERS", 50)
    path = _archive(tmp_path / "many.tar.xz", {f"android/x/{i}.ca": b"" for i in range(51)})
    with pytest.raises(InputError, match="more than 50 entries"):
        list(archive_members(path))
    assert len(list(archive_members(_archive(tmp_path / "few.tar", {"a": b"", "b": b""})))) == 2


def test_an_empty_android_file_refuses_the_series(
    db: Database, tmp_path: Path, roots: list[Cert]
) -> None:
    path = _archive(
        tmp_path / "android.tar.xz",
        {"android/6.0.1_r81/1.ca": _pem(roots[:1]), "android/7.0.0_r1/1.ca": b""},
    )
    with pytest.raises(InputError, match="no anchors found"):
        stores.add_store(db, "android", path)
    assert trust.snapshots(db) == []
    report = stores.add_store(db, "android", path, allow_empty=True)
    assert [v.anchors for v in report.versions] == [1, 0]


def test_an_apple_page_with_no_rows_it_can_read_replaces_nothing(
    db: Database, tmp_path: Path, roots: list[Cert]
) -> None:
    load_certs(db, tmp_path, roots)
    good = _archive(tmp_path / "good.tar.xz", {"ios/ios10/2016-10-02.ca": _pem(roots)})
    stores.add_store(db, "apple-ios", good)
    page = b"<h2>Trusted certificates</h2><p>nothing in a table</p>"
    bad = _archive(tmp_path / "bad.tar.xz", {"ios/ios10/2016-10-02.html": page})
    with pytest.raises(InputError):
        stores.add_store(db, "apple-ios", bad)
    [snapshot] = trust.snapshots(db, "apple-ios")
    assert trust.anchor_counts(db)[snapshot.id] == 3
