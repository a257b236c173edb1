"""The chain each CT entry was logged with, kept from its issuing CA's certificate on, and
the clients judged on it: the generated world logs I1's leaves with the direct chain (I1 by
R1) or the cross-certificate (I1 by R2) at random, entry by entry."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from pathlib import Path

from cryptography import x509

from tests.factories.ctpki import CtWorld
from tests.ingest.ct.conftest import CtSetup, run

AT = dt.datetime(2025, 9, 1, tzinfo=dt.UTC)


def _served(world: CtWorld, chain: list[bytes]) -> tuple[str, ...]:
    """What a submitted chain keeps: the certificates above the leaf, without a
    precertificate signing certificate."""
    above = [hashlib.sha256(der).hexdigest() for der in chain[1:]]
    signer = hashlib.sha256(world.cas["P2"].certs[0]).hexdigest()
    return tuple(above[1:] if above and above[0] == signer else above)


def _unexpired_logged_through(world: CtWorld, issuing: bytes) -> int:
    """The leaves unexpired at :data:`AT` logged at least once with ``issuing`` (DER) as
    the certificate above them."""
    serials = {
        x509.load_der_x509_certificate(chain[0]).serial_number
        for phase in world.submissions.values()
        for _, chain in phase
        if chain[1] == issuing
    }
    return sum(
        1
        for leaf in world.leaves
        if leaf.serial in serials and leaf.not_before <= AT <= leaf.not_after
    )


def test_each_entry_keeps_its_chain(ct_setup: CtSetup, synced: Path) -> None:
    world = ct_setup.world
    expected = {_served(world, chain) for phase in world.submissions.values() for _, chain in phase}
    connection = sqlite3.connect(synced)
    stored = {
        tuple(bytes(blob[i : i + 32]).hex() for i in range(0, len(blob), 32))
        for (blob,) in connection.execute("SELECT certificates FROM leaf_chains")
    }
    unlinked = connection.execute("SELECT COUNT(*) FROM leaves WHERE chain IS NULL").fetchone()
    connection.close()
    assert stored == expected
    assert unlinked == (0,)


def test_clients_lose_the_leaves_logged_with_a_removed_root(
    ct_setup: CtSetup, synced: Path
) -> None:
    """Distrusting R1 in the Mozilla-style store: OpenSSL 3 loses exactly the unexpired
    I1 leaves logged at least once with the chain through R1 (the others were logged with
    the cross-certificate to R2, which that store never trusted)."""
    world = ct_setup.world
    expected = _unexpired_logged_through(world, world.cas["I1"].certs[0])
    done = run(
        "impact",
        "--store",
        "mozilla",
        "--at",
        AT.strftime("%Y-%m-%d"),
        "--distrust-root",
        "CT World R1",
        "--clients",
        "openssl-3,android",
        "--db",
        str(synced),
        "--format",
        "json",
    )
    assert getattr(done, "exit_code", 2) in (0, 1), getattr(done, "output", "")
    clients = json.loads(getattr(done, "stdout", ""))["clients"]
    summary = {row["client"]: row for row in clients["summary"]}
    assert expected > 100
    assert summary["openssl-3"]["leaves_broken"] == expected
    logged = [o for o in clients["outcomes"] if o["chain"].startswith("logged")]
    assert logged and all(o["client"] in ("openssl-3", "android") for o in logged)


def test_the_chains_of_a_ca_start_with_those_logged(synced: Path) -> None:
    done = run(
        "clients",
        "--ca",
        "CT World I1",
        "--at",
        AT.strftime("%Y-%m-%d"),
        "--client",
        "openssl-3",
        "--db",
        str(synced),
        "--format",
        "json",
    )
    chains = json.loads(getattr(done, "stdout", ""))["chains"]
    logged = [c for c in chains if c["variant"] == "logged"]
    assert len(logged) == 2  # through R1 and through the cross-certificate to R2
    assert all(c["logged_leaves"] > 0 for c in logged)
    outcome = {c["certificates"][-1]["subject"]: c["clients"][0]["outcome"] for c in logged}
    assert outcome == {"O=CT World,CN=CT World R1": "ok", "O=CT World,CN=CT World R2": "fails"}


def test_a_timeline_counts_the_leaves_each_logged_chain_loses(
    ct_setup: CtSetup, synced: Path
) -> None:
    """The Mozilla-style store never trusted R2: OpenSSL 3 refuses, from the first day,
    the unexpired I1 leaves logged with the cross-certificate to R2."""
    world = ct_setup.world
    expected = _unexpired_logged_through(world, world.cas["I1"].certs[1])
    done = run(
        "timeline",
        "CT World I1",
        "--store",
        "mozilla",
        "--since",
        "2025-09-01",
        "--until",
        "2025-12-31",
        "--clients",
        "openssl-3",
        "--db",
        str(synced),
        "--format",
        "json",
    )
    spans = json.loads(getattr(done, "stdout", ""))["clients"]["spans"]
    logged = [
        s
        for s in spans
        if s["chain"].startswith("logged") and "< CT World R2 (by itself)" in s["chain"]
    ]
    assert expected > 100
    assert [(s["outcome"], s["leaves_refused"]) for s in logged] == [("fails", expected)]
