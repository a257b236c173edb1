"""Fetching certificate bytes: a crt.sh stand-in on 127.0.0.1, a mirror folder, offline."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from tests.factories.pki import PKI, Cert
from trustgraph.ingest import linking
from trustgraph.ingest.declared import Declaration, declare
from trustgraph.ingest.fetch import Fetcher, fetch
from trustgraph.storage.database import Database


class _Server:
    def __init__(self, certs: dict[str, Cert]) -> None:
        self.certs = certs
        self.requests: list[str] = []
        self.fail_first = True
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fingerprint = parse_qs(urlparse(self.path).query).get("d", [""])[0]
                outer.requests.append(fingerprint)
                if outer.fail_first:
                    outer.fail_first = False
                    self.send_response(503)
                    self.end_headers()
                    return
                cert = outer.certs.get(fingerprint)
                if cert is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                body = cert.pem.encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                return None

        self.httpd = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture
def crtsh(pki: PKI) -> Iterator[tuple[_Server, PKI, Cert, Cert]]:
    root = pki.ca("Fetch Root")
    root_cert = pki.root(root)
    child = pki.issue(root, "Fetched Child")
    server = _Server({c.sha256: c for c in pki.certs})
    yield server, pki, root_cert, child
    server.httpd.shutdown()


def _declare_child(db: Database, root: Cert, child: Cert) -> None:
    declare(
        db,
        Declaration(
            child.sha256,
            ((("2.5.4.3", "Fetched Child"),),),
            ((("2.5.4.3", "Fetch Root"),),),
            root.sha256,
            None,
            "test",
        ),
    )
    linking.link_pending(db)


def test_crtsh_fetch_upgrades_declared_edges(crtsh, db: Database, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    server, _pki, root, child = crtsh
    cache = tmp_path / "cache"
    fetcher = Fetcher(cache=cache, base_url=server.url, retries=3)
    first = fetch(db, [root.sha256], fetcher)
    assert first.found == {root.sha256: f"{server.url}?d={root.sha256}"}
    _declare_child(db, root, child)
    kind = db.conn.execute(
        "SELECT kind FROM edges WHERE certificate = ?", (child.sha256,)
    ).fetchone()[0]
    assert kind == "declared"
    report = fetch(db, [child.sha256, "ab" * 32], fetcher)
    assert child.sha256 in report.found and "has no certificate" in report.missing["ab" * 32]
    kind = db.conn.execute(
        "SELECT kind FROM edges WHERE certificate = ?", (child.sha256,)
    ).fetchone()[0]
    assert kind == "verified"
    assert (cache / f"{child.sha256}.der").exists()
    again = fetch(db, [child.sha256], Fetcher(cache=cache, base_url=server.url))
    assert again.found[child.sha256] == "already in the database"


def test_offline_gives_a_clear_message(db: Database, tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    fetcher = Fetcher(base_url=f"http://127.0.0.1:{port}/", retries=1, timeout=2)
    report = fetch(db, ["cd" * 32], fetcher)
    assert "cannot reach" in report.missing["cd" * 32] and "--mirror" in report.missing["cd" * 32]


def test_mirror_folder(corpus: Path, db: Database) -> None:
    certum_cross = "1092c43d57bcda0af70291e37fdde88b02de83e3f4013272d4ca2ae3c7498fe4"
    report = fetch(
        db, [certum_cross], Fetcher(mirror=corpus / "wosign_case" / "certs", online=False)
    )
    assert report.found[certum_cross].startswith("mirror ") and not report.missing
    assert db.counts()["certificates"] == 1
