"""The generated scenarios and the verifiers, set up once per run."""

from __future__ import annotations

import pytest

from tests.conftest import unavailable
from tests.differential.gnutls import Gnutls, GnutlsUnavailable
from tests.differential.harnesses import Outcome, build_goverify, go_verify
from tests.factories.servedchains import AT, Scenario, scenario

SEEDS = range(60)
"""Scenarios per verifier: the same 60 seeds for every one (derandomized)."""


@pytest.fixture(scope="session")
def scenarios() -> dict[int, Scenario]:
    return {seed: scenario(seed) for seed in SEEDS}


@pytest.fixture(scope="session")
def go_answers(
    scenarios: dict[int, Scenario], tmp_path_factory: pytest.TempPathFactory
) -> dict[int, Outcome]:
    try:
        program = build_goverify(tmp_path_factory.mktemp("goverify"))
    except FileNotFoundError as exc:
        unavailable(str(exc))
    seeds = sorted(scenarios)
    return dict(zip(seeds, go_verify(program, [scenarios[s] for s in seeds], AT), strict=True))


@pytest.fixture(scope="session")
def gnutls() -> Gnutls:
    try:
        return Gnutls()
    except GnutlsUnavailable as exc:
        unavailable(str(exc))
        raise
