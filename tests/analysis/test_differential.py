"""Differential test against ``cryptography.x509.verification`` on generated PKIs.

Where cryptography's Web PKI policy builds a chain, trustgraph (purpose serverAuth, same
time, same anchors) must find a path, and cryptography's chain must be among trustgraph's
paths. trustgraph is more permissive (it does not require, for example, AKI/SKI or the
CA/B Forum profile), so the implication runs one way.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

from tests.conftest import load_certs
from tests.factories.pki import CA, PKI, Cert, when
from tests.queries import chains
from trustgraph.storage.database import Database


def _random_web_pki(seed: int) -> tuple[PKI, list[Cert], list[Cert]]:
    rng = random.Random(seed)
    pki = PKI()
    cas: list[CA] = [pki.ca(f"Diff CA {seed}-{i}") for i in range(rng.randint(5, 9))]
    roots = [pki.root(ca) for ca in cas[:2]]
    for ca in cas[2:]:
        for issuer in rng.sample(cas, k=rng.randint(1, 3)):
            if issuer is ca:
                continue
            options: dict[str, Any] = {}
            if rng.random() < 0.3:
                options["path_len"] = rng.choice([0, 1, 2])
            if rng.random() < 0.2:
                options["not_after"] = when("2018-01-01")
            pki.issue(issuer, ca, **options)
    # a cross-certificate between the two roots, one way or both
    pki.issue(cas[0], cas[1])
    if rng.random() < 0.5:
        pki.issue(cas[1], cas[0])
    leaves = [pki.leaf(rng.choice(cas), f"host{i}.example.com", key_usage="leaf") for i in range(4)]
    return pki, roots, leaves


@pytest.mark.parametrize("seed", range(25))
def test_cryptography_chains_are_found(seed: int, db: Database, tmp_path: Path) -> None:
    pki, roots, leaves = _random_web_pki(seed)
    load_certs(db, tmp_path, pki.certs)
    store = Store([r.cert for r in roots])
    intermediates = [c.cert for c in pki.certs if c not in roots and c not in leaves]
    agreed = 0
    for at in ("2016-06-01", "2020-06-01"):
        for leaf in leaves:
            verifier = (
                PolicyBuilder()
                .store(store)
                .time(when(at))
                .build_server_verifier(x509.DNSName(leaf.cert.subject.rfc4514_string()[3:]))
            )
            try:
                chain = verifier.verify(leaf.cert, intermediates)
            except VerificationError:
                continue
            expected = _without_loops(list(reversed(chain)))
            found = [
                p.certificates
                for p in chains(db, leaf.sha256, roots, at=at, purpose="serverAuth").paths
            ]
            assert expected in found, (seed, at, leaf.subject.cn)
            agreed += 1
    if seed == 0:
        assert agreed > 0, "the generator should give cryptography something to verify"


def _without_loops(chain: list[x509.Certificate]) -> list[str]:
    """Fingerprints of an anchor-first chain with cycles cut out: where a CA (subject and
    key) comes back, the certificates after its first visit, and the one that brings it
    back, are dropped; the next certificate is issued by the same CA either way."""
    kept: list[tuple[tuple[bytes, bytes], str]] = []
    for cert in chain:
        ca = (
            cert.subject.public_bytes(),
            cert.public_key().public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
            ),
        )
        seen = [entry[0] for entry in kept]
        if ca in seen:
            kept = kept[: seen.index(ca) + 1]
            continue
        kept.append((ca, cert.fingerprint(hashes.SHA256()).hex()))
    return [fingerprint for _ca, fingerprint in kept]
