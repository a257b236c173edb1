"""crt.sh's root-program files: every statement form crt.sh writes read as PostgreSQL would
run it against crt.sh's tables (roots by SHA-1, by SHA-256 with purposes chosen by OID, by
their bytes, copied to a new purpose), each file one dated version of its program; anything
else refuses the file with its name, line and reason."""

from __future__ import annotations

import hashlib
import io
import tarfile
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from typer.testing import CliRunner

from tests.factories import crtsh as sql
from tests.factories.pki import PKI, Cert, when, write_pem
from tests.fuzzing import fuzz
from trustgraph import api
from trustgraph.analysis import stores as store_history
from trustgraph.cli import app
from trustgraph.errors import InputError, UsageError
from trustgraph.ingest import crtsh, stores
from trustgraph.ingest.listed import ListedAnchor, StoreVersion
from trustgraph.ingest.sources import Occurrence
from trustgraph.storage.database import Database
from trustgraph.stored import StoredRecords

SERVER, EMAIL, CODE = "1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.4", "1.3.6.1.5.5.7.3.3"
EV_POLICY = "2.23.140.1.1"
MOZILLA, CHROME, MICROSOFT, JAVA, EUTL = 5, 6, 1, 23, 27


@pytest.fixture(scope="module")
def roots() -> list[Cert]:
    pki = PKI()
    return [pki.root(f"Program Root {n}") for n in range(3)]


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _version(name: str, text: str) -> StoreVersion:
    item = crtsh.program_file(name)
    assert item is not None
    return crtsh.read_file_text(item, text)


def _by_sha256(version: StoreVersion) -> dict[str, ListedAnchor]:
    return {anchor.sha256 or "": anchor for anchor in version.anchors}


def test_mozilla_form_roots_by_sha1_with_distrust_after(roots: list[Cert]) -> None:
    """Mozilla's files import each root and name it by SHA-1: the entry has the root's
    SHA-256, its purposes, and the distrust-after date of the purpose it was given on."""
    a, b, _ = roots
    text = sql.sql_file(
        sql.delete(MOZILLA, below=100),
        sql.import_cert(a.der),
        sql.import_cert(b.der),
        sql.by_sha1(a.der, MOZILLA, 1, "2024-11-30T23:59:59Z"),
        sql.by_sha1(a.der, MOZILLA, 3),
        sql.by_sha1(b.der, MOZILLA, 1),
        transaction=False,
    )
    version = _version("20251023_mozilla_certdata.sql", text)
    assert version.as_of == "2025-10-23T00:00:00Z"
    found = _by_sha256(version)
    assert set(found) == {a.sha256, b.sha256}
    first = found[a.sha256]
    assert first.purposes == frozenset({SERVER, EMAIL})
    assert first.distrust_after == "2024-11-30T23:59:59Z"
    assert first.distrust_purposes == frozenset({SERVER})
    assert found[b.sha256].distrust_after is None and found[b.sha256].purposes == frozenset(
        {SERVER}
    )
    assert sorted(o.der for o in version.certificates if isinstance(o, Occurrence)) == sorted(
        [a.der, b.der]
    )


def test_chrome_form_sct_cutoff_and_ev_policy(roots: list[Cert]) -> None:
    """Chrome's NOTBEFORE_UNTIL judges the SCT time: it becomes the SCT cut-off, not a
    distrust-after; an EV policy chosen by OID is kept as an attribute."""
    a, b, _ = roots
    text = sql.sql_file(
        sql.delete(CHROME),
        sql.by_oid(a.der, CHROME, SERVER, until="2024-11-11T23:59:59Z", at_most=None),
        sql.by_oid(a.der, CHROME, EV_POLICY, at_most=None),
        sql.by_oid(b.der, CHROME, SERVER, at_most=None),
    )
    found = _by_sha256(_version("20251216_chrome_rootstore.sql", text))
    entry = found[a.sha256]
    assert entry.sct_not_after == "2024-11-11T23:59:59Z" and entry.distrust_after is None
    assert entry.purposes == frozenset({SERVER})
    assert entry.attributes["ev_policies"] == [EV_POLICY]
    assert found[b.sha256].sct_not_after is None and "ev_policies" not in found[b.sha256].attributes


def test_microsoft_form_disabled_dates(roots: list[Cert]) -> None:
    """A purpose disabled before the file's day is gone; one never trusted (-infinity) is
    named; a disabled date after the day shared by every purpose disables the root then;
    dates that differ between purposes are kept per purpose."""
    a, b, c = roots
    text = sql.sql_file(
        sql.delete(MICROSOFT),
        sql.by_oid(a.der, MICROSOFT, SERVER),
        sql.by_oid(a.der, MICROSOFT, CODE, disabled="2020-01-01T00:00:00Z"),
        sql.by_oid(a.der, MICROSOFT, EMAIL, disabled="-infinity"),
        sql.by_oid(b.der, MICROSOFT, SERVER, disabled="2026-03-01T00:00:00Z"),
        sql.by_oid(b.der, MICROSOFT, EMAIL, disabled="2026-03-01T00:00:00Z"),
        sql.by_oid(c.der, MICROSOFT, SERVER, disabled="2026-03-01T00:00:00Z"),
        sql.by_oid(c.der, MICROSOFT, EMAIL),
    )
    found = _by_sha256(_version("20250828_microsoft_authroot.sql", text))
    assert found[a.sha256].purposes == frozenset({SERVER})
    assert found[a.sha256].attributes["purposes_disabled"] == sorted([CODE, EMAIL])
    assert found[a.sha256].disabled_from is None
    assert found[b.sha256].disabled_from == "2026-03-01T00:00:00Z"
    assert found[c.sha256].disabled_from is None
    assert found[c.sha256].attributes["purpose_disabled_from"] == {SERVER: "2026-03-01T00:00:00Z"}


def test_java_form_copies_every_root_to_a_purpose(roots: list[Cert]) -> None:
    a, b, _ = roots
    insert = (
        "INSERT INTO root_trust_purpose ( CERTIFICATE_ID, TRUST_CONTEXT_ID, TRUST_PURPOSE_ID ) "
        "SELECT import_cert({}), 23, 1;"
    )
    text = sql.sql_file(
        sql.delete(JAVA),
        insert.format(sql.hexed(a.der)),
        insert.format(sql.hexed(b.der)),
        sql.copy_all(JAVA, 4),
    )
    version = _version("20251029_java_cacerts_25.0.1.sql", text)
    assert version.sequence == "25.0.1"
    assert {e.sha256: e.purposes for e in version.anchors} == {
        a.sha256: frozenset({SERVER, CODE}),
        b.sha256: frozenset({SERVER, CODE}),
    }


def test_eu_form_base64_bytes_and_qwac_purpose(roots: list[Cert]) -> None:
    a, b, _ = roots
    text = sql.sql_file(
        sql.delete(EUTL),
        sql.by_bytes(a.der, EUTL, 1000),
        sql.by_bytes(b.der, EUTL, 1000, disabled="2023-09-14T00:00:00Z"),
        transaction=False,
    )
    found = _by_sha256(_version("20251029_eutl_qwacs.sql", text))
    assert found[a.sha256].purposes == frozenset({crtsh.QWAC})
    assert found[b.sha256].purposes == frozenset()  # disabled before the file's day


def _valid(root: Cert) -> str:
    return sql.sql_file(sql.delete(MOZILLA), sql.import_cert(root.der), sql.by_sha1(root.der, 5, 1))


BAD_FILES = [
    # (what, statements after BEGIN/LOCK, the line the message names, words it has)
    ("unknown statement", ["DROP TABLE certificate;"], 3, "a statement of a kind"),
    ("other context", [sql.delete(6)], 3, "trust context 6 in a file of mozilla"),
    ("insert before delete", ["{insert}"], 3, "before the program's rows are cleared"),
    ("unknown purpose", [sql.delete(5), "{insert13}"], 4, "trust purpose 13"),
    ("unknown table", [sql.delete(5), "{other_table}"], 4, "FROM certificate x"),
    ("bad hex", [sql.delete(5), "SELECT import_cert(E'\\\\xZZ');"], 4, "not hex"),
    ("bad base64", [sql.delete(5), "SELECT import_cert(decode('@@', 'base64'));"], 4, "base64"),
    ("no semicolon", [sql.delete(5), "SELECT import_cert(E'\\\\x00')"], 2, "has no ';'"),
    ("bad time", [sql.delete(5), "{bad_time}"], 4, "is not a time"),
    ("stray character", [sql.delete(5), "SELECT import_cert(E'\\\\x00') # ;"], 4, "character"),
    ("trailing words", [sql.delete(5)[:-1] + " OR 1;"], 3, "'OR' after the end"),
]


@pytest.mark.parametrize(
    ("what", "body", "line", "words"), BAD_FILES, ids=[b[0] for b in BAD_FILES]
)
def test_malformed_files_are_refused_with_file_and_line(
    roots: list[Cert], what: str, body: list[str], line: int, words: str
) -> None:
    der = roots[0].der
    insert = sql.by_sha1(der, MOZILLA, 1)
    fills = {
        "insert": insert,
        "insert13": sql.by_sha1(der, MOZILLA, 13),
        "other_table": insert.replace("FROM certificate c", "FROM certificate x"),
        "bad_time": sql.by_sha1(der, MOZILLA, 1, "yesterday"),
    }
    statements = [s.format(**fills) if s.startswith("{") else s for s in body]
    # the last statement stands alone where the point is its missing ';'
    text = sql.sql_file(*statements, transaction=what != "no semicolon")
    with pytest.raises(InputError) as raised:
        _version("20250101_mozilla_certdata.sql", text)
    message = str(raised.value)
    assert message.startswith(f"20250101_mozilla_certdata.sql:{line}: ")
    assert any(word in message for word in words.split("|")), message


def test_a_file_that_never_clears_its_rows_is_refused() -> None:
    with pytest.raises(InputError, match="never clears its program's rows"):
        _version("20250101_mozilla_certdata.sql", sql.sql_file())


def test_two_distrust_after_dates_for_one_root_are_refused(roots: list[Cert]) -> None:
    der = roots[0].der
    text = sql.sql_file(
        sql.delete(MOZILLA),
        sql.import_cert(der),
        sql.by_sha1(der, MOZILLA, 1, "2024-11-30T23:59:59Z"),
        sql.by_sha1(der, MOZILLA, 3, "2025-01-01T00:00:00Z"),
    )
    with pytest.raises(InputError, match="several NOTBEFORE_UNTIL dates"):
        _version("20250101_mozilla_certdata.sql", text)


def test_file_names_of_unknown_programs_are_refused() -> None:
    with pytest.raises(InputError, match="'opera_roots', a program trustgraph does not know"):
        crtsh.program_file("20250101_opera_roots.sql")
    assert crtsh.program_file("LICENSE") is None


@fuzz(120)
@given(st.data())
@example(data=None)  # the valid file itself
def test_mutated_files_load_or_are_refused_with_a_reason(
    roots: list[Cert], data: st.DataObject | None
) -> None:
    """Cutting, repeating or replacing any part of a valid file gives a version or an
    InputError naming the file, never another exception."""
    text = _valid(roots[0])
    if data is not None:
        start = data.draw(st.integers(0, len(text)))
        end = data.draw(st.integers(start, min(len(text), start + 40)))
        insert = data.draw(
            st.sampled_from(["", ";", "'", "(", ")", "E'\\\\x", "--", "\n", "NULL", "tp.ID"])
            | st.text(max_size=8)
        )
        text = text[:start] + insert + text[end:]
    try:
        _version("20250101_mozilla_certdata.sql", text)
    except InputError as exc:
        assert str(exc).startswith("20250101_mozilla_certdata.sql")


# -- as stores ----------------------------------------------------------------------------


def _archive(path: Path, files: dict[str, str]) -> Path:
    with tarfile.open(path, "w:xz") as archive:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"crtsh-root-programs/sql/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def test_all_adds_every_program_into_a_store_of_its_name(
    db: Database, roots: list[Cert], tmp_path: Path
) -> None:
    a, b, _ = roots
    files = {
        "20240101_mozilla_certdata.sql": _valid(a),
        "20250101_mozilla_certdata.sql": _valid(b),
        "20250101_chrome_rootstore.sql": sql.sql_file(
            sql.delete(CHROME), sql.import_cert(a.der), sql.by_oid(a.der, 6, SERVER, at_most=None)
        ),
        "LICENSE": "not a program file",
    }
    archive = _archive(tmp_path / "programs.tar.xz", files)
    report = stores.add_store(db, "all", archive)
    assert sorted((v.snapshot.store, v.snapshot.as_of[:10]) for v in report.versions) == [
        ("chrome", "2025-01-01"),
        ("mozilla", "2024-01-01"),
        ("mozilla", "2025-01-01"),
    ]
    assert [len(api.anchors_for(db, store="mozilla", at=d)) for d in ("2024-06-01", "2025-06-01")]
    assert (
        api.anchors_for(db, store="mozilla", at="2024-06-01").ordered()
        != api.anchors_for(db, store="mozilla", at="2025-06-01").ordered()
    )
    # one program into a store of another name: chosen from the name, or by --program
    stores.add_store(db, "chrome-root-store", archive, program="chrome")
    assert len(api.anchors_for(db, store="chrome-root-store", at="2025-06-01")) == 1
    with pytest.raises(UsageError, match=r"which of crt\.sh's programs is store 'roots'"):
        stores.add_store(db, "roots", archive)
    with pytest.raises(InputError, match="no snapshot of java"):
        stores.add_store(db, "java", archive)


def test_the_name_all_is_for_crtsh_only(db: Database, roots: list[Cert], tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"store name 'all' is for crt\.sh"):
        stores.add_store(
            db, "all", write_pem(tmp_path / "b.pem", roots[:1]), "2025-01-01T00:00:00Z"
        )


def test_one_bad_file_adds_nothing(db: Database, roots: list[Cert], tmp_path: Path) -> None:
    folder = tmp_path / "sql"
    _write(folder, "20240101_mozilla_certdata.sql", _valid(roots[0]))
    _write(folder, "20250101_mozilla_certdata.sql", _valid(roots[1]) + "VACUUM;\n")
    with pytest.raises(InputError, match=r"20250101_mozilla_certdata.sql:\d+: "):
        stores.add_store(db, "mozilla", folder)
    assert store_history.coverages(StoredRecords(db)) == []


def test_a_same_day_snapshot_from_another_source_is_replaced_and_compared(
    db: Database, roots: list[Cert], tmp_path: Path
) -> None:
    """A PEM bundle of 2025-01-01 and crt.sh's Mozilla file of that day: the file
    replaces the bundle, and the report says which anchors only one of them had."""
    a, b, _ = roots
    stores.add_store(db, "mozilla", write_pem(tmp_path / "b.pem", [a, b]), "2025-01-01T00:00:00Z")
    path = _write(tmp_path / "sql", "20250101_mozilla_certdata.sql", _valid(a))
    report = stores.add_store(db, "mozilla", path)
    replaced = report.versions[0].replaced
    assert replaced is not None and replaced["source"].endswith("b.pem")
    assert (replaced["agrees"], replaced["only_in_replaced"], replaced["only_in_new"]) == (
        False,
        [b.sha256],
        [],
    )
    assert [s.source_kind for s in api.stores(db, "mozilla")] == ["crtsh-root-programs"]
    same = stores.add_store(db, "mozilla", write_pem(tmp_path / "c.pem", [a]), "2025-01-01")
    assert same.versions[0].replaced is not None and same.versions[0].replaced["agrees"]


def test_a_bundle_keeps_the_constraints_an_earlier_snapshot_stated(
    db: Database, tmp_path: Path
) -> None:
    """crt.sh's file gives a root a distrust-after date; a later PEM bundle of the same
    store lists the root without it. Under the bundle the date still holds (named as
    carried from the file), so a certificate issued after it gets no path."""
    pki = PKI()
    root_ca = pki.ca("Carried Root")
    root = pki.root(root_ca)
    pki.issue(root_ca, "Issued Before", not_before=when("2024-06-01"))
    pki.issue(root_ca, "Issued After", not_before=when("2025-02-01"))
    api.load(db, [write_pem(tmp_path / "all.pem", pki.certs)])
    text = sql.sql_file(
        sql.delete(MOZILLA),
        sql.import_cert(root.der),
        sql.by_sha1(root.der, MOZILLA, 1, "2024-11-30T23:59:59Z"),
    )
    stores.add_store(db, "mozilla", _write(tmp_path / "sql", "20250101_mozilla_certdata.sql", text))
    stores.add_store(db, "mozilla", write_pem(tmp_path / "b.pem", [root]), "2025-06-01")
    view = store_history.show(StoredRecords(db), "mozilla", "2025-07-01T00:00:00Z")
    entry = view.entries[0]
    assert view.snapshot.source_kind == "pem-bundle"
    assert entry.trust.distrust_after == "2024-11-30T23:59:59Z"
    assert entry.attributes["constraints_from"]["as_of"] == "2025-01-01T00:00:00Z"
    anchors = api.anchors_for(db, store="mozilla", at="2025-07-01")
    rules = api.make_rules("2025-07-01")
    assert [r.ca for r in api.reach(db, "Issued Before", anchors=anchors, rules=rules).reached]
    assert api.reach(db, "Issued After", anchors=anchors, rules=rules).reached == []


def test_cli_refuses_a_bad_file_with_one_line(tmp_path: Path) -> None:
    path = _write(tmp_path / "sql", "20250101_mozilla_certdata.sql", "DELETE FROM x;\n")
    args = ["store", "add", "mozilla", str(path), "--db", str(tmp_path / "t.db")]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "300"})
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "20250101_mozilla_certdata.sql:1: " in lines[0]


def test_sha256_of_roots_named_only_by_digest_stays_a_fact(roots: list[Cert]) -> None:
    """A root named by SHA-256 whose bytes the file does not carry is listed by that
    digest (its bytes may come from another source)."""
    der = roots[2].der
    text = sql.sql_file(sql.delete(CHROME), sql.by_oid(der, CHROME, SERVER, at_most=None))
    version = _version("20250101_chrome_rootstore.sql", text)
    assert [a.sha256 for a in version.anchors] == [hashlib.sha256(der).hexdigest()]
    assert version.certificates == []
