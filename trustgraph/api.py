"""The library's front door: one call per query, taking plain arguments.

Each function resolves its target, uses the anchors given (default: every self-signed root
in the database) and builds the graph unless one is passed in (pass it to run many queries
on one graph).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from trustgraph.analysis.chains import ChainsResult
from trustgraph.analysis.impact import ImpactResult, Scenario, plan_scenario
from trustgraph.analysis.reach import ReachResult
from trustgraph.analysis.timeline import TimelineResult
from trustgraph.backends.base import Backend
from trustgraph.backends.memory import MemoryBackend
from trustgraph.core.progress import Progress
from trustgraph.core.times import When
from trustgraph.core.times import as_iso as as_iso
from trustgraph.errors import UsageError
from trustgraph.graph.targets import resolve_target
from trustgraph.graph.trustgraph import TrustGraph
from trustgraph.ingest.loader import LoadReport, load_paths
from trustgraph.policy.anchors import AnchorSet, anchors_from_fingerprints, database_roots
from trustgraph.policy.rules import (
    DEFAULT_MAX_PATHS,
    DEFAULT_TIMEOUT,
    PathRules,
)
from trustgraph.policy.rules import make_rules as make_rules
from trustgraph.policy.rules import with_revocations as with_revocations
from trustgraph.policy.stores import anchors_at, list_snapshots
from trustgraph.storage.database import Database


def anchors_for(db: Database, *, store: str | None = None, at: When = None) -> AnchorSet:
    """The anchors of ``store`` at ``at``, or every self-signed root without a store.

    Raises:
        UsageError: the store does not exist or has no snapshot that early.
    """
    if store is None:
        return database_roots(db)
    return anchors_at(db, store, as_iso(at))


def anchors_from_files(
    db: Database, paths: Sequence[str | os.PathLike[str]], progress: Progress | None = None
) -> tuple[AnchorSet, LoadReport]:
    """Load the certificates in ``paths`` into ``db`` and make them the anchors.

    Raises:
        UsageError: the files hold no certificate.
    """
    report = load_paths(db, paths, progress)
    if not report.fingerprints:
        raise UsageError(f"no certificate found in the anchor files {', '.join(map(str, paths))}")
    source = {"kind": "files", "files": [str(p) for p in paths]}
    return anchors_from_fingerprints(db, report.fingerprints, source), report


def _backend(db: Database, graph: TrustGraph | None, backend: Backend | None) -> Backend:
    return backend if backend is not None else MemoryBackend(db, graph)


def chains(
    db: Database,
    target: str,
    *,
    anchors: AnchorSet | None = None,
    rules: PathRules | None = None,
    max_paths: int = DEFAULT_MAX_PATHS,
    timeout: float = DEFAULT_TIMEOUT,
    graph: TrustGraph | None = None,
    backend: Backend | None = None,
) -> ChainsResult:
    """Every path from an anchor to ``target`` (see :mod:`trustgraph.chains`), with the
    database's revocations, on ``backend`` (default: the memory graph, ``graph`` if given).

    Raises:
        TargetError: ``target`` matches nothing (AmbiguousTargetError: several CAs).
        UsageError: ``max_paths`` is not positive; a bound the backend cannot honour.
        Neo4jError: the Neo4j backend failed.
    """
    if max_paths < 1:
        raise UsageError("max_paths must be at least 1")
    rules = with_revocations(db, rules or make_rules())
    return _backend(db, graph, backend).chains(
        resolve_target(db, target, rules.at),
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
    backend: Backend | None = None,
) -> ReachResult:
    """The anchors that reach ``target`` (see :mod:`trustgraph.reach`), with the
    database's revocations, on ``backend`` (default: the memory graph).

    Raises:
        TargetError: ``target`` matches nothing (AmbiguousTargetError: several CAs).
        UsageError: a bound the backend cannot honour; Neo4jError: the Neo4j backend failed.
    """
    rules = with_revocations(db, rules or make_rules())
    return _backend(db, graph, backend).reach(
        resolve_target(db, target, rules.at),
        anchors if anchors is not None else database_roots(db),
        rules,
    )


def reach_in_stores(
    db: Database,
    target: str,
    stores: Sequence[str],
    *,
    rules: PathRules | None = None,
    graph: TrustGraph | None = None,
    backend: Backend | None = None,
) -> list[tuple[str, ReachResult | None, str | None]]:
    """:func:`reach` from each of ``stores`` at the rules' date: (store, result, None), or
    (store, None, why) for a store without a snapshot that early.

    Raises:
        TargetError, UsageError, Neo4jError: as :func:`reach`; UsageError also for an
            unknown store.
    """
    rules = with_revocations(db, rules or make_rules())
    chosen = _backend(db, graph, backend)
    resolved = resolve_target(db, target, rules.at)
    answers: list[tuple[str, ReachResult | None, str | None]] = []
    for store in stores:
        why = why_no_snapshot(db, store, rules.at)
        if why:
            answers.append((store, None, why))
            continue
        anchors = anchors_at(db, store, rules.at)
        answers.append((store, chosen.reach(resolved, anchors, rules), None))
    return answers


def why_no_snapshot(db: Database, store: str, at: When) -> str | None:
    """Why ``store`` cannot answer at ``at`` (it has no snapshot that early), or None (also
    for an unknown store: asking it raises the store's own error)."""
    moment = as_iso(at)
    dated = [s.as_of for s in list_snapshots(db, store)]
    if dated and min(dated) > moment:
        return f"no snapshot on or before {moment[:10]}"
    return None


def store_names(db: Database) -> list[str]:
    """Every trust store in the database, by name."""
    return sorted({s.store for s in list_snapshots(db)})


def timeline(
    db: Database,
    target: str,
    store: str,
    *,
    rules: PathRules | None = None,
    graph: TrustGraph | None = None,
    backend: Backend | None = None,
) -> TimelineResult:
    """When ``target`` is reachable from ``store`` up to the time of ``rules`` (see
    :mod:`trustgraph.timeline`), with the database's revocations.

    Raises:
        TargetError: ``target`` matches nothing; UsageError: an unknown store;
        Neo4jError: the Neo4j backend failed.
    """
    rules = with_revocations(db, rules or make_rules())
    return _backend(db, graph, backend).timeline(resolve_target(db, target, rules.at), store, rules)


def impact(
    db: Database,
    store: str,
    at: When,
    scenario: Scenario,
    rules: PathRules | None = None,
    horizon: When | None = None,
    paths_per_ca: int = 3,
    graph: TrustGraph | None = None,
    backend: Backend | None = None,
) -> ImpactResult:
    """Assess a distrust scenario (see :mod:`trustgraph.impact`).

    Raises:
        UsageError: a bad scenario, store, date or horizon; TargetError: an unknown owner;
        Neo4jError: the Neo4j backend failed.
    """
    moment = as_iso(at)
    plan = plan_scenario(db, store, moment, scenario, rules or make_rules(moment))
    return _backend(db, graph, backend).impact(
        plan, as_iso(horizon) if horizon else None, paths_per_ca
    )
