"""`store show`, `store diff` across programs and `reach --store a,b`: the same facts the
library gives, in every format, with exit codes scripts can use."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.factories.ctl import SERVER_AUTH, Entry, ctl, ekus, filetime
from tests.factories.pki import PKI, Cert, when, write_pem
from trustgraph.cli import app

runner = CliRunner()


def run(*args: str) -> object:
    return runner.invoke(app, list(args), env={"COLUMNS": "200"})


@pytest.fixture
def two_programs(tmp_path: Path) -> tuple[Path, list[Cert], Cert]:
    pki = PKI()
    roots = [pki.root(f"Program Root {i}") for i in range(3)]
    below = pki.issue(roots[0].subject, "Shared CA", not_before=when("2016-03-01"))
    db = tmp_path / "t.db"
    steps = [
        ["load", str(write_pem(tmp_path / "all.pem", [*roots, below]))],
        [
            "store",
            "add",
            "mozilla",
            str(write_pem(tmp_path / "m.pem", roots[:2])),
            "--as-of",
            "2016-01-01",
        ],
    ]
    (tmp_path / "ms.stl").write_bytes(
        ctl(
            [
                Entry(
                    roots[0].der,
                    {"9": ekus(SERVER_AUTH), "126": filetime(datetime(2016, 6, 1, tzinfo=UTC))},
                ),
                Entry(roots[2].der),
            ],
            datetime(2016, 2, 1, tzinfo=UTC),
        )
    )
    steps.append(["store", "add", "microsoft", str(tmp_path / "ms.stl")])
    for step in steps:
        done = run(*step, "--db", str(db), "--quiet")
        assert done.exit_code == 0, done.output  # type: ignore[attr-defined]
    return db, roots, below


def _json(*args: str) -> dict:  # type: ignore[type-arg]
    done = run(*args, "--format", "json")
    return json.loads(done.stdout)  # type: ignore[attr-defined,no-any-return]


def test_show_lists_each_entry_with_its_restrictions(
    two_programs: tuple[Path, list[Cert], Cert],
) -> None:
    db, roots, _below = two_programs
    shown = _json("store", "show", "microsoft", "--at", "2017-01-01", "--db", str(db))
    entries = {e["sha256"]: e for e in shown["entries"]}
    assert set(entries) == {roots[0].sha256, roots[2].sha256}
    assert entries[roots[0].sha256]["distrust_after"] == "2016-06-01T00:00:00Z"
    assert entries[roots[0].sha256]["purposes"] == [SERVER_AUTH]
    assert entries[roots[2].sha256]["purposes"] is None
    table = run("store", "show", "microsoft", "--at", "2017-01-01", "--db", str(db))
    assert "notBefore <= 2016-06-01" in table.stdout  # type: ignore[attr-defined]


def test_diff_compares_two_programs_at_a_date(two_programs: tuple[Path, list[Cert], Cert]) -> None:
    db, roots, _below = two_programs
    diff = _json("store", "diff", "mozilla", "microsoft", "--at", "2017-01-01", "--db", str(db))
    assert [a["certificates"] for a in diff["only_in_to"]] == [[roots[2].sha256]]
    assert [a["certificates"] for a in diff["only_in_from"]] == [[roots[1].sha256]]
    table = run("store", "diff", "mozilla", "microsoft", "--at", "2017-01-01", "--db", str(db))
    text = table.stdout  # type: ignore[attr-defined]
    assert "1 only in microsoft, 1 only in mozilla" in text
    assert "added" not in text and "removed" not in text
    forgotten = run("store", "diff", "mozilla", "2017-07-28", "--db", str(db))
    assert forgotten.exit_code == 2  # type: ignore[attr-defined]
    assert "'2017-07-28' is a date" in forgotten.output  # type: ignore[attr-defined]
    assert "no trust store named" not in forgotten.output  # type: ignore[attr-defined]
    mixed = run(
        "store",
        "diff",
        "mozilla",
        "2016-01-01",
        "2017-01-01",
        "--at",
        "2017-01-01",
        "--db",
        str(db),
    )
    assert mixed.exit_code == 2  # type: ignore[attr-defined]


def test_reach_in_several_stores(two_programs: tuple[Path, list[Cert], Cert]) -> None:
    db, _roots, below = two_programs
    answer = _json(
        "reach",
        below.sha256,
        "--store",
        "mozilla,microsoft",
        "--at",
        "2017-01-01",
        "--purpose",
        "serverAuth",
        "--db",
        str(db),
    )
    rows = {row["store"]: row["reachable"] for row in answer["stores"]}
    # Microsoft's NotBefore date (2016-06-01) is after the CA's notBefore: still trusted.
    assert rows == {"mozilla": True, "microsoft": True}
    none = run("reach", below.sha256, "--store", "all", "--at", "2015-06-01", "--db", str(db))
    assert none.exit_code == 1  # type: ignore[attr-defined]
    assert "no snapshot on or before 2015-06-01" in none.stdout  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("cut.stl", ctl([Entry(b"a")], datetime(2016, 2, 1, tzinfo=UTC))[:-7], "not a readable"),
        (
            "other.stl",
            ctl([], datetime(2016, 2, 1, tzinfo=UTC), usage="1.3.6.1.5.5.7.3.3"),
            "not a list of roots",
        ),
        ("bad.textproto", b'trust_anchors { sha256_hex: "00" }\n', "64 hexadecimal"),
    ],
)
def test_a_malformed_store_exits_2_and_adds_nothing(
    tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    source = tmp_path / name
    source.write_bytes(content)
    db = tmp_path / "t.db"
    dated = [] if name.endswith(".stl") else ["--as-of", "2016-01-01"]  # a CTL dates itself
    done = run("store", "add", "x", str(source), *dated, "--db", str(db))
    assert done.exit_code == 2, done.output  # type: ignore[attr-defined]
    assert name in done.output and reason in done.output  # type: ignore[attr-defined]
    listed = run("store", "list", "--db", str(db), "--format", "json")
    assert json.loads(listed.stdout)["snapshots"] == []  # type: ignore[attr-defined]


def test_store_coverage_names_spans_and_gaps(
    two_programs: tuple[Path, list[Cert], Cert], tmp_path: Path
) -> None:
    db, roots, _below = two_programs
    later = write_pem(tmp_path / "later.pem", roots[:1])
    done = run("store", "add", "mozilla", str(later), "--as-of", "2018-01-01", "--db", str(db))
    assert done.exit_code == 0, done.output  # type: ignore[attr-defined]
    answer = _json("store", "coverage", "--at", "2019-01-01", "--db", str(db))
    stores = {item["store"]: item for item in answer["stores"]}
    assert set(stores) == {"microsoft", "mozilla"}
    mozilla = stores["mozilla"]
    assert [(s["start"][:10], s["end"][:10], s["ends"]) for s in mozilla["spans"]] == [
        ("2016-01-01", "2017-02-04", "too old"),
        ("2018-01-01", "2019-02-05", "too old"),
    ]
    assert [(g["start"][:10], (g["end"] or "")[:10]) for g in mozilla["gaps"]] == [
        ("2017-02-04", "2018-01-01"),
        ("2019-02-05", ""),
    ]
    table = run("store", "coverage", "mozilla", "--at", "2019-01-01", "--db", str(db))
    text = table.stdout  # type: ignore[attr-defined]
    assert "2017-02-04 to 2018-01-01" in text and "2019-02-05 to" not in text
    unknown = run("store", "coverage", "mozzilla", "--db", str(db))
    assert unknown.exit_code == 2  # type: ignore[attr-defined]
    assert "did you mean" in unknown.output  # type: ignore[attr-defined]


def test_store_show_wraps_between_purposes_not_inside_them(tmp_path: Path) -> None:
    pki = PKI()
    root = pki.root("Many Purposes Root")
    purposes = [SERVER_AUTH, "1.3.6.1.5.5.7.3.2", "1.3.6.1.5.5.7.3.3", "1.3.6.1.5.5.7.3.4"]
    purposes += ["1.3.6.1.5.5.7.3.6", "1.3.6.1.5.5.7.3.7", "1.3.6.1.5.5.7.3.8"]
    (tmp_path / "ms.stl").write_bytes(
        ctl([Entry(root.der, {"9": ekus(*purposes)})], datetime(2016, 2, 1, tzinfo=UTC))
    )
    db = tmp_path / "w.db"
    for step in (
        ["load", str(write_pem(tmp_path / "r.pem", [root]))],
        ["store", "add", "m", str(tmp_path / "ms.stl")],
    ):
        assert run(*step, "--db", str(db)).exit_code == 0  # type: ignore[attr-defined]
    shown = runner.invoke(
        app, ["store", "show", "m", "--at", "2017-01-01", "--db", str(db)], env={"COLUMNS": "80"}
    )
    words = shown.stdout.split()
    for name in ("ipsecTunnel", "ipsecUser", "timeStamping", "emailProtection", "codeSigning"):
        assert name + "," in words or name in words, name
