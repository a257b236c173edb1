"""What ``chains`` and ``reach`` share: the goal of a search and per-query edge checks.

A goal is the set of *final* edges a path may end with (for a CA target, any usable
certificate into one of its CAs; for a certificate target, that certificate) and the CAs no
path may visit on the way (the target CAs themselves, or the CA a target certificate
certifies). :class:`SearchContext` memoizes the edge checks of one query.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from trustgraph.graph.model import Edge
from trustgraph.graph.targets import Target
from trustgraph.graph.trustgraph import TrustGraph
from trustgraph.policy.anchors import SERVER_AUTH, AnchorSet
from trustgraph.policy.nameconstraints import satisfies
from trustgraph.policy.rules import PathRules, Purpose
from trustgraph.x509.stored import NameConstraints


@dataclass(frozen=True)
class ForwardState:
    """RFC 5280 path-processing state after some certificates, anchor side first: what the
    next certificate has to satisfy."""

    remaining: int | None = None  # max_path_length; None while no pathLenConstraint applies
    constraints: tuple[NameConstraints, ...] = ()
    cutoff: str | None = None  # latest notBefore allowed from here down (distrust rules)
    sct_not_after: str | None = None  # the anchor's cut-off on the last certificate's SCTs


@dataclass
class SearchContext:
    """One query's graph, rules and target, with memoized per-edge checks. Its anchors are
    those of the query trusted for the query's purpose."""

    graph: TrustGraph
    rules: PathRules
    target: Target
    anchors: AnchorSet
    _usable: dict[str, bool] = field(default_factory=dict)
    _satisfies: dict[tuple[str, NameConstraints], bool] = field(default_factory=dict)
    _cutoffs: dict[str, str | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.anchors = self.anchors.for_purpose(self.purpose)

    @property
    def purpose(self) -> str | None:
        """The query's purpose as an EKU (None: any)."""
        return SERVER_AUTH if self.rules.purpose is Purpose.SERVER_AUTH else None

    def refusal(self, edge: Edge) -> str | None:
        """Why ``edge`` cannot be in any path of this query, or None."""
        if edge.certificate in self.anchors.blocked:
            return "distrusted by the trust store"
        return self.rules.refusal(edge)

    def usable(self, edge: Edge) -> bool:
        known = self._usable.get(edge.certificate)
        if known is None:
            known = self._usable[edge.certificate] = self.refusal(edge) is None
        return known

    def cutoff_at(self, ca_id: str) -> str | None:
        """The latest notBefore allowed below ``ca_id`` by the subject-name rules, if any."""
        if ca_id not in self._cutoffs:
            info = self.graph.ca(ca_id)
            dates = [
                rule.not_before_after
                for rule in self.anchors.name_rules
                if info is not None and info.subject_key in rule.subject_keys
            ]
            self._cutoffs[ca_id] = min(dates) if dates else None
        return self._cutoffs[ca_id]

    def distrust_after(self, ca_id: str) -> str | None:
        """The store's distrust-after date of anchor ``ca_id`` for the query's purpose."""
        return self.anchors.trust_of(ca_id).cutoff_for(self.purpose)

    def anchor_cutoff(self, ca_id: str) -> str | None:
        """The latest notBefore allowed below anchor ``ca_id`` (distrust-after, name rules)."""
        return earlier(self.distrust_after(ca_id), self.cutoff_at(ca_id))

    def sct_allows(self, edge: Edge, sct_not_after: str | None) -> bool:
        """Whether the last certificate of a path meets an anchor's cut-off on SCT time: it
        fails only when its embedded SCTs are all later (without SCTs it is not judged)."""
        return not (sct_not_after and edge.sct_earliest and edge.sct_earliest > sct_not_after)

    def can_issue(self, edge: Edge) -> bool:
        return self.rules.can_issue(edge)

    def allowed_by(self, edge: Edge, constraints: NameConstraints) -> bool:
        key = (edge.certificate, constraints)
        known = self._satisfies.get(key)
        if known is None:
            known = self._satisfies[key] = satisfies(edge.names, constraints)
        return known

    def start_state(self, anchor: str) -> ForwardState:
        """The state at an anchor: no constraints yet, its distrust cut-offs."""
        return ForwardState(
            cutoff=self.anchor_cutoff(anchor),
            sct_not_after=self.anchors.trust_of(anchor).sct_not_after,
        )

    def admits(self, edge: Edge, state: ForwardState) -> bool:
        """Whether ``edge`` may come next at all: usable, and not issued after a cut-off."""
        if not self.usable(edge):
            return False
        return not (state.cutoff and edge.not_before and edge.not_before > state.cutoff)

    def final_ok(self, edge: Edge, state: ForwardState) -> bool:
        """Whether ``edge`` may end the path: its names satisfy every name constraint above,
        and its SCTs the anchor's cut-off."""
        return self.sct_allows(edge, state.sct_not_after) and all(
            self.allowed_by(edge, nc) for nc in state.constraints
        )

    def after_intermediate(self, edge: Edge, state: ForwardState) -> ForwardState | None:
        """The state below ``edge`` used as an intermediate, or None if it cannot be one:
        RFC 5280 6.1.4 (k)-(m) (CA, keyCertSign, pathLenConstraint) and name constraints
        (self-issued intermediates exempt), then the subject's distrust cut-off."""
        if not self.can_issue(edge):
            return None
        remaining = state.remaining
        if not edge.self_issued:
            if remaining is not None:
                if remaining <= 0:
                    return None
                remaining -= 1
            if not self.final_ok(edge, state):
                return None
        if edge.path_len is not None:
            remaining = edge.path_len if remaining is None else min(remaining, edge.path_len)
        constraints = state.constraints
        if self.rules.checks_names and edge.name_constraints is not None:
            constraints = (*constraints, edge.name_constraints)
        return ForwardState(
            remaining,
            constraints,
            earlier(state.cutoff, self.cutoff_at(edge.subject_ca)),
            state.sct_not_after,
        )

    @property
    def goal_cas(self) -> frozenset[str]:
        """CAs at which a path ends (CA target) or that it must reach last (certificate)."""
        return frozenset() if self.target.certificate else self.target.cas

    @property
    def forbidden(self) -> frozenset[str]:
        """CAs no path may pass through as an intermediate step."""
        return self.target.cas

    def is_final(self, edge: Edge) -> bool:
        """Whether ``edge`` ends a path here (it still has to be usable)."""
        if self.target.certificate is not None:
            return edge.certificate == self.target.certificate
        return edge.subject_ca in self.target.cas

    def final_edges(self) -> list[Edge]:
        """Usable edges a path may end with."""
        if self.target.certificate is not None:
            edge = self.graph.edges.get(self.target.certificate)
            return [edge] if edge is not None and self.usable(edge) else []
        return [
            edge
            for ca in sorted(self.target.cas)
            for edge in self.graph.in_edges(ca)
            if edge.issuer_ca not in self.target.cas and self.usable(edge)
        ]

    def intermediate_in_edges(self, ca_id: str) -> list[Edge]:
        """Usable issuing edges into ``ca_id`` from CAs a path may pass through."""
        return [
            edge
            for edge in self.graph.in_edges(ca_id)
            if edge.issuer_ca not in self.forbidden and self.usable(edge) and self.can_issue(edge)
        ]

    def distances(self) -> dict[str, int]:
        """For every CA that can lead to the goal: a lower bound on the edges still needed.

        Plain BFS backwards over usable edges (issuing ones above the last), ignoring the
        path-dependent rules; used to prune enumeration and to bound the search region.
        """
        dist: dict[str, int] = {}
        queue: deque[str] = deque()
        for edge in self.final_edges():
            if edge.issuer_ca not in dist:
                dist[edge.issuer_ca] = 1
                queue.append(edge.issuer_ca)
        while queue:
            ca = queue.popleft()
            if ca in self.forbidden:
                continue
            for edge in self.intermediate_in_edges(ca):
                if edge.issuer_ca not in dist:
                    dist[edge.issuer_ca] = dist[ca] + 1
                    queue.append(edge.issuer_ca)
        return dist


def earlier(first: str | None, second: str | None) -> str | None:
    """The earlier of two optional cut-offs."""
    if first is None:
        return second
    return first if second is None else min(first, second)


def path_refusal(context: SearchContext, anchor: str, edges: tuple[Edge, ...]) -> str | None:
    """Why this exact path (anchor, then ``edges``) is not valid under the context's rules
    and anchors, or None when it is. Used to see when a known path closes."""
    if anchor not in context.anchors:
        return "its anchor is no longer trusted"
    if len(edges) > context.rules.max_depth:
        return f"longer than {context.rules.max_depth} certificates"
    state = context.start_state(anchor)
    seen = {anchor}
    for index, edge in enumerate(edges):
        if edge.subject_ca in seen:
            return "visits a CA twice"
        seen.add(edge.subject_ca)
        refusal = context.refusal(edge)
        if refusal:
            return f"{edge.certificate}: {refusal}"
        if not context.admits(edge, state):
            return f"{edge.certificate}: issued after a distrust cut-off ({state.cutoff})"
        if index == len(edges) - 1:
            if not context.sct_allows(edge, state.sct_not_after):
                return f"{edge.certificate}: its SCTs are later than the anchor allows"
            return (
                None
                if context.final_ok(edge, state)
                else (f"{edge.certificate}: outside a name constraint")
            )
        following = context.after_intermediate(edge, state)
        if following is None:
            return f"{edge.certificate}: cannot be an intermediate here"
        state = following
    return None
