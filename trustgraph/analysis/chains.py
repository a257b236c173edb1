"""Enumerating every valid path from a trust anchor to a target, in a deterministic order.

Paths are listed shortest first, then by the fingerprints of their certificates from the
anchor's down (lexicographically). The search runs forward from the anchors, level by
level (iterative deepening), applying RFC 5280 section 6 the way a validator does (the
pathLenConstraint budget and the name constraints accumulate from the anchor down), and
prunes with a lower bound on the distance to the target. It is bounded: by ``max_depth``
certificates below the anchor, ``max_paths`` paths and a time budget; the result says which
bound cut it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from trustgraph.graph.model import Edge
from trustgraph.graph.search import ForwardState, SearchContext
from trustgraph.graph.targets import Target
from trustgraph.graph.trustgraph import TrustGraph
from trustgraph.policy.anchors import AnchorSet
from trustgraph.policy.rules import (
    DEFAULT_MAX_PATHS,
    DEFAULT_TIMEOUT,
    PathRules,
    for_anchors,
    weakest,
)

_CLOCK_EVERY = 512


@dataclass(frozen=True)
class ChainPath:
    """One valid path: the anchor and the certificates below it, anchor side first."""

    anchor_ca: str
    anchor_certificate: str
    edges: tuple[Edge, ...]

    @property
    def certificates(self) -> list[str]:
        return [self.anchor_certificate, *(edge.certificate for edge in self.edges)]

    @property
    def length(self) -> int:
        return len(self.edges)

    @property
    def weakest_edge(self) -> str:
        return weakest([edge.kind for edge in self.edges])


@dataclass
class ChainsResult:
    target: Target
    anchors: AnchorSet
    rules: PathRules
    max_paths: int
    graph: TrustGraph = field(repr=False)
    paths: list[ChainPath] = field(default_factory=list)
    truncated: dict[str, str] = field(default_factory=dict)
    expansions: int = 0
    seconds: float = 0.0
    preloaded: dict[str, frozenset[str]] = field(default_factory=dict)
    """Certificate of a path -> the clients that know it without the server sending it
    (from their preloading lists; see :attr:`preloading_clients`)."""
    preloading_clients: tuple[str, ...] = ()
    """The clients whose preloading lists are known (empty: none is)."""

    def parameters(self) -> dict[str, Any]:
        return {**self.rules.as_dict(), "max_paths": self.max_paths}

    def __repr__(self) -> str:
        cut = f", truncated by {', '.join(self.truncated)}" if self.truncated else ""
        return (
            f"ChainsResult({self.target.description!r} at {self.rules.at[:10]}: "
            f"{len(self.paths)} paths from {len(self.anchors)} anchors{cut})"
        )


class _Stop(Exception):
    """Raised inside the search when a bound is hit."""


class _Enumerator:
    def __init__(
        self, context: SearchContext, anchors: AnchorSet, max_paths: int, timeout: float
    ) -> None:
        self.context = context
        self.anchors = anchors
        self.max_paths = max_paths
        self.deadline = time.monotonic() + timeout
        self.distance = context.distances()
        self.found: list[ChainPath] = []
        self.expansions = 0
        self.deeper = False
        self.level = 0

    def run(self, result: ChainsResult) -> None:
        rules = self.context.rules
        ordered = self.anchors.ordered()
        # Only anchors the target can reach take part below level 0; a store can hold
        # hundreds of anchors and a search runs a pass over them per level.
        forbidden = self.context.forbidden
        reachable = [
            (anchor, need)
            for anchor in ordered
            if anchor not in forbidden and (need := self.distance.get(anchor)) is not None
        ]
        goal = self.context.goal_cas
        try:
            for anchor in ordered:
                if anchor in goal:
                    self._emit(ChainPath(anchor, self.anchors.certificate_for(anchor), ()))
            for level in range(1, rules.max_depth + 1):
                self.level = level
                for anchor, need in reachable:
                    self._from_anchor(anchor, need)
        except _Stop as stop:
            result.truncated[str(stop)] = _REASONS[str(stop)]
        if self.deeper and "max_paths" not in result.truncated:
            result.truncated["max_depth"] = (
                f"paths longer than {rules.max_depth} certificates below the anchor may exist; "
                "raise --max-depth to see them"
            )
        result.paths = self.found[: self.max_paths]
        result.expansions = self.expansions

    def _emit(self, path: ChainPath) -> None:
        if len(self.found) >= self.max_paths:
            raise _Stop("max_paths")
        self.found.append(path)

    def _from_anchor(self, anchor: str, need: int) -> None:
        """Paths of the current level from an anchor ``need`` certificates from the goal."""
        if need > self.level:
            self._note_deeper()
            return
        self._extend(anchor, [], {anchor}, self.context.start_state(anchor), anchor)

    def _note_deeper(self) -> None:
        """A valid partial path needs more certificates than the last level allows."""
        if self.level == self.context.rules.max_depth:
            self.deeper = True

    def _extend(
        self, ca: str, edges: list[Edge], visited: set[str], state: ForwardState, anchor: str
    ) -> None:
        context = self.context
        self.expansions += 1
        if self.expansions % _CLOCK_EVERY == 0 and time.monotonic() > self.deadline:
            raise _Stop("timeout")
        depth = len(edges) + 1  # depth of the certificate about to be added
        for edge in context.graph.out_edges(ca):
            if edge.subject_ca in visited or not context.admits(edge, state):
                continue
            if context.is_final(edge):
                if depth == self.level and context.final_ok(edge, state):
                    self._emit(
                        ChainPath(anchor, self.anchors.certificate_for(anchor), (*edges, edge))
                    )
                continue
            if edge.subject_ca in context.forbidden:
                continue
            following = context.after_intermediate(edge, state)
            if following is None:
                continue
            remaining_depth = self.level - depth
            need = self.distance.get(edge.subject_ca)
            if need is None:
                continue
            if need > remaining_depth:
                self._note_deeper()
                continue
            visited.add(edge.subject_ca)
            edges.append(edge)
            self._extend(edge.subject_ca, edges, visited, following, anchor)
            edges.pop()
            visited.discard(edge.subject_ca)


_REASONS = {
    "max_paths": "more paths exist than --max-paths; the first ones in order are listed",
    "timeout": "the search ran out of time; the paths listed are correct but not all",
}


def find_chains(
    graph: TrustGraph,
    target: Target,
    anchors: AnchorSet,
    rules: PathRules,
    max_paths: int = DEFAULT_MAX_PATHS,
    timeout: float = DEFAULT_TIMEOUT,
) -> ChainsResult:
    """Every valid path from an anchor to ``target`` under ``rules`` (and the revocations
    the anchors' store honours), within the bounds."""
    started = time.perf_counter()
    rules = for_anchors(rules, anchors)
    result = ChainsResult(target, anchors, rules, max_paths, graph)
    context = SearchContext(graph, rules, target, anchors)
    _Enumerator(context, context.anchors, max_paths, timeout).run(result)
    result.seconds = time.perf_counter() - started
    return result
