"""Files trustgraph writes: every ``--out`` failure (a folder, a missing folder, a read-only
place, a full disk) is one line and exit 2, and a file is replaced whole or not at all.
Also the scenario arguments that name nothing, and bounds that cut what a map highlights."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import database_with_store, read_only_view, small_disk
from tests.factories.pki import PKI
from tests.process import trustgraph
from trustgraph.cli import app
from trustgraph.storage.database import Database


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small mesh: a root, and four CAs that all cross-certify each other."""
    folder = tmp_path_factory.mktemp("outputs")
    pki = PKI()
    root = pki.ca("Out Root")
    root_cert = pki.root(root)
    mesh = [pki.ca(f"Mesh {n}") for n in range(4)]
    for ca in mesh:
        pki.issue(root, ca)
        for other in mesh:
            if other is not ca:
                pki.issue(ca, other)
    return database_with_store(folder, pki.certs, [root_cert])


def _render(database: Path, out: Path, *extra: str) -> object:
    return trustgraph(
        "render",
        "Mesh 3",
        "--store",
        "s",
        "--at",
        "2020-01-01",
        "--out",
        str(out),
        "--db",
        str(database),
        *extra,
    )


@pytest.mark.parametrize(
    ("where", "message"),
    [("folder", "it is a folder"), ("missing/map.html", "does not exist")],
)
def test_a_bad_out_is_one_line(database: Path, tmp_path: Path, where: str, message: str) -> None:
    (tmp_path / "folder").mkdir()
    for command in (["render", "Mesh 3", "--at", "2020-01-01"], ["export"]):
        done = trustgraph(*command, "--out", str(tmp_path / where), "--db", str(database))
        assert done.returncode == 2 and "Traceback" not in done.stderr, command
        assert message in done.stderr and done.stderr.startswith("error: ")
        assert len(done.stderr.strip().splitlines()) == 1


def test_a_read_only_place_is_one_line(database: Path, tmp_path: Path) -> None:
    (tmp_path / "target").mkdir()
    with read_only_view(tmp_path / "target", tmp_path / "ro") as view:
        done = _render(database, view / "map.html")
    assert done.returncode == 2 and "Read-only file system" in done.stderr  # type: ignore[attr-defined]


def test_a_full_disk_leaves_the_earlier_map_whole(database: Path, tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", 1) as disk:
        out = disk / "map.html"
        first = trustgraph(
            "render",
            "Mesh 0",
            "--depth",
            "0",
            "--at",
            "2020-01-01",
            "--out",
            str(out),
            "--db",
            str(database),
        )
        assert first.returncode == 0, first.stderr
        before = hashlib.sha256(out.read_bytes()).hexdigest()
        # Leave less room than one map takes: the next one cannot be written whole.
        free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
        (disk / "filler").write_bytes(b"\0" * max(free - out.stat().st_size // 2, 0))
        full = _render(database, out)
        assert full.returncode == 2  # type: ignore[attr-defined]
        assert "No space left on device; it is unchanged" in full.stderr  # type: ignore[attr-defined]
        assert hashlib.sha256(out.read_bytes()).hexdigest() == before
        assert sorted(p.name for p in disk.iterdir()) == ["filler", "map.html"]


def test_a_bound_that_cuts_the_highlight_is_said(database: Path, tmp_path: Path) -> None:
    done = _render(database, tmp_path / "m.html", "--highlight", "chains", "--max-paths", "2")
    assert done.returncode == 0, done.stderr  # type: ignore[attr-defined]
    assert "2 highlighted paths" in done.stderr  # type: ignore[attr-defined]
    assert "highlighted paths truncated by max_paths" in done.stderr  # type: ignore[attr-defined]


@pytest.mark.parametrize("root", ["", "%", "_", "a", "Mesh"])
def test_a_distrusted_root_must_name_an_anchor(database: Path, root: str) -> None:
    """Blank, wildcard-like, or the name of CAs that are not anchors of the store: refused."""
    done = trustgraph(
        "impact",
        "--store",
        "s",
        "--at",
        "2020-01-01",
        "--distrust-root",
        root,
        "--db",
        str(database),
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "--distrust-root" in done.stderr


def _invoke(*args: str) -> Any:
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "120"})


def _symlink(tmp_path: Path) -> Path:
    target = tmp_path / "precious.txt"
    target.write_text("keep me\n")
    link = tmp_path / "link.html"
    link.symlink_to(target)
    return link


def _fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.html"
    os.mkfifo(path)
    return path


def _device(tmp_path: Path) -> Path:
    path = tmp_path / "null.html"
    os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # a /dev/null of its own
    return path


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    ("make", "kind"),
    [(_symlink, "a symbolic link"), (_fifo, "a FIFO"), (_device, "a character device")],
)
@pytest.mark.parametrize("command", ["render", "export"])
def test_out_onto_anything_but_a_regular_file_is_refused_and_left_alone(
    database: Path, tmp_path: Path, make: Any, kind: str, command: str
) -> None:
    out = make(tmp_path)
    before = os.lstat(out)
    args = ["render", "Mesh 3", "--at", "2020-01-01"] if command == "render" else ["export"]
    done = _invoke(*args, "--out", str(out), "--db", str(database))
    assert done.exit_code == 2, done.output
    assert f"cannot write {out}: it is {kind}" in done.output
    after = os.lstat(out)
    assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)
    if kind == "a symbolic link":
        assert (tmp_path / "precious.txt").read_text() == "keep me\n"


def test_out_dash_writes_to_standard_output(database: Path, tmp_path: Path) -> None:
    for args in (["render", "Mesh 3", "--at", "2020-01-01"], ["export", "--format", "graphml"]):
        done = _invoke(*args, "--out", "-", "--db", str(database), "--quiet")
        assert done.exit_code == 0, done.output
        assert done.stdout.lstrip().startswith(("<!DOCTYPE html>", "<graphml")), args
    assert not (Path.cwd() / "-").exists()


def test_a_map_suffix_of_no_format_is_refused(database: Path, tmp_path: Path) -> None:
    done = _invoke("render", "Mesh 3", "--out", str(tmp_path / "x.pdf"), "--db", str(database))
    assert done.exit_code == 2 and "give one of those suffixes, or --format" in done.output
    assert not (tmp_path / "x.pdf").exists()


def test_a_map_of_an_empty_database_is_refused_in_words(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    Database(empty, create=True).close()
    done = _invoke("render", "--out", str(tmp_path / "m.html"), "--db", str(empty))
    assert done.exit_code == 2 and "nothing to draw" in done.output
    assert not (tmp_path / "m.html").exists()
