"""Where each CA sits on a map, computed once in Python so that the interactive page and the
static pictures show the same layout, and the same graph always gives the same picture.

CAs are grouped by operator. Inside its group a CA sits on a radial tree: the group's roots
at the centre, each CA's subordinates on the next ring within its parent's sector, rings
widened so that neighbours keep their distance. The groups are discs placed by ForceAtlas2
over the operator graph (weighted by the certificates between operators), then pushed
apart until no two discs overlap, so a map of any size spreads over a roughly round area
instead of a band.
"""

from __future__ import annotations

import math
from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx
import numpy as np

from trustgraph.graph.model import Edge

SPACING = 1.0
"""The least distance between two CAs of a group (layout units)."""
GAP = 2.0
"""The least distance between the edges of two group discs."""


@dataclass(frozen=True)
class Disc:
    x: float
    y: float
    radius: float


@dataclass(frozen=True)
class Layout:
    positions: dict[str, tuple[float, float]]
    groups: dict[str, Disc]

    def bounds(self) -> tuple[float, float, float, float]:
        """(min x, min y, max x, max y) over the group discs."""
        discs = list(self.groups.values())
        return (
            min(d.x - d.radius for d in discs),
            min(d.y - d.radius for d in discs),
            max(d.x + d.radius for d in discs),
            max(d.y + d.radius for d in discs),
        )


def layout_map(
    cas: Iterable[str], edges: Iterable[Edge], group_of: dict[str, str], order: dict[str, str]
) -> Layout:
    """Positions for ``cas`` (each in the group ``group_of`` gives it; ``order`` is a sort
    key per CA, e.g. its label, for determinism)."""
    members: dict[str, list[str]] = defaultdict(list)
    for ca in sorted(cas, key=lambda c: (order.get(c, ""), c)):
        members[group_of[ca]].append(ca)
    inside: dict[str, list[tuple[str, str]]] = defaultdict(list)
    between: dict[tuple[str, str], int] = defaultdict(int)
    for edge in edges:
        if edge.is_self_loop or edge.issuer_ca not in group_of or edge.subject_ca not in group_of:
            continue
        a, b = group_of[edge.issuer_ca], group_of[edge.subject_ca]
        if a == b:
            inside[a].append((edge.issuer_ca, edge.subject_ca))
        else:
            between[(min(a, b), max(a, b))] += 1
    local = {group: _radial_tree(cas_of, inside[group]) for group, cas_of in members.items()}
    radii = {group: _radius(points) for group, points in local.items()}
    centres = _place_groups(sorted(members), radii, between)
    positions = {
        ca: (centres[group][0] + x, centres[group][1] + y)
        for group, points in local.items()
        for ca, (x, y) in points.items()
    }
    groups = {g: Disc(centres[g][0], centres[g][1], radii[g]) for g in members}
    return Layout(positions, groups)


def _radius(points: dict[str, tuple[float, float]]) -> float:
    return max(math.hypot(x, y) for x, y in points.values()) + SPACING


def _radial_tree(
    members: list[str], links: list[tuple[str, str]]
) -> dict[str, tuple[float, float]]:
    """A radial tree of one group: a spanning forest of its issuance links (breadth first
    from the CAs no member certifies, in ``members`` order), roots in the middle."""
    children: dict[str, list[str]] = defaultdict(list)
    certified = set()
    for issuer, subject in links:
        children[issuer].append(subject)
        certified.add(subject)
    rank = {ca: i for i, ca in enumerate(members)}
    parent: dict[str, str | None] = {}
    roots: list[str] = []
    for first in [m for m in members if m not in certified] + members:
        if first in parent:
            continue
        parent[first] = None
        roots.append(first)
        queue = deque([first])
        while queue:
            ca = queue.popleft()
            for child in sorted(set(children[ca]), key=rank.__getitem__):
                if child not in parent:
                    parent[child] = ca
                    queue.append(child)
    kids: dict[str | None, list[str]] = defaultdict(list)
    for ca in members:
        kids[parent[ca]].append(ca)
    if len(roots) == 1 and not kids[roots[0]]:
        return {roots[0]: (0.0, 0.0)}
    leaves: dict[str | None, int] = {}

    def count(node: str | None) -> int:
        total = sum(count(child) for child in kids[node]) or 1
        leaves[node] = total
        return total

    count(None)
    depth: dict[str, int] = {}
    angle: dict[str, float] = {}
    stack: list[tuple[str | None, float, float, int]] = [(None, 0.0, 2 * math.pi, 0)]
    while stack:
        node, start, width, level = stack.pop()
        cursor = start
        for child in kids[node]:
            share = width * leaves[child] / leaves[node]
            angle[child] = cursor + share / 2
            depth[child] = level + 1
            stack.append((child, cursor, share, level + 1))
            cursor += share
    return _on_rings(members, depth, angle)


def _on_rings(
    members: list[str], depth: dict[str, int], angle: dict[str, float]
) -> dict[str, tuple[float, float]]:
    """Each level of the tree on a ring, or, when one ring would crowd it, spread over a
    band of about twice the area its CAs need: every CA keeps its angle (so it stays in its
    parent's sector) and angular neighbours get radii far apart (a golden-ratio sequence)."""
    levels: dict[int, list[str]] = defaultdict(list)
    for ca in members:
        levels[depth[ca]].append(ca)
    positions: dict[str, tuple[float, float]] = {}
    inner = 0.0
    for level in sorted(levels):
        cas = sorted(levels[level], key=lambda c: angle[c])
        inner += SPACING * 1.5
        outer = inner
        if len(cas) * SPACING > 2 * math.pi * inner:
            outer = math.sqrt(inner**2 + 2 * len(cas) * SPACING**2 / math.pi)
        for index, ca in enumerate(cas):
            radius = inner + ((index * _PHI) % 1.0) * (outer - inner)
            positions[ca] = (radius * math.cos(angle[ca]), radius * math.sin(angle[ca]))
        inner = outer
    return positions


_PHI = (math.sqrt(5) - 1) / 2


def _place_groups(
    groups: list[str], radii: dict[str, float], between: dict[tuple[str, str], int]
) -> dict[str, tuple[float, float]]:
    """Centres for the group discs: ForceAtlas2 over the operator graph (every operator of
    the same mass, so a hub is not thrown out), then separated so that no two overlap."""
    if len(groups) == 1:
        return {groups[0]: (0.0, 0.0)}
    graph = nx.Graph()
    graph.add_nodes_from(groups)
    for (a, b), count in sorted(between.items()):
        graph.add_edge(a, b, weight=float(count))
    sizes = {g: radii[g] for g in groups}
    start = {g: np.array(point) for g, point in _spiral(groups, radii).items()}
    with np.errstate(divide="ignore", invalid="ignore"):
        placed = nx.forceatlas2_layout(
            graph,
            pos=start,
            max_iter=100,
            node_size=sizes,
            node_mass=dict.fromkeys(groups, 1.0),
            weight="weight",
            seed=0,
        )
    points = np.array([placed[g] for g in groups], dtype=float)
    if not np.isfinite(points).all():
        # ForceAtlas2 divides by the gap between discs, which can vanish: start over from
        # the spiral, which keeps them apart.
        points = np.array([start[g] for g in groups], dtype=float)
    sizes_array = np.array([radii[g] for g in groups])
    points = _separate(points, sizes_array)
    return {g: (float(x), float(y)) for g, (x, y) in zip(groups, points, strict=True)}


def _spiral(groups: list[str], radii: dict[str, float]) -> dict[str, tuple[float, float]]:
    """Deterministic starting points: the groups, largest first, on a sunflower spiral wide
    enough that no two discs overlap."""
    ordered = sorted(groups, key=lambda g: (-radii[g], g))
    scale = max(radii.values()) + GAP
    golden = math.pi * (3 - math.sqrt(5))
    return {
        g: (
            scale * 2 * math.sqrt(i) * math.cos(i * golden),
            scale * 2 * math.sqrt(i) * math.sin(i * golden),
        )
        for i, g in enumerate(ordered)
    }


def _separate(points: np.ndarray, radii: np.ndarray) -> np.ndarray:
    """Discs where the force layout wants them, without overlaps: scaled so that the discs
    could fill about half the area, then placed largest first, each at its wanted point or,
    when that is taken, at the nearest free point of a spiral around it."""
    centre = points.mean(axis=0)
    spread = float(np.max(np.hypot(*(points - centre).T))) or 1.0
    scale = math.sqrt(2 * float((radii**2).sum())) / spread
    wanted = (points - centre) * scale
    placed = np.zeros_like(points)
    done = np.zeros(len(points), dtype=bool)
    turns = np.arange(_BATCH, dtype=float)
    spiral = np.stack([np.cos(turns * _GOLDEN), np.sin(turns * _GOLDEN)], axis=1)
    spiral *= np.sqrt(turns)[:, None]
    for index in sorted(range(len(points)), key=lambda i: (-radii[i], i)):
        step = max(radii[index], SPACING) / 2
        others, reach = placed[done], radii[done] + radii[index] + GAP
        spot = wanted[index]
        for batch in range(1000):
            spots = wanted[index] + spiral * step * (1 + batch)
            if not len(others):
                break
            gaps = (
                np.hypot(
                    spots[:, None, 0] - others[None, :, 0], spots[:, None, 1] - others[None, :, 1]
                )
                - reach[None, :]
            )
            free = np.nonzero((gaps >= 0).all(axis=1))[0]
            if len(free):
                spot = spots[free[0]]
                break
        placed[index] = spot
        done[index] = True
    return placed


_BATCH = 256
_GOLDEN = math.pi * (3 - math.sqrt(5))
