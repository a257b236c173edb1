"""Hostile and broken inputs: each is reported on one line naming it, the load exits 2, and
everything valid in the same run is still loaded. No input hangs the load, takes unbounded
memory, or writes unbounded problem rows."""

from __future__ import annotations

import gzip
import lzma
import os
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.factories import der as encode
from tests.factories.pki import PKI, Cert, resign_tbs, write_pem
from tests.process import trustgraph
from trustgraph.core.reading import MAX_INPUT_VARIABLE
from trustgraph.ingest import sources
from trustgraph.ingest.loader import LISTED, load_paths
from trustgraph.storage.database import Database
from trustgraph.x509 import der


def _with_validity(cert: Cert, not_before: bytes, not_after: bytes) -> bytes:
    """``cert`` re-signed with its Validity replaced by these two encoded times."""
    parts = der.split_certificate(cert.der)
    tbs = parts.tbs
    body = tbs[der.read_tlv(tbs, 0).content_start :]
    replaced = body.replace(parts.validity, encode.seq(not_before, not_after), 1)
    return resign_tbs(cert.der, encode.tlv(0x30, replaced), cert.issuer.key)


def _time(tag: int, text: str) -> bytes:
    return encode.tlv(tag, text.encode())


@pytest.fixture
def broken(tmp_path: Path) -> dict[str, Path]:
    """Files of broken certificates (one each), and a file of good ones."""
    pki = PKI()
    root = pki.root("Hostile Root")
    victim = pki.issue(root.issuer, "Victim CA")
    good = write_pem(tmp_path / "good.pem", [root, victim])
    files = {
        "four-bytes.der": bytes.fromhex("30029f01"),
        "utctime-letters.der": _with_validity(
            victim, _time(0x17, "1x0101000000Z"), _time(0x17, "300101000000Z")
        ),
        "utctime-empty.der": _with_validity(victim, _time(0x17, ""), _time(0x17, "")),
        "zone-overflow.der": _with_validity(
            victim, _time(0x18, "99991231235959-2359"), _time(0x18, "99991231235959-2359")
        ),
    }
    paths = {"good": good}
    for name, data in files.items():
        paths[name] = tmp_path / name
        paths[name].write_bytes(data)
    return paths


def test_bad_certificates_are_reported_and_the_rest_loaded(
    broken: dict[str, Path], tmp_path: Path
) -> None:
    db = tmp_path / "hostile.db"
    done = trustgraph("load", *map(str, broken.values()), "--db", str(db), "--format", "json")
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 4
    for name in ("four-bytes.der", "utctime-letters.der", "utctime-empty.der", "zone-overflow"):
        assert any(name in line for line in errors), name
    with Database(db, readonly=True) as database:
        assert database.counts()["certificates"] == 2


def test_a_load_of_nothing_valid_exits_2(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("no certificates here\n")
    done = trustgraph("load", str(text), "--db", str(tmp_path / "x.db"))
    assert done.returncode == 2
    assert f"error: {text}" in done.stderr


def test_an_out_of_range_date_is_a_usage_error(tmp_path: Path) -> None:
    done = trustgraph("reach", "x", "--at", "9999-12-31T23:59:59-01:00", "--db", str(tmp_path))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.startswith("error: 9999-12-31T23:59:59-01:00")


def test_special_files_are_refused_without_hanging(tmp_path: Path) -> None:
    pki = PKI()
    folder = tmp_path / "mixed"
    folder.mkdir()
    write_pem(folder / "real.pem", [pki.root("Real Root")])
    os.mkfifo(folder / "pipe.pem")
    (folder / "zero.pem").symlink_to("/dev/zero")
    done = trustgraph("load", str(folder), "--db", str(tmp_path / "s.db"), timeout=60)
    assert done.returncode == 2
    assert "pipe.pem: not a regular file (a FIFO)" in done.stderr
    assert "zero.pem: not a regular file (a character device)" in done.stderr
    with Database(tmp_path / "s.db", readonly=True) as database:
        assert database.counts()["certificates"] == 1


def _bomb(path: Path, megabytes: int) -> Path:
    """A small gzip file that expands to ``megabytes`` of a CSV-looking text."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b"\0" * (1 << 20)
    with path.open("wb") as out:
        out.write(packer.compress(b"SHA-256 Fingerprint,X.509 Certificate (PEM)\n"))
        for _ in range(megabytes):
            out.write(packer.compress(chunk))
        out.write(packer.flush())
    return path


@pytest.mark.slow
def test_a_gzip_bomb_is_refused_within_bounded_memory(tmp_path: Path) -> None:
    bomb = _bomb(tmp_path / "bomb.csv.gz", 1500)
    assert bomb.stat().st_size < 3 << 20
    rss = tmp_path / "rss"
    done = trustgraph("load", str(bomb), "--db", str(tmp_path / "b.db"), rss=rss)
    assert done.returncode == 2
    assert "expands beyond the limit of 256 MiB per input" in done.stderr
    assert int(rss.read_text()) < 1 << 20  # KiB: under 1 GiB


def test_an_xz_bomb_is_refused_at_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MAX_INPUT_VARIABLE, "1")
    bomb = tmp_path / "bomb.pem.xz"
    bomb.write_bytes(lzma.compress(b"0" * (3 << 20)))
    [problem] = list(sources.read_paths([bomb]))
    assert isinstance(problem, sources.Problem) and problem.kind == "refused"
    assert "expands beyond the limit of 1 MiB per input" in problem.reason


def test_a_million_empty_rows_write_a_bounded_number_of_problems(tmp_path: Path) -> None:
    rows = tmp_path / "empty.csv.gz"
    body = b"SHA-256 Fingerprint,X.509 Certificate (PEM)\n" + b",\n" * 1_000_000
    rows.write_bytes(gzip.compress(body))
    assert rows.stat().st_size < 10_000
    with Database(tmp_path / "e.db") as db:
        report = load_paths(db, [rows])
        stored = db.conn.execute("SELECT COUNT(*), SUM(count) FROM problems").fetchone()
    assert report.skipped == 1_000_000 and report.reconciles
    assert stored == (LISTED + 1, 1_000_000)
    assert report.skipped_inputs[-1].count == 1_000_000 - LISTED


def test_a_csv_longer_than_the_limit_is_cut_and_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sources, "MAX_CSV_ROWS", 5)
    rows = tmp_path / "long.csv"
    rows.write_text("SHA-256 Fingerprint,X.509 Certificate (PEM)\n" + ",\n" * 9)
    items = list(sources.read_paths([rows]))
    assert [i.kind for i in items if isinstance(i, sources.Problem)][-1] == "refused"
    assert "more than 5 rows, the limit for one CSV" in items[-1].reason  # type: ignore[union-attr]
    assert len(items) == 6


def test_an_input_larger_than_the_limit_is_refused_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MAX_INPUT_VARIABLE, "1")
    big = tmp_path / "big.pem"
    big.write_bytes(b"x" * (2 << 20))
    [problem] = list(sources.read_paths([big]))
    assert isinstance(problem, sources.Problem) and problem.kind == "refused"
    assert "larger than the limit of 1 MiB per input (set TRUSTGRAPH_MAX_INPUT_MB" in (
        problem.reason
    )


def test_reconciliation_notices_a_lost_certificate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The counts come from what the database took: a row that never arrives shows."""
    from trustgraph.storage import certificates

    original = certificates.insert_occurrences

    def lossy(db: Database, rows: list[tuple[object, ...]]) -> int:
        return original(db, list(rows)[1:])

    monkeypatch.setattr(certificates, "insert_occurrences", lossy)
    pki = PKI()
    bundle = write_pem(tmp_path / "two.pem", [pki.root("One"), pki.root("Two")])
    with Database(tmp_path / "l.db") as db:
        report = load_paths(db, [bundle])
    assert report.found == 2 and not report.reconciles


def _csv(certs: list[Cert]) -> bytes:
    rows = "".join(f'{c.sha256},"{c.pem}"\n' for c in certs)
    return ("SHA-256 Fingerprint,X.509 Certificate (PEM)\n" + rows).encode()


COMPRESSIONS = [("gzip", "gz", gzip.compress), ("xz", "xz", lzma.compress)]


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("kind", "suffix", "compress"), COMPRESSIONS)
def test_a_multi_member_file_is_read_whole(
    tmp_path: Path, kind: str, suffix: str, compress: Callable[[bytes], bytes]
) -> None:
    """gzip (xz) files joined end to end (with zero padding, as both allow) read as zcat
    (xzcat) reads them: every member, one after the other, however much each one expands
    (a member that ended inside a chunk of output once sent the reader round forever)."""
    pki = PKI()
    certs = [pki.root(f"Member Root {i}") for i in range(4)]
    padding = "".join(f"# comment line {i} {'x' * 60}\n" for i in range(40_000)).encode()
    first = padding + "".join(c.pem for c in certs[:2]).encode()
    joined = tmp_path / f"joined.pem.{suffix}"
    second = "".join(c.pem for c in certs[2:]).encode()
    joined.write_bytes(compress(first) + b"\0\0\0\0" + compress(second))
    assert len(first) > 2 << 20
    items = list(sources.read_paths([joined]))
    assert [i.der for i in items if isinstance(i, sources.Occurrence)] == [c.der for c in certs]
    assert not [i for i in items if isinstance(i, sources.Problem)]


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("kind", "suffix", "compress"), COMPRESSIONS)
def test_bytes_after_the_compressed_data_are_reported_not_looped_on(
    tmp_path: Path, kind: str, suffix: str, compress: Callable[[bytes], bytes]
) -> None:
    """The certificates of a gzip (xz) file followed by 8 stray bytes load, and the stray
    bytes are named (this once hung, reading ever more memory)."""
    pki = PKI()
    certs = [pki.root(f"Trailing Root {i}") for i in range(3)]
    trailing = tmp_path / f"trailing.csv.{suffix}"
    trailing.write_bytes(compress(_csv(certs)) + b"12345678")
    items = list(sources.read_paths([trailing]))
    assert len([i for i in items if isinstance(i, sources.Occurrence)]) == 3
    [problem] = [i for i in items if isinstance(i, sources.Problem)]
    assert problem.reason == f"8 bytes after the end of the {kind} data are not {kind} data"


@pytest.mark.timeout(60)
@pytest.mark.parametrize("command", ["store", "owners"])
def test_trust_data_with_bytes_after_its_gzip_data_is_refused(tmp_path: Path, command: str) -> None:
    from tests.corpus.conftest import run

    pki = PKI()
    data = (
        "".join(pki.root(f"Store Root {i}").pem for i in range(2)).encode()
        if command == "store"
        else b"owner,owned,relation,start,source\nA Corp,B Corp,owned_by,2015-01-01,x\n"
    )
    path = tmp_path / ("bundle.pem.gz" if command == "store" else "owners.csv.gz")
    path.write_bytes(gzip.compress(data) + b"12345678")
    db = tmp_path / "t.db"
    args = ["store", "add", "s", str(path), "--as-of", "2020-01-01"]
    done = run(*(args if command == "store" else ["owners", "load", str(path)]), "--db", str(db))
    assert done.exit_code == 2, done.output
    assert f"{path}: 8 bytes after the end of the gzip data are not gzip data" in done.output


@pytest.mark.timeout(120)
def test_ctrl_c_during_a_load_is_one_line_and_keeps_nothing_half_done(tmp_path: Path) -> None:
    """Ctrl-C reaches the whole process group: the workers leave it to the main process,
    which says so in one line, exits 130, and keeps none of the interrupted input."""
    pki = PKI()
    bundle = write_pem(tmp_path / "many.pem", [pki.root(f"Many Root {i}") for i in range(1200)])
    db = tmp_path / "i.db"
    done = trustgraph(
        "load", str(bundle), "--db", str(db), env={"TRUSTGRAPH_JOBS": "2"}, interrupt=True
    )
    assert done.returncode == 130, done.stderr
    assert "Traceback" not in done.stderr and "KeyboardInterrupt" not in done.stderr
    assert done.stderr.strip().splitlines() == [
        "interrupted: the step under way was not kept; run the command again"
    ]
    with Database(db, readonly=True) as database:
        assert database.counts()["certificates"] == 0


def _long_string_textproto(path: Path) -> Path:
    path.write_text(f'trust_anchors {{\n  sha256_hex: "{"a" * 50_000_000}"\n}}\n')
    return path


def _huge_trust_list(path: Path) -> Path:
    from tests.factories.ctl import Entry, ctl

    entries = [Entry(number.to_bytes(4, "big")) for number in range(200_000)]
    path.write_bytes(ctl(entries, datetime(2020, 1, 1, tzinfo=UTC)))
    return path


@pytest.mark.slow
@pytest.mark.parametrize(
    ("make", "name", "reason"),
    [
        (_long_string_textproto, "root_store.textproto", "longer than any field"),
        (_huge_trust_list, "authroot.stl", "more than 20000 entries"),
    ],
)
def test_a_hostile_store_file_is_refused_in_bounded_memory(
    tmp_path: Path, make: Any, name: str, reason: str
) -> None:
    """A 50 MB string in a textproto once took 1.6 GB and an 11 MB trust list of 200,000
    entries 822 MB: both are refused, within a small multiple of their size."""
    path = make(tmp_path / name)
    rss = tmp_path / "rss"
    args = ["store", "add", "s", str(path), "--db", str(tmp_path / "h.db")]
    if name.endswith(".textproto"):
        args += ["--as-of", "2020-01-01"]
    done = trustgraph(*args, rss=rss)
    assert int(rss.read_text()) < 400 << 10  # KiB: under 400 MiB
    assert done.returncode == 2 and reason in done.stderr, done.stderr
