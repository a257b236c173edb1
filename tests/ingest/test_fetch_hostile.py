"""``fetch`` against servers and inputs that misbehave: answers that are another
certificate, endless or dripping slowly; fingerprints that are paths; a cache that holds
the wrong bytes; a mirror with special files. Each ends as a clear answer, within the limits,
and nothing outside the cache is ever read."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.factories.pki import PKI, Cert, write_pem
from tests.process import trustgraph
from trustgraph.errors import UsageError
from trustgraph.ingest.fetch import MAX_DOWNLOAD, Fetcher, fetch
from trustgraph.storage.database import Database

Answer = Callable[[BaseHTTPRequestHandler], None]


@pytest.fixture
def server() -> Iterator[Callable[[Answer], str]]:
    """Starts a loopback HTTP server that answers every request with ``answer``."""
    started: list[ThreadingHTTPServer] = []

    def start(answer: Answer) -> str:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    answer(self)

            def log_message(self, *args: object) -> None:
                return None

        httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        started.append(httpd)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{httpd.server_address[1]}/"

    yield start
    for httpd in started:
        httpd.shutdown()


@pytest.fixture(scope="module")
def certs() -> tuple[Cert, Cert]:
    pki = PKI()
    return pki.root("Asked For"), pki.root("Something Else")


def test_an_answer_that_is_another_certificate_is_missing(
    server: Callable[[Answer], str], certs: tuple[Cert, Cert], db: Database
) -> None:
    asked, other = certs

    def wrong(handler: BaseHTTPRequestHandler) -> None:
        body = other.pem.encode()
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    report = fetch(db, [asked.sha256], Fetcher(base_url=server(wrong), retries=1))
    assert "did not return a certificate with that SHA-256" in report.missing[asked.sha256]
    assert db.counts()["certificates"] == 0


def test_an_endless_answer_stops_at_the_size_limit(
    server: Callable[[Answer], str], certs: tuple[Cert, Cert], db: Database
) -> None:
    sent = [0]

    def endless(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.end_headers()
        chunk = b"A" * 65536
        while sent[0] < 64 * MAX_DOWNLOAD:
            handler.wfile.write(chunk)
            sent[0] += len(chunk)

    fingerprint = certs[0].sha256
    report = fetch(db, [fingerprint], Fetcher(base_url=server(endless), retries=1, timeout=30))
    assert f"larger than {MAX_DOWNLOAD} bytes" in report.missing[fingerprint]


def test_a_dripping_answer_stops_at_the_timeout(
    server: Callable[[Answer], str], certs: tuple[Cert, Cert], db: Database
) -> None:
    def drip(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.end_headers()
        for _ in range(120):
            handler.wfile.write(b"-")
            handler.wfile.flush()
            time.sleep(0.25)

    fingerprint = certs[0].sha256
    started = time.monotonic()
    report = fetch(db, [fingerprint], Fetcher(base_url=server(drip), retries=3, timeout=2))
    assert "took longer than the timeout" in report.missing[fingerprint]
    assert time.monotonic() - started < 10  # the drip alone would last 30 s


def test_fingerprints_are_never_paths(tmp_path: Path, db: Database) -> None:
    secret = tmp_path / "outside" / "secret.der"
    secret.parent.mkdir()
    secret.write_bytes(PKI().root("Secret").der)
    cache = tmp_path / "cache"
    cache.mkdir()
    with pytest.raises(UsageError, match="not SHA-256 fingerprints"):
        fetch(db, ["../outside/secret"], Fetcher(cache=cache, online=False))
    done = trustgraph(
        "fetch",
        "../outside/secret",
        "--cache",
        str(cache),
        "--offline",
        "--db",
        str(tmp_path / "f.db"),
    )
    assert done.returncode == 2 and "not SHA-256 fingerprints" in done.stderr


def test_a_wrong_cache_entry_is_discarded(
    tmp_path: Path, certs: tuple[Cert, Cert], db: Database
) -> None:
    asked, other = certs
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / f"{asked.sha256}.der").write_bytes(other.der)
    report = fetch(db, [asked.sha256], Fetcher(cache=cache, online=False))
    assert asked.sha256 in report.missing and db.counts()["certificates"] == 0
    assert any("was not that certificate; discarded it" in note for note in report.notes)
    assert not (cache / f"{asked.sha256}.der").exists()


def test_a_records_row_whose_fingerprint_is_a_path_is_a_problem(tmp_path: Path) -> None:
    report = tmp_path / "AllCertificateRecordsReport_2021-04-05.csv"
    path_like = "../../../../../../../../../../../../../../../../../../../etc/passwd"
    report.write_text(
        "CA Owner,Certificate Name,Parent Certificate Name,Certificate Record Type,"
        "SHA-256 Fingerprint,Parent SHA-256 Fingerprint\n"
        f"Owner,Evil,Root,Intermediate Certificate,{path_like[:64]},{'ab' * 32}\n"
    )
    db = tmp_path / "r.db"
    done = trustgraph("load", str(report), "--db", str(db))
    assert done.returncode == 2 and "is not 64 hex digits" in done.stderr
    with Database(db, readonly=True) as database:
        assert database.counts()["certificates"] == 0


def test_a_mirror_with_special_files_is_read_safely(tmp_path: Path, db: Database) -> None:
    pki = PKI()
    wanted = pki.root("Mirrored")
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    write_pem(mirror / "real.pem", [wanted])
    os.mkfifo(mirror / "pipe.pem")
    (mirror / "zero.crt").symlink_to("/dev/zero")
    report = fetch(db, [wanted.sha256], Fetcher(mirror=mirror, online=False))
    assert report.found[wanted.sha256].startswith("mirror ")
