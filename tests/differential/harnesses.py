"""The real verifiers the client profiles are checked against: OpenSSL 3's ``openssl
verify``, GnuTLS 3.7 through its library (:mod:`tests.differential.gnutls`), Go's
crypto/x509 (``goverify/``, built once per run) and Python's cryptography."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

from tests.factories.servedchains import Scenario

GO_SOURCE = Path(__file__).parent / "goverify"


@dataclass(frozen=True)
class Outcome:
    """What a verifier said: accepted or not, and the path it took when it tells (each
    step as (common name, sent by the server?) for OpenSSL, SHA-256 for the others)."""

    ok: bool
    path: tuple[object, ...] = ()
    detail: str = ""


def openssl_verify(scenario: Scenario, at: dt.datetime, folder: Path) -> Outcome:
    """``openssl verify`` with the store as its only CA file and the sent certificates as
    untrusted ones, at ``at``; its chain from ``-show_chain``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "store.pem").write_text("".join(c.pem for c in scenario.store))
    (folder / "leaf.pem").write_text(scenario.leaf.pem)
    command = [
        "openssl",
        "verify",
        "-attime",
        str(int(at.timestamp())),
        "-no-CApath",
        "-no-CAstore",
        "-CAfile",
        str(folder / "store.pem"),
        "-show_chain",
    ]
    if scenario.served[1:]:
        (folder / "sent.pem").write_text("".join(c.pem for c in scenario.served[1:]))
        command += ["-untrusted", str(folder / "sent.pem")]
    done = subprocess.run(
        [*command, str(folder / "leaf.pem")],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "SSL_CERT_FILE": os.devnull, "SSL_CERT_DIR": str(folder)},
    )
    steps = []
    for line in re.findall(r"depth=\d+: (.*)", done.stdout):
        name = re.search(r"CN = (.*?)(?: \(untrusted\))?$", line)
        assert name is not None, line
        steps.append((name.group(1), line.endswith("(untrusted)")))
    return Outcome(done.returncode == 0, tuple(steps), done.stdout + done.stderr)


def openssl_available() -> str | None:
    """Why OpenSSL 3 cannot be run here (None: it can)."""
    if not shutil.which("openssl"):
        return "openssl is not installed: apt-get install openssl"
    version = subprocess.run(["openssl", "version"], capture_output=True, text=True).stdout
    return None if version.startswith("OpenSSL 3.") else f"not OpenSSL 3: {version.strip()}"


def build_goverify(folder: Path) -> Path:
    """Go's verifier harness, built into ``folder`` (standard library only: no download).

    Raises:
        FileNotFoundError: Go is not installed.
    """
    go = shutil.which("go")
    if go is None:
        raise FileNotFoundError("go is not installed")
    program = folder / "goverify"
    subprocess.run(
        [go, "build", "-o", str(program), "."],
        cwd=GO_SOURCE,
        check=True,
        capture_output=True,
        env={**os.environ, "GOFLAGS": "-mod=mod", "GOTOOLCHAIN": "local"},
    )
    return program


def go_verify(program: Path, scenarios: list[Scenario], at: dt.datetime) -> list[Outcome]:
    """Go's answers for every scenario (one run of the harness); a path is Go's first
    chain."""

    def encoded(der: bytes) -> str:
        return base64.b64encode(der).decode()

    cases = [
        {
            "leaf": encoded(s.leaf.der),
            "intermediates": [encoded(c.der) for c in s.served[1:]],
            "roots": [encoded(c.der) for c in s.store],
            "time": int(at.timestamp()),
        }
        for s in scenarios
    ]
    done = subprocess.run(
        [str(program)], input=json.dumps(cases), capture_output=True, text=True, check=True
    )
    return [
        Outcome(r["ok"], tuple(r["chains"][0]) if r["ok"] else (), r["error"])
        for r in json.loads(done.stdout)
    ]


def cryptography_verify(scenario: Scenario, at: dt.datetime) -> Outcome:
    """cryptography's server verifier (the leaf is for ``leaf.example``)."""
    verifier = (
        PolicyBuilder()
        .store(Store([c.cert for c in scenario.store]))
        .time(at)
        .build_server_verifier(x509.DNSName("leaf.example"))
    )
    try:
        chain = verifier.verify(scenario.leaf.cert, [c.cert for c in scenario.served[1:]])
    except VerificationError as exc:
        return Outcome(False, (), str(exc))
    return Outcome(
        True,
        tuple(
            hashlib.sha256(c.public_bytes(serialization.Encoding.DER)).hexdigest() for c in chain
        ),
    )
