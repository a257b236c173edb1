"""The backend protocol (what every backend answers) and the walk up from a target that
both backends use to read only the part of the graph a query can use."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from trustgraph.core.records import GroupRow
from trustgraph.graph.targets import Target
from trustgraph.graph.trustgraph import TrustGraph
from trustgraph.policy.anchors import AnchorSet
from trustgraph.policy.rules import PathRules


@dataclass(frozen=True)
class CrossSignRegion:
    """What a cross-signs query reads: a graph holding the CAs with two or more issuers
    (``candidates``, None: every CA of the graph may be one) and their certificates, and
    the self-signed roots."""

    graph: TrustGraph
    roots: frozenset[str]
    candidates: frozenset[str] | None


class Backend(Protocol):
    """Where a query's graph comes from: the only thing that differs between backends.
    Everything a query decides from that graph is shared code above (the session)."""

    name: str

    def search_region(self, target: Target, anchors: AnchorSet, rules: PathRules) -> TrustGraph:
        """A graph holding every edge that could be usable at the time of ``rules`` on a way
        up from ``target`` (more is allowed), with the CAs of the target and the anchors.

        Raises:
            Neo4jError: the server failed.
        """
        ...

    def ancestors(self, target: Target, levels: int, cas: Iterable[str]) -> TrustGraph:
        """Every edge within ``levels`` certificates above ``target``, at any time, with the
        CAs ``cas`` too: the region a timeline follows."""
        ...

    def cross_sign_region(self, at: str | None) -> CrossSignRegion:
        """The graph a cross-signs query reads (certificates valid at ``at``, if given)."""
        ...

    def serial_rows(self, scope: str) -> tuple[list[GroupRow], list[GroupRow]] | None:
        """The serial groups by issuer name and by issuing CA, found where the graph lives;
        None: the local records find them."""
        ...

    def check_candidates(
        self, checks: Mapping[str, Mapping[str, Any]], since: str | None
    ) -> dict[str, set[str]] | None:
        """Check name -> the certificates it should judge, narrowed where the graph lives
        (``checks``: each check's name and the parameters of its catalog query besides
        ``since``); None: every certificate."""
        ...


Step = Callable[[TrustGraph, set[str]], set[str]]


def walk_up(
    target: Target,
    levels: int | None,
    step: Step,
    add_certificate: Callable[[TrustGraph, str], None],
) -> TrustGraph:
    """A graph of the edges ``step`` adds into the target's CAs (or into the issuer of the
    target certificate, which ``add_certificate`` adds first), then into their issuers, and
    so on: at most ``levels`` certificates deep (None: until no new issuer appears)."""
    graph = TrustGraph()
    if target.certificate:
        add_certificate(graph, target.certificate)
        if target.certificate not in graph.edges:
            return graph
        frontier, depth = {graph.edges[target.certificate].issuer_ca}, 1
    else:
        frontier, depth = set(target.cas), 0
    seen = set(frontier)
    while frontier and (levels is None or depth < levels):
        frontier = step(graph, frontier) - seen
        seen |= frontier
        depth += 1
    return graph
