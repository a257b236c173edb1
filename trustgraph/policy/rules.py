"""The RFC 5280 section 6 rules a path must obey, as checks on single edges.

``chains`` (enumeration) and ``reach`` (reachability) share these checks so that they agree:
an anchor is reported by ``reach`` exactly when ``chains`` finds a path from it.

Rules: every certificate below the anchor is usable at the query
time (validity, not revoked, signature hash accepted by the policy as of that time, no
unreadable critical extension; with a purpose, a compatible EKU); every issuing certificate
is a CA (basicConstraints cA) with keyCertSign where keyUsage is present; pathLenConstraint
counts the non-self-issued intermediates below a certificate; with a purpose, name
constraints apply to every later certificate except self-issued intermediates; no CA twice.
The anchor's own certificate is not judged.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from trustgraph.core.bounds import DEFAULT_MAX_DEPTH as DEFAULT_MAX_DEPTH
from trustgraph.core.bounds import DEFAULT_MAX_PATHS as DEFAULT_MAX_PATHS
from trustgraph.core.bounds import DEFAULT_TIMEOUT as DEFAULT_TIMEOUT
from trustgraph.core.bounds import MOST_MAX_DEPTH as MOST_MAX_DEPTH
from trustgraph.core.bounds import MOST_TIMEOUT as MOST_TIMEOUT
from trustgraph.core.bounds import Purpose as Purpose
from trustgraph.core.kinds import DECLARED, UNVERIFIABLE, VERIFIED
from trustgraph.core.times import When, as_iso
from trustgraph.errors import UsageError
from trustgraph.policy.anchors import AnchorSet
from trustgraph.policy.revocations import EMPTY, RevocationIndex
from trustgraph.policy.signatures import DEFAULT, SignaturePolicy, load_policy
from trustgraph.storage.database import Database
from trustgraph.x509.keyusage import KEY_CERT_SIGN, allows_server_auth

KIND_RANK: dict[str, int] = {DECLARED: 0, UNVERIFIABLE: 1, VERIFIED: 2}
KIND_BY_RANK = {rank: kind for kind, rank in KIND_RANK.items()}


class EdgeFacts(Protocol):
    """What the rules read of a certificate used as a step of a path (the graph's edges
    have these attributes)."""

    @property
    def certificate(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def not_before(self) -> str | None: ...
    @property
    def not_after(self) -> str | None: ...
    @property
    def sig_hash(self) -> str | None: ...
    @property
    def defect(self) -> str | None: ...
    @property
    def eku(self) -> tuple[str, ...] | None: ...
    @property
    def is_ca(self) -> bool | None: ...
    @property
    def key_usage(self) -> int | None: ...


@dataclass(frozen=True)
class Refusal:
    """Why a certificate cannot be used: a state (``not yet valid``, ``expired``,
    ``revoked``, ``hash refused``, ``unusable``, ``excluded``) and a sentence."""

    state: str
    reason: str


@dataclass(frozen=True)
class PathRules:
    """Everything that decides whether a path is valid, except the anchors and target."""

    at: str
    purpose: Purpose = Purpose.ANY
    verified_only: bool = False
    signature_policy: SignaturePolicy = field(default=DEFAULT)
    max_depth: int = DEFAULT_MAX_DEPTH
    revocations: RevocationIndex = field(default=EMPTY, compare=False)

    @property
    def checks_names(self) -> bool:
        """Name constraints and EKU apply only when a purpose is asked for."""
        return self.purpose is not Purpose.ANY

    def judge(self, edge: EdgeFacts) -> Refusal | None:
        """Why ``edge`` cannot be part of any path at ``at`` (a state and a sentence), or
        None if it can."""
        if self.verified_only and edge.kind != VERIFIED:
            return Refusal("excluded", f"edge is {edge.kind}, and only verified edges are allowed")
        if edge.not_before is not None and self.at < edge.not_before:
            return Refusal("not yet valid", f"not yet valid (from {edge.not_before})")
        if edge.not_after is not None and self.at > edge.not_after:
            return Refusal("expired", f"expired (on {edge.not_after})")
        revoked = self.revocations.refusal(edge.certificate, self.at)
        if revoked:
            return Refusal("revoked", revoked)
        if self.signature_policy.refuses(edge.sig_hash, self.at):
            return Refusal(
                "hash refused", f"{edge.sig_hash} signatures are not accepted at {self.at[:10]}"
            )
        if edge.defect:
            return Refusal("unusable", edge.defect)
        if self.checks_names and not allows_server_auth(edge.eku):
            return Refusal("excluded", "extended key usage excludes serverAuth")
        return None

    def refusal(self, edge: EdgeFacts) -> str | None:
        """Why ``edge`` cannot be part of any path at ``at``, or None if it can."""
        judged = self.judge(edge)
        return None if judged is None else judged.reason

    def usable(self, edge: EdgeFacts) -> bool:
        return self.refusal(edge) is None

    @staticmethod
    def can_issue(edge: EdgeFacts) -> bool:
        """Whether the certificate may sit above another one in a path."""
        if edge.kind == DECLARED and edge.is_ca is None:
            return True  # metadata-only: nothing says it is not a CA
        if not edge.is_ca:
            return False
        return edge.key_usage is None or bool(edge.key_usage & KEY_CERT_SIGN)

    def as_dict(self) -> dict[str, Any]:
        return {
            "at": self.at,
            "purpose": str(self.purpose),
            "verified_only": self.verified_only,
            "max_depth": self.max_depth,
            "signature_policy": self.signature_policy.as_dict(),
        }


def weakest(kinds: list[str]) -> str:
    """The weakest edge kind of a path (verified for a path without edges)."""
    return KIND_BY_RANK[min((KIND_RANK[k] for k in kinds), default=KIND_RANK[VERIFIED])]


def with_revocations(db: Database, rules: PathRules, store: str | None = None) -> PathRules:
    """``rules`` with the database's revocations (unless it already carries some), and
    those only the clients of ``store`` honour, if given."""
    scoped = RevocationIndex.from_database(db, store) if store is not None else None
    return add_revocations(rules, RevocationIndex.from_database(db), scoped)


def add_revocations(
    rules: PathRules, everyone: RevocationIndex, scoped: RevocationIndex | None
) -> PathRules:
    """``rules`` with ``everyone`` (the revocations every client honours) unless it already
    carries some, and with ``scoped`` (those only one store's clients honour), if given."""
    if not rules.revocations.by_certificate:
        rules = replace(rules, revocations=everyone)
    if scoped is None:
        return rules
    return replace(rules, revocations=rules.revocations.with_extra(scoped.by_certificate.values()))


def for_anchors(rules: PathRules, anchors: AnchorSet) -> PathRules:
    """``rules`` with the revocations only the anchors' store's clients honour (Mozilla's
    OneCRL for the ``mozilla`` store); every query that pairs rules with a store's anchors
    judges by these."""
    extra = anchors.revocations.by_certificate
    if not extra:
        return rules
    return replace(rules, revocations=rules.revocations.with_extra(extra.values()))


def make_rules(
    at: When = None,
    purpose: Purpose | str = Purpose.ANY,
    verified_only: bool = False,
    signature_policy: SignaturePolicy | str | None = None,
    max_depth: int = DEFAULT_MAX_DEPTH,
) -> PathRules:
    """Path rules from plain arguments.

    Raises:
        UsageError: a bad date, purpose or signature policy, or a depth outside 0 to
            :data:`MOST_MAX_DEPTH`.
    """
    try:
        chosen = Purpose(purpose)
    except ValueError as exc:
        raise UsageError(f"purpose {purpose!r} is not one of serverAuth, any") from exc
    policy = (
        signature_policy
        if isinstance(signature_policy, SignaturePolicy)
        else load_policy(signature_policy)
    )
    if not 0 <= max_depth <= MOST_MAX_DEPTH:
        raise UsageError(f"max_depth must be from 0 to {MOST_MAX_DEPTH}")
    return PathRules(as_iso(at), chosen, verified_only, policy, max_depth)
