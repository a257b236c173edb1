"""certifi's history: one Mozilla snapshot per release day (certifi's version is the date),
a re-release of a day replacing the earlier one, every certificate an anchor for server
authentication; a bundle that cannot be read whole refuses the history."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.factories.pki import PKI, Cert
from tests.fuzzing import fuzz
from trustgraph import api
from trustgraph.analysis import stores as store_history
from trustgraph.errors import InputError
from trustgraph.ingest import certifi, stores
from trustgraph.storage.database import Database
from trustgraph.stored import StoredRecords


@pytest.fixture(scope="module")
def roots() -> list[Cert]:
    pki = PKI()
    return [pki.root(f"Bundle Root {n}") for n in range(3)]


CUT = "-----BEGIN CERTIFICATE-----\nAAAA\n"


def _bundle(certs: list[Cert]) -> str:
    return "".join(f"# {c.subject.cn}\n{c.pem}" for c in certs)


@pytest.mark.parametrize(
    ("name", "release"),
    [
        ("cacert-certifi-2015.04.28.pem", ("2015-04-28T00:00:00Z", 0)),
        ("cacert-certifi-14.05.14.pem", ("2014-05-14T00:00:00Z", 0)),
        ("x/cacert-certifi-2020.4.5.2.pem", ("2020-04-05T00:00:00Z", 2)),
        ("cacert-certifi-2026.10.19.post1.pem", ("2026-10-19T00:00:00Z", 1)),
        ("README.md", None),
    ],
)
def test_release_of_a_name(name: str, release: tuple[str, int] | None) -> None:
    assert certifi.release_of(name) == release


def test_a_version_that_is_no_date_is_refused() -> None:
    with pytest.raises(InputError, match=r"2021\.2\.30 is no date"):
        certifi.release_of("cacert-certifi-2021.2.30.pem")


def test_history_one_version_per_day_last_re_release_wins(
    db: Database, roots: list[Cert], tmp_path: Path
) -> None:
    a, b, c = roots
    folder = tmp_path / "certifi"
    folder.mkdir()
    (folder / "cacert-certifi-2020.4.5.pem").write_text(_bundle([a]))
    (folder / "cacert-certifi-2020.4.5.1.pem").write_text(_bundle([a, b]))
    (folder / "cacert-certifi-2021.5.30.pem").write_text(_bundle([b, c]))
    report = stores.add_store(db, "mozilla", folder)
    assert [(v.snapshot.as_of[:10], v.anchors) for v in report.versions] == [
        ("2020-04-05", 2),
        ("2021-05-30", 2),
    ]
    assert [u["source"].rsplit(":", 1)[1] for u in report.unused] == ["cacert-certifi-2020.4.5.pem"]
    early = api.anchors_for(db, store="mozilla", at="2020-06-01")
    assert sorted(fp for fps in early.cas.values() for fp in fps) == sorted([a.sha256, b.sha256])
    entry = store_history.show(StoredRecords(db), "mozilla", "2021-06-01T00:00:00Z").entries[0]
    assert entry.trust.purposes == certifi.WEB


def test_an_archive_with_a_bad_bundle_adds_nothing(
    db: Database, roots: list[Cert], tmp_path: Path
) -> None:
    path = tmp_path / "certifi.tar.xz"
    with tarfile.open(path, "w:xz") as archive:
        for name, text in (
            ("cacert-certifi-2020.4.5.pem", _bundle(roots[:1])),
            (
                "cacert-certifi-2021.5.30.pem",
                _bundle(roots[:1]) + "-----BEGIN CERTIFICATE-----\nAAAA\n",
            ),
        ):
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    with pytest.raises(InputError, match=r"cacert-certifi-2021\.5\.30\.pem.*read whole or not"):
        stores.add_store(db, "mozilla", path)
    assert api.stores(db) == []


@fuzz(200)
@given(st.text(alphabet="cacert-ifi0123456789.post/ ", max_size=40))
def test_any_name_is_a_release_none_or_refused(name: str) -> None:
    try:
        found = certifi.release_of(name)
    except InputError as exc:
        assert "is no date" in str(exc)
    else:
        assert found is None or found[0][:4].isdigit()
