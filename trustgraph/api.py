"""The library's front door: one call per query, taking plain arguments.

Each function resolves its target, uses the anchors given (default: every self-signed root
in the database) and builds the graph unless one is passed in (pass it to run many queries
on one graph).
"""

from __future__ import annotations

import functools
import inspect
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

from trustgraph.analysis.chains import ChainsResult
from trustgraph.analysis.clientevents import CaClients, ClientImpact, ClientTimeline
from trustgraph.analysis.clients import ClientsResult
from trustgraph.analysis.impact import ImpactResult, plan_scenario
from trustgraph.analysis.impact import Scenario as Scenario
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
from trustgraph.policy.anchors import AnchorSet, anchors_from_fingerprints, database_roots
from trustgraph.policy.rules import (
    DEFAULT_MAX_PATHS,
    DEFAULT_TIMEOUT,
    MOST_TIMEOUT,
    PathRules,
    Purpose,
)
from trustgraph.policy.rules import make_rules as make_rules
from trustgraph.policy.rules import with_revocations as with_revocations
from trustgraph.policy.stores import anchors_at, list_snapshots
from trustgraph.storage.database import Database
from trustgraph.storage.trust import Snapshot, preloaded

if TYPE_CHECKING:
    import networkx as nx

    from trustgraph.analysis.checks import CheckReport
    from trustgraph.analysis.crosssigns import CrossSignedCA
    from trustgraph.analysis.leaves import LeavesResult
    from trustgraph.analysis.serials import SerialGroup
    from trustgraph.ingest.loader import LoadReport
    from trustgraph.render.maps import MapPage

# The calls beyond the queries import what they need when called, so that the command line
# (which imports this module) starts without maps, checks, the demo and the loader.

DatabaseLike = Database | str | os.PathLike[str]
"""An open database, or the path of one (opened for the call, read-only unless the call
writes)."""
_P = ParamSpec("_P")
_R = TypeVar("_R")
_WRITES = frozenset({"load", "anchors_from_files"})


def _database(
    function: Callable[Concatenate[Database, _P], _R],
) -> Callable[Concatenate[DatabaseLike, _P], _R]:
    """Let ``function`` take a database path as well as an open database."""

    @functools.wraps(function)
    def call(db: DatabaseLike, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        if isinstance(db, Database):
            return function(db, *args, **kwargs)
        writes = function.__name__ in _WRITES
        with Database(db, create=writes, readonly=not writes) as opened:
            return function(opened, *args, **kwargs)

    signature = inspect.signature(function)
    first, *rest = signature.parameters.values()
    call.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[first.replace(annotation="DatabaseLike"), *rest]
    )
    return call


@_database
def anchors_for(db: Database, *, store: str | None = None, at: When = None) -> AnchorSet:
    """The anchors of ``store`` at ``at``, or every self-signed root without a store.

    Raises:
        UsageError: the store does not exist or has no snapshot that early.
    """
    if store is None:
        return database_roots(db)
    return anchors_at(db, store, as_iso(at))


@_database
def anchors_from_files(
    db: Database, paths: Sequence[str | os.PathLike[str]], progress: Progress | None = None
) -> tuple[AnchorSet, LoadReport]:
    """Load the certificates in ``paths`` into ``db`` and make them the anchors.

    Raises:
        UsageError: the files hold no certificate.
    """
    from trustgraph.ingest.loader import load_paths

    report = load_paths(db, paths, progress)
    if not report.fingerprints:
        raise UsageError(f"no certificate found in the anchor files {', '.join(map(str, paths))}")
    source = {"kind": "files", "files": [str(p) for p in paths]}
    return anchors_from_fingerprints(db, report.fingerprints, source), report


def _backend(db: Database, graph: TrustGraph | None, backend: Backend | None) -> Backend:
    return backend if backend is not None else MemoryBackend(db, graph)


@_database
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
    """Every path from an anchor to ``target`` (see :mod:`trustgraph.analysis.chains`), with the
    database's revocations, on ``backend`` (default: the memory graph, ``graph`` if given);
    each path's certificates that clients preload are named.

    Raises:
        TargetError: ``target`` matches nothing (AmbiguousTargetError: several CAs).
        UsageError: ``max_paths`` is not positive; a bound the backend cannot honour.
        Neo4jError: the Neo4j backend failed.
    """
    if max_paths < 1:
        raise UsageError("max_paths must be at least 1")
    if not 0 < timeout <= MOST_TIMEOUT:  # also refuses nan
        raise UsageError(f"timeout must be a number of seconds above 0, at most {MOST_TIMEOUT:g}")
    rules = with_revocations(db, rules or make_rules())
    result = _backend(db, graph, backend).chains(
        resolve_target(db, target, rules.at),
        anchors if anchors is not None else database_roots(db),
        rules,
        max_paths,
        timeout,
    )
    known = preloaded(db)
    result.preloading_clients = tuple(sorted({c for clients in known.values() for c in clients}))
    result.preloaded = {
        fp: frozenset(known[fp]) for path in result.paths for fp in path.certificates if fp in known
    }
    return result


@_database
def reach(
    db: Database,
    target: str,
    *,
    anchors: AnchorSet | None = None,
    rules: PathRules | None = None,
    graph: TrustGraph | None = None,
    backend: Backend | None = None,
) -> ReachResult:
    """The anchors that reach ``target`` (see :mod:`trustgraph.analysis.reach`), with the
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


@_database
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


@_database
def why_no_snapshot(db: Database, store: str, at: When) -> str | None:
    """Why ``store`` cannot answer at ``at`` (it has no snapshot that early), or None (also
    for an unknown store: asking it raises the store's own error)."""
    moment = as_iso(at)
    dated = [s.as_of for s in list_snapshots(db, store)]
    if dated and min(dated) > moment:
        return f"no snapshot on or before {moment[:10]}"
    return None


@_database
def store_names(db: Database) -> list[str]:
    """Every trust store in the database, by name."""
    return sorted({s.store for s in list_snapshots(db)})


@_database
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
    :mod:`trustgraph.analysis.timeline`), with the database's revocations.

    Raises:
        TargetError: ``target`` matches nothing; UsageError: an unknown store;
        Neo4jError: the Neo4j backend failed.
    """
    rules = with_revocations(db, rules or make_rules())
    return _backend(db, graph, backend).timeline(resolve_target(db, target, rules.at), store, rules)


@_database
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
    """Assess a distrust scenario (see :mod:`trustgraph.analysis.impact`), with the leaf
    certificates behind it when leaves are loaded (see :mod:`trustgraph.analysis.leaves`).

    Raises:
        UsageError: a bad scenario, store, date or horizon; TargetError: an unknown owner;
        Neo4jError: the Neo4j backend failed.
    """
    from trustgraph.analysis.leaves import impact_leaves

    moment = as_iso(at)
    plan = plan_scenario(db, store, moment, scenario, rules or make_rules(moment))
    result = _backend(db, graph, backend).impact(
        plan, as_iso(horizon) if horizon else None, paths_per_ca
    )
    result.leaves = impact_leaves(db, result)
    return result


@_database
def leaves(
    db: Database,
    target: str,
    *,
    anchors: AnchorSet | None = None,
    rules: PathRules | None = None,
    graph: TrustGraph | None = None,
) -> LeavesResult:
    """The unexpired leaves and registered domains of ``target`` and the CAs below it at
    the rules' date, by issuing CA; with ``anchors`` (a store's), by way in from them, with
    what the store's partial distrust would break (see :mod:`trustgraph.analysis.leaves`).

    Raises:
        TargetError: ``target`` matches nothing (AmbiguousTargetError: several CAs).
    """
    from trustgraph.analysis.leaves import count_leaves

    rules = with_revocations(db, rules or make_rules())
    whole = graph or TrustGraph.from_database(db)
    return count_leaves(db, whole, resolve_target(db, target, rules.at), rules, anchors)


@_database
def clients(
    db: Database,
    chain: Sequence[bytes] | str | os.PathLike[str],
    *,
    at: When = None,
    clients: Sequence[str] = (),
    sct_time: When | None = None,
) -> ClientsResult:
    """Which clients accept ``chain`` as a server sends it (the end certificate first, any
    order after it) at ``at``: each client profile's outcome, the path it takes and why it
    fails (see :mod:`trustgraph.policy.clients` for the profiles; ``clients`` names them,
    ``("all",)`` for every one, none for the default set). ``chain`` is DER certificates or
    a PEM/DER file; ``sct_time`` the end certificate's SCT time, for SCT cut-offs.

    Raises:
        UsageError: a client name is unknown, or the chain is empty or unreadable.
    """
    from trustgraph.analysis.clients import evaluate_clients, read_served
    from trustgraph.policy.clients import client_profiles

    profiles = client_profiles(list(clients))
    if isinstance(chain, str | os.PathLike):
        ders, origin = _served_chain_file(Path(chain)), str(chain)
    else:
        ders, origin = list(chain), "chain"
    served = read_served(ders, origin)
    when = as_iso(at)
    return evaluate_clients(
        db, served, when, profiles, as_iso(sct_time) if sct_time is not None else None
    )


@_database
def ca_clients(
    db: Database,
    target: str,
    *,
    at: When = None,
    configured: When | None = None,
    clients: Sequence[str] = (),
) -> CaClients:
    """Which clients accept, at ``at``, the chains servers send for ``target``'s CAs as
    commonly configured at ``configured`` (default: ``at``; see
    :mod:`trustgraph.analysis.servedchains`).

    Raises:
        UsageError: a client name is unknown.
        TargetError: ``target`` matches nothing.
    """
    from trustgraph.analysis.clientevents import ca_clients as answers_for
    from trustgraph.policy.clients import client_profiles

    when = as_iso(at)
    set_up = as_iso(configured) if configured is not None else when
    cas, bounded = _client_cas(db, target, when)
    result = answers_for(db, cas, client_profiles(list(clients)), when, set_up)
    return replace(result, limits=(*result.limits, *bounded))


@_database
def client_timeline(
    db: Database,
    target: str,
    *,
    since: When,
    until: When = None,
    clients: Sequence[str] = (),
) -> ClientTimeline:
    """Each client's outcome from ``since`` to ``until`` on the chains servers send for
    ``target``'s CAs (as set up at ``since``; see
    :mod:`trustgraph.analysis.servedchains`), with the dates it changes.

    Raises:
        UsageError: a client name is unknown, or ``since`` is not before ``until``.
        TargetError: ``target`` matches nothing.
    """
    from trustgraph.analysis.clientevents import client_timeline as timeline_of
    from trustgraph.policy.clients import client_profiles

    first, last = as_iso(since), as_iso(until)
    if first >= last:
        raise UsageError(f"the client range must start before it ends ({first} >= {last})")
    cas, bounded = _client_cas(db, target, last)
    result = timeline_of(db, cas, client_profiles(list(clients)), first, last)
    return replace(result, limits=(*result.limits, *bounded))


@_database
def client_impact(
    db: Database,
    result: ImpactResult,
    *,
    clients: Sequence[str] = (),
    progress: Progress | None = None,
) -> ClientImpact:
    """Each client's outcome before and after ``result``'s scenario on the chains servers
    send for the CAs it touches (the watched ones, the collateral, and every CA below a
    removed anchor or a revoked certificate, which an ideal path builder may still reach
    but a client may not): the scenario applies to the clients of its program; with leaves
    loaded, the leaves each client loses.

    Raises:
        UsageError: a client name is unknown.
    """
    from trustgraph.analysis.clientevents import client_impact as impact_of
    from trustgraph.analysis.clients import StoreEdit
    from trustgraph.policy.clients import client_profiles

    cas = list(dict.fromkeys([w.ca for w in result.watched] + [c.ca for c in result.collateral]))
    from trustgraph.analysis.impact import below, revoked_by
    from trustgraph.storage.certificates import cas_of_certificates

    revoked = frozenset(revoked_by(db, result.scenario))
    starts = set(result.removed) | cas_of_certificates(db, revoked)
    cas += sorted(below(db, starts, result.rules.max_depth) - set(cas))
    edit = StoreEdit(result.store, frozenset(result.removed), revoked)
    profiles = client_profiles(list(clients))
    found = impact_of(db, cas[:MAX_IMPACT_CAS], profiles, result.at, edit, progress)
    if len(cas) > MAX_IMPACT_CAS:
        limit = f"{len(cas)} CAs are touched: the first {MAX_IMPACT_CAS} were checked"
        found = replace(found, limits=(*found.limits, limit))
    return found


MAX_CLIENT_CAS = 50
"""CAs of one target a client timeline follows (the rest are named as a limit)."""
MAX_IMPACT_CAS = 1000
"""CAs a scenario's client answer checks (watched and collateral first; the rest are named
as a limit)."""


def _client_cas(db: Database, target: str, at: str) -> tuple[list[str], tuple[str, ...]]:
    """The CAs of ``target`` a client answer follows, and the bound it hit (if any).

    Raises:
        TargetError: ``target`` matches nothing.
    """
    cas = sorted(resolve_target(db, target, at).cas)
    if len(cas) <= MAX_CLIENT_CAS:
        return cas, ()
    bound = f"{len(cas)} CAs match {target!r}: the first {MAX_CLIENT_CAS} were checked"
    return cas[:MAX_CLIENT_CAS], (bound,)


def _served_chain_file(path: Path) -> list[bytes]:
    """The certificates of a served-chain file, in their order.

    Raises:
        UsageError: a part of the file is not a certificate (where, and why).
    """
    from trustgraph.ingest.sources import Problem, read_paths

    ders = []
    for item in read_paths([path]):
        if isinstance(item, Problem):
            raise UsageError(f"{item.location}: {item.reason}")
        ders.append(item.der)
    return ders


@_database
def graph(
    db: Database,
    *,
    at: When | None = None,
    store: str | None = None,
    purpose: Purpose = Purpose.ANY,
    cas: Iterable[str] | None = None,
) -> nx.MultiDiGraph:
    """The trust graph as a plain ``networkx.MultiDiGraph`` (see
    :mod:`trustgraph.analysis.plaingraph`): CAs as nodes, certificates as edges keyed by
    SHA-256, plain attribute values. With ``at``, each certificate's state then; with
    ``store`` too, only what is usable at ``at`` from that store's anchors. ``cas`` limits
    it to those CAs.

    Raises:
        UsageError: ``store`` without ``at``, or an unknown store or one without a snapshot
            that early.
    """
    if store is not None and at is None:
        raise UsageError("a store's part of the graph needs a date (at)")
    whole = TrustGraph.from_database(db)
    from trustgraph.analysis.plaingraph import plain_graph
    from trustgraph.graph.owners import OwnerIndex

    owners = OwnerIndex.from_database(db)
    roots = set(database_roots(db).cas)
    rules = with_revocations(db, make_rules(at, purpose)) if at is not None else None
    anchors = anchors_at(db, store, rules.at) if rules and store else None
    membership = {
        name: set(anchors_at(db, name, rules.at if rules else _latest(db, name)).cas)
        for name in store_names(db)
        if rules is None or why_no_snapshot(db, name, rules.at) is None
    }
    return plain_graph(
        whole, owners, roots, cas=cas, rules=rules, anchors=anchors, stores=membership
    )


def _latest(db: Database, store: str) -> str:
    return list_snapshots(db, store)[-1].as_of


@_database
def load(
    db: Database, paths: Sequence[str | os.PathLike[str]], progress: Progress | None = None
) -> LoadReport:
    """Load certificates from files, bundles, directories or CCADB PEM reports (see
    :func:`trustgraph.ingest.loader.load_paths`); every input ends loaded or reported.

    Raises:
        InputError: an input cannot be read at all; DatabaseError: the database cannot be
            written (nothing of the input that failed is kept).
    """
    from trustgraph.ingest.loader import load_paths

    return load_paths(db, paths, progress)


@_database
def cross_signs(db: Database, at: When | None = None) -> list[CrossSignedCA]:
    """Every CA certified by two or more issuers (at ``at``: by certificates valid then),
    with its cross-certificates classified (see :mod:`trustgraph.analysis.crosssigns`)."""
    return MemoryBackend(db).cross_signs(as_iso(at) if at is not None else None)[0]


@_database
def serials(db: Database, scope: str = "all") -> list[SerialGroup]:
    """Distinct certificates sharing an issuer and serial number (``scope``: all, or ca
    for CA certificates only).

    Raises:
        UsageError: an unknown scope.
    """
    from trustgraph.analysis.serials import find_serial_groups

    return find_serial_groups(db, scope)


@_database
def check(
    db: Database,
    names: list[str] | None = None,
    since: When | None = None,
    scope: str = "tls",
) -> CheckReport:
    """Run the named checks (all by default) over certificates issued since ``since``
    (see :mod:`trustgraph.analysis.checks`).

    Raises:
        UsageError: an unknown check name or scope.
    """
    from trustgraph.analysis.checks import run_checks

    return run_checks(db, names, as_iso(since) if since is not None else None, scope=scope)


@_database
def stores(db: Database, store: str | None = None) -> list[Snapshot]:
    """Every trust-store snapshot (of ``store`` if given), by store and date."""
    return list_snapshots(db, store)


@_database
def map_page(
    db: Database,
    targets: Sequence[str] = (),
    *,
    at: When | None = None,
    store: str | None = None,
    owners: Sequence[str] = (),
    depth: int = 1,
    highlight: bool = True,
) -> MapPage:
    """The interactive map of ``render`` as a page: the targets' region (``depth`` steps,
    plus the ``owners``' CAs; the whole graph with neither), the paths to the targets
    highlighted when ``highlight`` and there are targets. In Jupyter it shows itself.

    Raises:
        TargetError: a target or owner matches nothing; UsageError: an unknown store.
    """
    from trustgraph.analysis.maps import plan_map
    from trustgraph.render.maps import MapPage, map_data, page

    rules = with_revocations(db, make_rules(at))
    whole = TrustGraph.from_database(db)
    request = plan_map(
        db,
        whole,
        targets=list(targets),
        anchors=anchors_for(db, store=store, at=rules.at),
        rules=rules,
        highlight="chains" if highlight and targets else None,
        owner_names=list(owners),
        depth=depth,
        store=store,
    )
    return MapPage(request.title, page(request.title, map_data(whole, request)))


def document(
    result: ChainsResult | ReachResult | TimelineResult | ImpactResult,
    provenance: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The JSON document of a query result, as ``--format json`` prints it: ids with
    their subjects and labels, caveats, parameters (``provenance``: what the database says
    of its sources, ``Database.provenance()``; empty by default).

    Raises:
        UsageError: ``result`` is not the result of chains, reach, timeline or impact.
    """
    from trustgraph.render.views import view_of

    view = view_of(result, provenance)
    if view is None:
        raise UsageError(f"no JSON document for a {type(result).__name__}")
    return view[0]


def demo(out: str | os.PathLike[str]) -> Path:
    """Build the WoSign case's database in the folder ``out`` (as ``trustgraph demo``
    does, its map included); the database's path.

    Raises:
        OutputError: ``out`` cannot be written; InputError: the shipped case cannot be read.
    """
    from trustgraph.demo.story import run_demo

    return run_demo(Path(out)).database


def _show_results_in_notebooks() -> None:
    """Inside IPython, have query results display themselves as HTML tables."""
    if "IPython" in sys.modules:
        from trustgraph.render.notebook import register

        register()


_show_results_in_notebooks()
