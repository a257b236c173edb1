"""Generated served-chain scenarios for comparing client path building with real verifiers.

Each scenario is the shape of the AddTrust and DST Root CA X3 events, varied at random
from a seed: roots A, B and X; an intermediate I certified by one to three of them; X also
cross-certified by B (as ISRG Root X1 by DST Root CA X3); a leaf under I. Every
certificate is valid, expired or not yet valid at :data:`AT` by the draw; the server sends
the leaf and a shuffled subset of the other certificates; the store trusts a non-empty
subset of the roots, in a shuffled order.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from tests.factories.pki import CA, PKI, Cert

UTC = dt.UTC
AT = dt.datetime(2030, 6, 1, tzinfo=UTC)
_SPANS = {
    "valid": (dt.datetime(2025, 1, 1, tzinfo=UTC), dt.datetime(2035, 1, 1, tzinfo=UTC)),
    "expired": (dt.datetime(2020, 1, 1, tzinfo=UTC), dt.datetime(2030, 1, 1, tzinfo=UTC)),
    "not yet valid": (dt.datetime(2031, 1, 1, tzinfo=UTC), dt.datetime(2040, 1, 1, tzinfo=UTC)),
}


@dataclass
class Scenario:
    seed: int
    served: list[Cert]
    """End certificate first, then what the server sends besides, in its order."""
    store: list[Cert]
    every: list[Cert]

    @property
    def leaf(self) -> Cert:
        return self.served[0]


def _state(rng: random.Random, valid: float) -> str:
    draw = rng.random()
    if draw < valid:
        return "valid"
    return "expired" if draw < valid + (1 - valid) * 0.8 else "not yet valid"


def scenario(seed: int) -> Scenario:
    """The scenario of ``seed`` (the same certificates' shape and dates for the same seed;
    keys are fresh)."""
    rng = random.Random(seed)
    pki = PKI()
    roots: dict[str, CA] = {name: pki.ca(f"Root {name}", f"Scenario {seed}") for name in "ABX"}
    root_certs = {}
    for name, ca in roots.items():
        start, end = _SPANS[_state(rng, 0.75)]
        root_certs[name] = pki.root(ca, not_before=start, not_after=end)
    intermediate = pki.ca("Intermediate I", f"Scenario {seed}")
    parents = rng.sample("ABX", rng.randint(1, 3))
    others = []
    for parent in parents:
        start, end = _SPANS[_state(rng, 0.8)]
        others.append(pki.issue(roots[parent], intermediate, not_before=start, not_after=end))
    start, end = _SPANS[_state(rng, 0.75)]
    others.append(pki.issue(roots["B"], roots["X"], not_before=start, not_after=end))
    leaf = pki.leaf(
        intermediate,
        "leaf.example",
        key_usage="leaf",
        not_before=_SPANS["valid"][0],
        not_after=_SPANS["valid"][1],
    )
    sent = [c for c in others if rng.random() < 0.8]
    if rng.random() < 0.2:
        sent.append(root_certs[rng.choice("ABX")])
    rng.shuffle(sent)
    trusted = [c for c in root_certs.values() if rng.random() < 0.6]
    if not trusted:
        trusted = [root_certs[rng.choice("ABX")]]
    rng.shuffle(trusted)
    return Scenario(seed, [leaf, *sent], trusted, [*root_certs.values(), *others, leaf])
