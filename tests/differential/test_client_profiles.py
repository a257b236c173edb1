"""The client profiles that stand for a verifier that runs here give its answers: on the
same generated scenarios (AddTrust- and DST-shaped chains with random expiries, served
subsets and orders, and stores), OpenSSL 3, GnuTLS 3.7, Go and cryptography accept exactly
the chains the profile accepts, and where the verifier tells its path, it is the path the
profile takes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import unavailable
from tests.differential.conftest import SEEDS
from tests.differential.gnutls import Gnutls
from tests.differential.harnesses import (
    Outcome,
    cryptography_verify,
    openssl_available,
    openssl_verify,
)
from tests.factories.pki import Cert
from tests.factories.servedchains import AT, Scenario
from trustgraph.analysis.clientjudge import TrustedSet, Verdict
from trustgraph.analysis.clientpaths import build_path
from trustgraph.policy.clients import PROFILES
from trustgraph.x509.certificate import parse_certificate


def _profile_answer(name: str, scenario: Scenario) -> Verdict:
    served = [parse_certificate(c.der) for c in scenario.served]
    trusted = TrustedSet(tuple(parse_certificate(c.der) for c in scenario.store))
    return build_path(served, trusted, PROFILES[name].behaviour, AT)


def _explain(scenario: Scenario, real: Outcome, modelled: Verdict) -> str:
    def label(cert: Cert) -> str:
        c = cert.cert
        span = f"{c.not_valid_before_utc:%Y}-{c.not_valid_after_utc:%Y}"
        return f"{c.subject.rfc4514_string()} by {c.issuer.rfc4514_string()} {span}"

    return (
        f"seed {scenario.seed}: verifier {'accepts' if real.ok else 'refuses'} "
        f"({real.detail.strip()[:300]}), profile {modelled.outcome} ({modelled.reason})\n"
        f"sent: {[label(c) for c in scenario.served]}\nstore: {[label(c) for c in scenario.store]}"
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_openssl_3(seed: int, scenarios: dict[int, Scenario], tmp_path: Path) -> None:
    missing = openssl_available()
    if missing:
        unavailable(missing)
    scenario = scenarios[seed]
    real = openssl_verify(scenario, AT, tmp_path)
    modelled = _profile_answer("openssl-3", scenario)
    assert real.ok == modelled.ok, _explain(scenario, real, modelled)
    if real.ok:
        assert real.path == tuple((s.label, s.source == "served") for s in modelled.path)


@pytest.mark.parametrize("seed", SEEDS)
def test_gnutls_3_7(seed: int, scenarios: dict[int, Scenario], gnutls: Gnutls) -> None:
    assert gnutls.version.startswith("3.7"), gnutls.version
    scenario = scenarios[seed]
    accepted, status = gnutls.verify(
        [c.der for c in scenario.served], [c.der for c in scenario.store], AT
    )
    modelled = _profile_answer("gnutls-3.6.14", scenario)
    real = Outcome(accepted, (), f"status {status:#x}")
    assert accepted == modelled.ok, _explain(scenario, real, modelled)


@pytest.mark.parametrize("seed", SEEDS)
def test_go(seed: int, scenarios: dict[int, Scenario], go_answers: dict[int, Outcome]) -> None:
    scenario, real = scenarios[seed], go_answers[seed]
    modelled = _profile_answer("go", scenario)
    assert real.ok == modelled.ok, _explain(scenario, real, modelled)
    if real.ok:
        assert real.path == tuple(step.sha256 for step in modelled.path)


@pytest.mark.parametrize("seed", SEEDS)
def test_cryptography(seed: int, scenarios: dict[int, Scenario]) -> None:
    scenario = scenarios[seed]
    real = cryptography_verify(scenario, AT)
    modelled = _profile_answer("cryptography", scenario)
    assert real.ok == modelled.ok, _explain(scenario, real, modelled)
    if real.ok:
        # cryptography 50 may repeat a sent self-signed certificate as an intermediate
        # (seed 13 has it six times); a path without such steps is the one compared
        roots = {c.sha256 for c in scenario.every if c.subject is c.issuer}
        middle = [fp for fp in real.path[1:-1] if fp not in roots]
        assert (real.path[0], *middle, real.path[-1]) == tuple(s.sha256 for s in modelled.path)


def test_the_scenarios_are_not_one_sided(scenarios: dict[int, Scenario]) -> None:
    """Both outcomes occur often, and the profiles disagree with each other on some
    scenarios: agreement with the verifiers is not agreement on trivial cases."""
    answers = {
        name: [_profile_answer(name, scenarios[s]).ok for s in SEEDS]
        for name in ("openssl-3", "gnutls-3.6.14", "go", "openssl-1.0.2", "android-7.0")
    }
    for name in ("openssl-3", "gnutls-3.6.14", "go"):
        assert 0.2 < sum(answers[name]) / len(SEEDS) < 0.8, name
    assert answers["openssl-3"] != answers["go"]
    assert answers["gnutls-3.6.14"] != answers["openssl-3"]
