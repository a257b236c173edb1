"""The one test CT log of the run: TesseraCT fed a generated PKI's leaves in two phases,
an SCT cut-off between them, and a database synced from it with a Mozilla-style store
(R1 with a distrust-after date, R3) and a Chrome-style store (R1, R2 with the SCT cut-off,
R3)."""

from __future__ import annotations

import datetime as dt
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import unavailable
from tests.ctlog import LogUnavailable, TestLog, binary, running_log
from tests.factories import crtsh as sql
from tests.factories.ctpki import DISTRUST_AFTER, CtWorld, build_world
from trustgraph.cli import app

LEAVES = 10_000


@dataclass
class CtSetup:
    world: CtWorld
    log: TestLog
    cutoff: dt.datetime
    """The SCT cut-off: after every entry of phase 1, before every one of phase 2."""
    key: Path


def run(*args: str) -> object:
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})


@pytest.fixture(scope="session")
def ct_setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CtSetup]:
    try:
        binary()
    except LogUnavailable as exc:
        unavailable(str(exc))
    world = build_world(LEAVES)
    folder = tmp_path_factory.mktemp("ctlog")
    with running_log(folder, world.roots_pem()) as log:
        first = log.submit(world.submissions[1])
        log.wait_for(len(first))
        cutoff = dt.datetime.fromtimestamp(max(first) // 1000 + 1, dt.UTC)
        while dt.datetime.now(dt.UTC) < cutoff + dt.timedelta(seconds=1):
            time.sleep(0.05)
        second = log.submit(world.submissions[2])
        assert min(second) > cutoff.timestamp() * 1000
        log.wait_for(len(first) + len(second))
        key = folder / "log-key.pem"
        key.write_bytes(log.key_pem)
        yield CtSetup(world, log, cutoff, key)


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def add_stores(db: Path, setup: CtSetup, folder: Path) -> None:
    """The Mozilla-style and Chrome-style stores of the world, as crt.sh files."""
    cas = setup.world.cas
    r1, r2, r3 = (cas[r].certs[0] for r in ("R1", "R2", "R3"))
    folder.mkdir(exist_ok=True)
    mozilla = sql.sql_file(
        sql.delete(5),
        *(sql.import_cert(der) for der in (r1, r3)),
        sql.by_sha1(r1, 5, 1, _stamp(DISTRUST_AFTER)),
        sql.by_sha1(r3, 5, 1),
    )
    chrome = sql.sql_file(
        sql.delete(6),
        *(sql.import_cert(der) for der in (r1, r2, r3)),
        sql.by_oid(r1, 6, "1.3.6.1.5.5.7.3.1", at_most=None),
        sql.by_oid(r2, 6, "1.3.6.1.5.5.7.3.1", until=_stamp(setup.cutoff), at_most=None),
        sql.by_oid(r3, 6, "1.3.6.1.5.5.7.3.1", at_most=None),
    )
    (folder / "20250101_mozilla_certdata.sql").write_text(mozilla)
    (folder / "20250101_chrome_rootstore.sql").write_text(chrome)
    done = run("store", "add", "all", str(folder), "--db", str(db), "--quiet")
    assert getattr(done, "exit_code", 1) == 0, getattr(done, "output", "")


@pytest.fixture(scope="session")
def synced(ct_setup: CtSetup, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database synced from the log over HTTP, with the two stores."""
    folder = tmp_path_factory.mktemp("synced")
    db = folder / "ct.db"
    add_stores(db, ct_setup, folder / "stores")
    done = run(
        "ct",
        "sync",
        ct_setup.log.monitoring_url,
        "--key",
        str(ct_setup.key),
        "--db",
        str(db),
        "--quiet",
    )
    assert getattr(done, "exit_code", 1) == 0, getattr(done, "output", "")
    return db


@pytest.fixture
def log_copy(ct_setup: CtSetup, tmp_path: Path) -> Path:
    """The log's files copied into a folder of the test's own (to tamper with)."""
    target = tmp_path / "copy"
    shutil.copytree(ct_setup.log.storage, target, ignore=shutil.ignore_patterns(".state"))
    return target
