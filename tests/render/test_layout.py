"""The layout of maps: deterministic, no two operator discs overlapping, never a band."""

from __future__ import annotations

import itertools
import math
import random

from hypothesis import given
from hypothesis import strategies as st

from tests.fuzzing import fuzz
from trustgraph.graph.model import Edge
from trustgraph.policy.nameconstraints import CertificateNames
from trustgraph.render.layout import SPACING, layout_map


def _edge(number: int, issuer: str, subject: str) -> Edge:
    return Edge(
        f"{number:064x}", issuer, subject, "verified", None, None, True, None, None, None,
        None, CertificateNames("", ()), False, "sha256", None,
    )  # fmt: skip


def _estate(seed: int, groups: int, cas: int) -> tuple[list[str], list[Edge], dict[str, str]]:
    """A random estate: CAs spread over operators (a few large, many small), each CA
    certified by a CA of its own operator, some cross-certified by another."""
    rng = random.Random(seed)
    names = [f"ca{i:04d}" for i in range(cas)]
    group_of = {ca: f"op{min(int(rng.paretovariate(1.2)) - 1, groups - 1):03d}" for ca in names}
    edges: list[Edge] = []
    for index, ca in enumerate(names[1:], start=1):
        same = [c for c in names[:index] if group_of[c] == group_of[ca]]
        if same:
            edges.append(_edge(len(edges), rng.choice(same), ca))
        if rng.random() < 0.1:
            edges.append(_edge(len(edges), rng.choice(names[:index]), ca))
    return names, edges, group_of


@fuzz(15)
@given(seed=st.integers(0, 10_000), groups=st.integers(1, 40), cas=st.integers(1, 300))
def test_discs_never_overlap_and_the_map_is_no_band(seed: int, groups: int, cas: int) -> None:
    names, edges, group_of = _estate(seed, groups, cas)
    layout = layout_map(names, edges, group_of, {})
    assert set(layout.positions) == set(names)
    for a, b in itertools.combinations(layout.groups.values(), 2):
        assert math.hypot(a.x - b.x, a.y - b.y) >= a.radius + b.radius - 1e-6
    for ca, (x, y) in layout.positions.items():
        disc = layout.groups[group_of[ca]]
        assert math.hypot(x - disc.x, y - disc.y) <= disc.radius + 1e-6
    left, bottom, right, top = layout.bounds()
    if len(layout.groups) >= 4:
        assert max(right - left, top - bottom) <= 3 * min(right - left, top - bottom)


def test_the_same_graph_gives_the_same_picture() -> None:
    names, edges, group_of = _estate(7, 20, 400)
    assert layout_map(names, edges, group_of, {}) == layout_map(
        list(reversed(names)), list(reversed(edges)), group_of, {}
    )


def test_a_large_flat_level_spreads_into_a_band_not_a_ring() -> None:
    names = ["root"] + [f"sub{i:03d}" for i in range(600)]
    edges = [_edge(i, "root", name) for i, name in enumerate(names[1:])]
    layout = layout_map(names, edges, dict.fromkeys(names, "one"), {})
    radii = sorted(math.hypot(*layout.positions[n]) for n in names[1:])
    assert radii[0] >= SPACING and radii[-1] - radii[0] > 5 * SPACING
