"""A real static-API CT log for the tests: TesseraCT's POSIX build (``go install
github.com/transparency-dev/tesseract/cmd/tesseract/posix@v0.1.1``), started on 127.0.0.1
with a fresh key and storage folder, its files served read-only over HTTP as a log's
monitoring prefix is. Certificates go in through its RFC 6962 ``add-chain`` and
``add-pre-chain``; :meth:`TestLog.wait_for` waits until a checkpoint covers them.
"""

from __future__ import annotations

import base64
import functools
import http.server
import json
import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

VERSION = "v0.1.1"
MODULE = f"github.com/transparency-dev/tesseract/cmd/tesseract/posix@{VERSION}"
START_TIMEOUT = 30.0


class LogUnavailable(RuntimeError):
    """TesseraCT is not installed, or did not start; the message says which."""


def binary() -> Path:
    """TesseraCT's POSIX server (``TRUSTGRAPH_TESSERACT``, else Go's bin folder).

    Raises:
        LogUnavailable: it is not installed.
    """
    configured = os.environ.get("TRUSTGRAPH_TESSERACT")
    if configured:
        if not Path(configured).is_file():
            raise LogUnavailable(f"TRUSTGRAPH_TESSERACT={configured}: no such program")
        return Path(configured)
    gopath = os.environ.get("GOPATH") or str(Path.home() / "go")
    if shutil.which("go"):
        gopath = (
            subprocess.run(
                ["go", "env", "GOPATH"], capture_output=True, text=True, check=False
            ).stdout.strip()
            or gopath
        )
    found = Path(gopath) / "bin" / "posix"
    if not found.is_file():
        raise LogUnavailable(f"TesseraCT is not installed: go install {MODULE}")
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@dataclass
class TestLog:
    """A running TesseraCT log: where to submit, where its files are served, its key."""

    submit_url: str
    monitoring_url: str
    storage: Path
    key_pem: bytes
    origin: str

    def _post(self, endpoint: str, chain: Sequence[bytes]) -> dict[str, object]:
        body = json.dumps({"chain": [base64.b64encode(c).decode() for c in chain]}).encode()
        request = urllib.request.Request(
            f"{self.submit_url}/ct/v1/{endpoint}",
            data=body,
            headers={"Content-Type": "application/json"},
        )
        for attempt in range(50):
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    return json.loads(response.read())  # type: ignore[no-any-return]
            except urllib.error.HTTPError as exc:
                if exc.code not in (429, 503) or attempt == 49:
                    raise
                time.sleep(0.1)  # pushed back: the log is integrating
        raise AssertionError("unreachable")

    def submit(self, chains: Sequence[tuple[bool, Sequence[bytes]]]) -> list[int]:
        """Submit (precert?, chain) pairs; the SCT timestamp (ms) of each.

        The first chain of each issuer set goes alone: TesseraCT v0.1.1's POSIX issuer
        storage races with itself creating its ``issuer`` folder and files (HTTP 500
        "mkdir …/issuer: file exists"), so issuers are stored before the parallel rest.
        """

        def post(item: tuple[bool, Sequence[bytes]]) -> dict[str, object]:
            return self._post("add-pre-chain" if item[0] else "add-chain", item[1])

        answers: dict[int, dict[str, object]] = {}
        issuers_seen: set[tuple[bytes, ...]] = set()
        for index, item in enumerate(chains):
            if tuple(item[1][1:]) not in issuers_seen:
                issuers_seen.add(tuple(item[1][1:]))
                answers[index] = post(item)
        rest = [index for index in range(len(chains)) if index not in answers]
        with ThreadPoolExecutor(32) as pool:
            answers.update(
                zip(rest, pool.map(post, [chains[index] for index in rest]), strict=True)
            )
        return [int(str(answers[index]["timestamp"])) for index in range(len(chains))]

    def size(self) -> int:
        checkpoint = self.storage / "checkpoint"
        if not checkpoint.is_file():
            return 0
        return int(checkpoint.read_text().split("\n")[1])

    def wait_for(self, size: int, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while self.size() < size:
            if time.monotonic() > deadline:
                raise LogUnavailable(f"the log reached {self.size()} entries, not {size}")
            time.sleep(0.1)


@contextmanager
def running_log(folder: Path, roots_pem: bytes, key_pem: bytes | None = None) -> Iterator[TestLog]:
    """TesseraCT in ``folder`` accepting chains to ``roots_pem`` (signing with ``key_pem``,
    else a new key), and its files served.

    Raises:
        LogUnavailable: it is not installed or did not start.
    """
    server = binary()
    if key_pem is None:
        key_pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,  # SEC1 "EC PRIVATE KEY"
            serialization.NoEncryption(),
        )
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "key.pem").write_bytes(key_pem)
    (folder / "roots.pem").write_bytes(roots_pem)
    storage = folder / "log"
    port = _free_port()
    origin = f"127.0.0.1/log{port}"
    command = [
        str(server),
        f"-storage_dir={storage}",
        f"-private_key={folder / 'key.pem'}",
        f"-roots_pem_file={folder / 'roots.pem'}",
        f"-origin={origin}",
        f"-http_endpoint=127.0.0.1:{port}",
        f"-path_prefix=/log{port}",
        "-enable_publication_awaiter=false",
        "-checkpoint_interval=100ms",
        "-batch_max_age=20ms",
        "-pushback_max_outstanding=100000",
        "-garbage_collection_interval=0",
    ]
    with open(folder / "tesseract.log", "wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    storage.mkdir(exist_ok=True)
    files = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(storage))
    )
    thread = threading.Thread(target=files.serve_forever, daemon=True)
    thread.start()
    try:
        _wait_until_listening(port, process, folder)
        yield TestLog(
            f"http://127.0.0.1:{port}/log{port}",
            f"http://127.0.0.1:{files.server_address[1]}/",
            storage,
            key_pem,
            origin,
        )
    finally:
        files.shutdown()
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


def _wait_until_listening(port: int, process: subprocess.Popen[bytes], folder: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise LogUnavailable(
                "TesseraCT stopped: " + (folder / "tesseract.log").read_text()[-2000:]
            )
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise LogUnavailable(f"TesseraCT did not listen on {port} within {START_TIMEOUT:.0f} s")
