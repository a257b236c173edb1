"""Syncing refuses what does not verify, stores nothing of it, and resumes: a flipped byte
in a data tile, a checkpoint signed by another key, a log that forked or shrank; a sync
killed at any commit and run again, and a log synced in two halves by two processes, end
as one uninterrupted sync."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.ctlog import running_log
from tests.ingest.ct.conftest import CtSetup, run
from tests.process import PROJECT, trustgraph
from trustgraph.storage.database import Database

pytestmark = pytest.mark.ct

TABLES = ("leaves", "leaf_domains", "domains", "leaf_tiles", "leaf_issuers")


def _sync(prefix: Path | str, key: Path, db: Path, *extra: str) -> Any:
    return run("ct", "sync", str(prefix), "--key", str(key), "--db", str(db), "--quiet", *extra)


def _contents(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the leaf tables, in order (the sync's whole result)."""
    with sqlite3.connect(db) as connection:
        return {
            table: sorted(connection.execute(f"SELECT * FROM {table}").fetchall())
            for table in TABLES
        }


def _leaf_rows(db: Path) -> int:
    if not db.exists():
        return 0
    with sqlite3.connect(db) as connection:
        return int(connection.execute("SELECT COUNT(*) FROM leaves").fetchone()[0])


def _entry_offsets(data: bytes) -> list[tuple[int, int, int]]:
    """(start of the entry, start of its certificate, start of its chain) of each entry of
    a data tile, read here on its own."""
    found, at = [], 0
    while at < len(data):
        start = at
        precert = int.from_bytes(data[at + 8 : at + 10], "big") == 1
        at += 10 + (32 if precert else 0)
        cert = at + 3
        at = cert + int.from_bytes(data[at : at + 3], "big")
        at += 2 + int.from_bytes(data[at : at + 2], "big")  # extensions
        if precert:
            at += 3 + int.from_bytes(data[at : at + 3], "big")
        chain = at + 2
        at = chain + int.from_bytes(data[at : at + 2], "big")
        found.append((start, cert, chain))
    return found


@pytest.mark.parametrize("part", ["certificate", "chain", "issuer"])
def test_a_flipped_byte_in_a_data_tile_refuses_the_sync(
    ct_setup: CtSetup, log_copy: Path, tmp_path: Path, part: str
) -> None:
    """A byte of an entry's certificate (covered by the tree) or of the chain stored with
    it (not covered, checked against the entry) flipped, or the chain's issuer replaced by
    another the log serves: the tile is refused."""
    tile = log_copy / "tile" / "data" / "003"
    data = bytearray(tile.read_bytes())
    _start, cert, chain = _entry_offsets(bytes(data))[10]
    if part == "issuer":  # another certificate the log serves, which issued no leaf
        root = ct_setup.world.cas["R1"].certs[0]
        data[chain : chain + 32] = hashlib.sha256(root).digest()
    else:
        data[cert + 40 if part == "certificate" else chain + 5] ^= 0x01
    tile.write_bytes(bytes(data))
    db = tmp_path / "t.db"
    done = _sync(log_copy, ct_setup.key, db)
    assert done.exit_code == 2
    [line] = done.stderr.strip().splitlines()
    assert "refused" in line
    if part == "certificate":
        assert "data tile 3" in line
    elif part == "issuer":
        assert f"entry {3 * 256 + 10}: the chain stored with it names" in line
    else:  # the flipped fingerprint names an issuer the log does not have
        assert "an entry's chain names this issuer, which the log does not serve" in line
    with sqlite3.connect(db) as connection:
        stored = {row[0] for row in connection.execute("SELECT tile FROM leaf_tiles")}
    assert 3 not in stored


def test_a_checkpoint_signed_by_another_key_is_refused(
    ct_setup: CtSetup, log_copy: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other.pem"
    other.write_bytes(
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    db = tmp_path / "t.db"
    done = _sync(log_copy, other, db)
    assert done.exit_code == 2
    [line] = done.stderr.strip().splitlines()
    assert "no signature by the log's key" in line
    assert _leaf_rows(db) == 0
    with sqlite3.connect(db) as connection:  # not even the log is recorded
        assert connection.execute("SELECT COUNT(*) FROM leaf_sources").fetchone() == (0,)


def test_a_forked_log_is_refused_and_keeps_what_was_stored(
    ct_setup: CtSetup, tmp_path: Path
) -> None:
    """A log that serves, under the same key, a tree whose first entries differ from the
    checkpoint stored before (a fork) is refused; so is one that shrank."""
    world = ct_setup.world
    folder = tmp_path / "served"
    db = tmp_path / "t.db"
    with running_log(tmp_path / "a", world.roots_pem(), ct_setup.log.key_pem) as first:
        first.submit(world.submissions[1][:300])
        first.wait_for(300)
        shutil.copytree(first.storage, folder, ignore=shutil.ignore_patterns(".state"))
    assert _sync(folder, ct_setup.key, db).exit_code == 0
    before = _contents(db)
    with running_log(tmp_path / "b", world.roots_pem(), ct_setup.log.key_pem) as fork:
        fork.submit(world.submissions[1][300:900])
        fork.wait_for(600)
        shutil.rmtree(folder)
        shutil.copytree(fork.storage, folder, ignore=shutil.ignore_patterns(".state"))
    done = _sync(folder, ct_setup.key, db)
    assert done.exit_code == 2
    [line] = done.stderr.strip().splitlines()
    assert "does not extend the checkpoint of 300 entries" in line
    assert _contents(db) == before
    shrunk = tmp_path / "shrunk"
    shutil.copytree(ct_setup.log.storage, shrunk, ignore=shutil.ignore_patterns(".state"))
    grown = tmp_path / "g.db"
    assert _sync(shrunk, ct_setup.key, grown).exit_code == 0
    shutil.rmtree(shrunk)
    shutil.copytree(folder, shrunk)
    done = _sync(shrunk, ct_setup.key, grown)
    assert done.exit_code == 2 and "is smaller than the checkpoint stored before" in done.stderr


@pytest.mark.slow
@pytest.mark.parametrize("commit", [2, 4])
def test_a_sync_killed_and_run_again_ends_as_one_sync(
    ct_setup: CtSetup, log_copy: Path, tmp_path: Path, commit: int
) -> None:
    whole = tmp_path / "whole.db"
    assert _sync(log_copy, ct_setup.key, whole).exit_code == 0
    db = tmp_path / "killed.db"
    args = ["ct", "sync", str(log_copy), "--key", str(ct_setup.key), "--db", str(db), "--quiet"]
    killed = trustgraph(*args, kill_at=commit)
    assert killed.returncode == -9
    assert _leaf_rows(db) < _leaf_rows(whole)
    again = trustgraph(*args)
    assert again.returncode == 0, again.stderr
    assert _contents(db) == _contents(whole)


@pytest.mark.slow
def test_two_processes_syncing_halves_equal_one_sync(
    ct_setup: CtSetup, log_copy: Path, tmp_path: Path
) -> None:
    whole = tmp_path / "whole.db"
    assert _sync(log_copy, ct_setup.key, whole).exit_code == 0
    size = ct_setup.log.size()
    half = (size // 2 // 256) * 256
    db = tmp_path / "halves.db"
    Database(db).close()  # made once, before two processes write to it
    common = ["ct", "sync", str(log_copy), "--key", str(ct_setup.key), "--db", str(db), "-q"]
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.process", "--", *common, "--entries", part],
            cwd=PROJECT,
            stderr=subprocess.PIPE,
            text=True,
        )
        for part in (f"0:{half}", f"{half}:")
    ]
    for process in processes:
        _out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
    assert _contents(db) == _contents(whole)
