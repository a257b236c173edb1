"""The library's front door: one call per query, taking plain arguments.

Each function resolves its target, uses the anchors given (default: every self-signed root
in the database) and builds the graph unless one is passed in (pass it to run many queries
on one graph).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from trustgraph import stores
from trustgraph.anchors import AnchorSet, database_roots
from trustgraph.chains import ChainsResult, find_chains
from trustgraph.database import Database, iso
from trustgraph.errors import UsageError
from trustgraph.graph import TrustGraph
from trustgraph.pathrules import (
    DEFAULT_MAX_DEPTH,
    DEFAULT_MAX_PATHS,
    DEFAULT_TIMEOUT,
    PathRules,
    Purpose,
)
from trustgraph.reach import ReachResult, find_reach
from trustgraph.revocations import RevocationIndex
from trustgraph.sigpolicy import SignaturePolicy, load_policy
from trustgraph.targets import resolve_target

When = datetime | str | None


def as_iso(moment: When) -> str:
    """A query time in the database's ISO form; None means now, a bare date midnight UTC.

    Raises:
        UsageError: a string that is not a date.
    """
    if moment is None:
        moment = datetime.now(UTC)
    elif isinstance(moment, str):
        try:
            moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
        except ValueError as exc:
            raise UsageError(f"{moment!r} is not a date such as 2016-06-01") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return iso(moment) or ""


def make_rules(
    at: When = None,
    purpose: Purpose | str = Purpose.ANY,
    verified_only: bool = False,
    signature_policy: SignaturePolicy | str | None = None,
    max_depth: int = DEFAULT_MAX_DEPTH,
) -> PathRules:
    """Path rules from plain arguments.

    Raises:
        UsageError: a bad date, purpose or signature policy.
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
    if max_depth < 0:
        raise UsageError("max_depth must be 0 or more")
    return PathRules(as_iso(at), chosen, verified_only, policy, max_depth)


def with_revocations(db: Database, rules: PathRules) -> PathRules:
    """``rules`` with the database's revocations, unless it already carries some."""
    if rules.revocations.by_certificate:
        return rules
    return replace(rules, revocations=RevocationIndex.from_database(db))


def anchors_for(db: Database, *, store: str | None = None, at: When = None) -> AnchorSet:
    """The anchors of ``store`` at ``at``, or every self-signed root without a store.

    Raises:
        UsageError: the store does not exist or has no snapshot that early.
    """
    if store is None:
        return database_roots(db)
    return stores.anchors_at(db, store, as_iso(at))


def chains(
    db: Database,
    target: str,
    *,
    anchors: AnchorSet | None = None,
    rules: PathRules | None = None,
    max_paths: int = DEFAULT_MAX_PATHS,
    timeout: float = DEFAULT_TIMEOUT,
    graph: TrustGraph | None = None,
) -> ChainsResult:
    """Every path from an anchor to ``target`` (see :mod:`trustgraph.chains`), with the
    database's revocations.

    Raises:
        TargetError: ``target`` matches nothing (AmbiguousTargetError: several CAs).
        UsageError: ``max_paths`` is not positive.
    """
    if max_paths < 1:
        raise UsageError("max_paths must be at least 1")
    rules = with_revocations(db, rules or make_rules())
    resolved = resolve_target(db, target, rules.at)
    return find_chains(
        graph or TrustGraph.from_database(db),
        resolved,
        anchors if anchors is not None else database_roots(db),
        rules,
        max_paths,
        timeout,
    )


def reach(
    db: Database,
    target: str,
    *,
    anchors: AnchorSet | None = None,
    rules: PathRules | None = None,
    graph: TrustGraph | None = None,
) -> ReachResult:
    """The anchors that reach ``target`` (see :mod:`trustgraph.reach`), with the
    database's revocations.

    Raises:
        TargetError: ``target`` matches nothing (AmbiguousTargetError: several CAs).
    """
    rules = with_revocations(db, rules or make_rules())
    resolved = resolve_target(db, target, rules.at)
    return find_reach(
        graph or TrustGraph.from_database(db),
        resolved,
        anchors if anchors is not None else database_roots(db),
        rules,
    )
