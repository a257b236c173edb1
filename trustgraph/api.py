"""The library's front door: :func:`open` a session over a database and ask it anything.

::

    import trustgraph

    with trustgraph.open("trustgraph.db") as session:
        result = session.reach("WoSign", anchors=session.anchors("mozilla", "2016-12-01"))

A :class:`~trustgraph.session.Session` reads what its queries share (store snapshots,
anchors, rules, revocations, owners) once. The module functions below are conveniences:
each opens a session for one call (or uses the open database given), so
``api.reach(db, "WoSign")`` is ``open(db).reach("WoSign")``.

This module also names what a caller builds queries from (rules, scenarios, purposes,
dates, client profiles, CT log keys) and the few calls that need no database.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trustgraph.analysis.impact import Scenario as Scenario
from trustgraph.core.progress import Progress
from trustgraph.core.times import When
from trustgraph.core.times import as_iso as as_iso
from trustgraph.errors import UsageError
from trustgraph.policy.rules import DEFAULT_MAX_DEPTH as DEFAULT_MAX_DEPTH
from trustgraph.policy.rules import DEFAULT_MAX_PATHS as DEFAULT_MAX_PATHS
from trustgraph.policy.rules import DEFAULT_TIMEOUT as DEFAULT_TIMEOUT
from trustgraph.policy.rules import MOST_MAX_DEPTH as MOST_MAX_DEPTH
from trustgraph.policy.rules import PathRules as PathRules
from trustgraph.policy.rules import Purpose as Purpose
from trustgraph.policy.rules import make_rules as make_rules
from trustgraph.session import DatabaseLike as DatabaseLike
from trustgraph.session import Session as Session
from trustgraph.session.neo4j import BulkTarget as BulkTarget
from trustgraph.storage.database import Database as Database
from trustgraph.storage.database import ReadFault as ReadFault
from trustgraph.storage.database import read_fault as read_fault
from trustgraph.version import __version__ as __version__

if TYPE_CHECKING:
    import networkx as nx

    from trustgraph.analysis.chains import ChainsResult as ChainsResult
    from trustgraph.analysis.checks import CheckReport as CheckReport
    from trustgraph.analysis.clientevents import CaClients as CaClients
    from trustgraph.analysis.clientevents import ClientImpact as ClientImpact
    from trustgraph.analysis.clientevents import ClientTimeline as ClientTimeline
    from trustgraph.analysis.clients import ClientsResult as ClientsResult
    from trustgraph.analysis.crosssigns import CrossSignedCA as CrossSignedCA
    from trustgraph.analysis.impact import ImpactResult as ImpactResult
    from trustgraph.analysis.leaves import LeavesResult as LeavesResult
    from trustgraph.analysis.onecrl import OneCrlDiff as OneCrlDiff
    from trustgraph.analysis.reach import ReachResult as ReachResult
    from trustgraph.analysis.serials import SerialGroup as SerialGroup
    from trustgraph.analysis.timeline import TimelineResult as TimelineResult
    from trustgraph.backends.base import Backend as Backend
    from trustgraph.backends.neo4j.catalog import CatalogQuery as CatalogQuery
    from trustgraph.core.records import Snapshot as Snapshot
    from trustgraph.demo.story import DemoResult as DemoResult
    from trustgraph.graph.trustgraph import TrustGraph as TrustGraph
    from trustgraph.ingest.casefile import CaseFile as CaseFile
    from trustgraph.ingest.ct.checkpoint import LogKey as LogKey
    from trustgraph.ingest.loader import LoadReport as LoadReport
    from trustgraph.policy.anchors import AnchorSet as AnchorSet
    from trustgraph.policy.clients import ClientProfile as ClientProfile
    from trustgraph.policy.coverage import StoreCoverage as StoreCoverage
    from trustgraph.render.maps import MapPage as MapPage


def open(
    db: DatabaseLike | None = None,
    *,
    backend: str | Backend = "memory",
    write: bool = False,
    create: bool = False,
    graph: TrustGraph | None = None,
    progress: Progress | None = None,
    on_wait: Callable[[str], None] | None = None,
    on_note: Callable[[str], None] | None = None,
) -> Session:
    """A session over ``db`` (a path, default: $TRUSTGRAPH_DB or the user's database; or
    an open :class:`Database`), read-only unless ``write`` (``create``: make it when
    missing), on ``backend`` ("memory", "neo4j" with NEO4J_URI, NEO4J_USER and
    NEO4J_PASSWORD, or a backend object). Use it as a context manager.

    Raises:
        DatabaseError: the database is missing (and not to be created), foreign, newer or
            damaged; UsageError: an unknown backend; Neo4jError: Neo4j cannot be reached.
    """
    _show_results_in_notebooks()
    return Session(
        db,
        backend=backend,
        write=write,
        create=create,
        graph=graph,
        progress=progress,
        on_wait=on_wait,
        on_note=on_note,
    )


def _reading(
    db: DatabaseLike, graph: TrustGraph | None = None, backend: Backend | None = None
) -> Session:
    _show_results_in_notebooks()
    return Session(db, backend=backend if backend is not None else "memory", graph=graph)


# -- conveniences: one session per call ---------------------------------------------------


def anchors_for(db: DatabaseLike, *, store: str | None = None, at: When = None) -> AnchorSet:
    """:meth:`Session.anchors <trustgraph.session.queries.QueryMethods.anchors>`."""
    with _reading(db) as session:
        return session.anchors(store, at)


def anchors_from_files(
    db: DatabaseLike, paths: Sequence[str | os.PathLike[str]], progress: Progress | None = None
) -> tuple[AnchorSet, LoadReport]:
    """:meth:`Session.anchors_from_files` (the database is made if missing)."""
    with Session(db, create=True) as session:
        return session.anchors_from_files([str(p) for p in paths], progress)


def with_revocations(db: DatabaseLike, rules: PathRules, store: str | None = None) -> PathRules:
    """``rules`` with the database's revocations (unless it already carries some), and
    those only the clients of ``store`` honour, if given."""
    with _reading(db) as session:
        return session.records.with_revocations(rules, store)


def why_no_snapshot(db: DatabaseLike, store: str, at: When) -> str | None:
    """:meth:`Session.why_no_snapshot`."""
    with _reading(db) as session:
        return session.why_no_snapshot(store, at)


def store_names(db: DatabaseLike) -> list[str]:
    """Every trust store in the database, by name."""
    with _reading(db) as session:
        return session.store_names()


def stores(db: DatabaseLike, store: str | None = None) -> list[Snapshot]:
    """Every trust-store snapshot (of ``store`` if given), by store and date."""
    with _reading(db) as session:
        return session.snapshots(store)


def chains(
    db: DatabaseLike,
    target: str,
    *,
    anchors: AnchorSet | None = None,
    rules: PathRules | None = None,
    max_paths: int = DEFAULT_MAX_PATHS,
    timeout: float = DEFAULT_TIMEOUT,
    graph: TrustGraph | None = None,
    backend: Backend | None = None,
) -> ChainsResult:
    """:meth:`Session.chains` (on ``backend``, default the memory graph, ``graph`` if
    given)."""
    with _reading(db, graph, backend) as session:
        return session.chains(
            target, anchors=anchors, rules=rules, max_paths=max_paths, timeout=timeout
        )


def reach(
    db: DatabaseLike,
    target: str,
    *,
    anchors: AnchorSet | None = None,
    rules: PathRules | None = None,
    graph: TrustGraph | None = None,
    backend: Backend | None = None,
) -> ReachResult:
    """:meth:`Session.reach`."""
    with _reading(db, graph, backend) as session:
        return session.reach(target, anchors=anchors, rules=rules)


def reach_in_stores(
    db: DatabaseLike,
    target: str,
    stores: Sequence[str],
    *,
    rules: PathRules | None = None,
    graph: TrustGraph | None = None,
    backend: Backend | None = None,
) -> list[tuple[str, ReachResult | None, str | None]]:
    """:meth:`Session.reach_in_stores`."""
    with _reading(db, graph, backend) as session:
        return session.reach_in_stores(target, stores, rules=rules)


def timeline(
    db: DatabaseLike,
    target: str,
    store: str,
    *,
    rules: PathRules | None = None,
    graph: TrustGraph | None = None,
    backend: Backend | None = None,
) -> TimelineResult:
    """:meth:`Session.timeline`."""
    with _reading(db, graph, backend) as session:
        return session.timeline(target, store, rules=rules)


def impact(
    db: DatabaseLike,
    store: str,
    at: When,
    scenario: Scenario,
    rules: PathRules | None = None,
    horizon: When | None = None,
    paths_per_ca: int = 3,
    graph: TrustGraph | None = None,
    backend: Backend | None = None,
) -> ImpactResult:
    """:meth:`Session.impact`."""
    with _reading(db, graph, backend) as session:
        return session.impact(store, at, scenario, rules, horizon, paths_per_ca)


def leaves(
    db: DatabaseLike,
    target: str,
    *,
    anchors: AnchorSet | None = None,
    rules: PathRules | None = None,
    graph: TrustGraph | None = None,
) -> LeavesResult:
    """:meth:`Session.leaves`."""
    with _reading(db, graph) as session:
        return session.leaves(target, anchors=anchors, rules=rules)


def clients(
    db: DatabaseLike,
    chain: Sequence[bytes] | str | os.PathLike[str],
    *,
    at: When = None,
    clients: Sequence[str] = (),
    sct_time: When | None = None,
) -> ClientsResult:
    """:meth:`Session.clients`."""
    with _reading(db) as session:
        return session.clients(chain, at=at, clients=clients, sct_time=sct_time)


def ca_clients(
    db: DatabaseLike,
    target: str,
    *,
    at: When = None,
    configured: When | None = None,
    clients: Sequence[str] = (),
) -> CaClients:
    """:meth:`Session.ca_clients`."""
    with _reading(db) as session:
        return session.ca_clients(target, at=at, configured=configured, clients=clients)


def client_timeline(
    db: DatabaseLike,
    target: str,
    *,
    since: When,
    until: When = None,
    clients: Sequence[str] = (),
) -> ClientTimeline:
    """:meth:`Session.client_timeline`."""
    with _reading(db) as session:
        return session.client_timeline(target, since=since, until=until, clients=clients)


def client_impact(
    db: DatabaseLike,
    result: ImpactResult,
    *,
    clients: Sequence[str] = (),
    progress: Progress | None = None,
) -> ClientImpact:
    """:meth:`Session.client_impact`."""
    with _reading(db) as session:
        return session.client_impact(result, clients=clients, progress=progress)


def graph(
    db: DatabaseLike,
    *,
    at: When | None = None,
    store: str | None = None,
    purpose: Purpose = Purpose.ANY,
    cas: Iterable[str] | None = None,
) -> nx.MultiDiGraph:
    """:meth:`Session.graph`."""
    with _reading(db) as session:
        return session.graph(at=at, store=store, purpose=purpose, cas=cas)


def load(
    db: DatabaseLike, paths: Sequence[str | os.PathLike[str]], progress: Progress | None = None
) -> LoadReport:
    """:meth:`Session.load` (the database is made if missing)."""
    with Session(db, create=True) as session:
        return session.load(paths, progress)


def cross_signs(db: DatabaseLike, at: When | None = None) -> list[CrossSignedCA]:
    """The CAs of :meth:`Session.cross_signs`."""
    with _reading(db) as session:
        return session.cross_signs(at)[0]


def serials(db: DatabaseLike, scope: str = "all") -> list[SerialGroup]:
    """:meth:`Session.serials`."""
    with _reading(db) as session:
        return session.serials(scope)


def check(
    db: DatabaseLike,
    names: list[str] | None = None,
    since: When | None = None,
    scope: str = "tls",
) -> CheckReport:
    """:meth:`Session.check`."""
    with _reading(db) as session:
        return session.check(names, since, scope)


def map_page(
    db: DatabaseLike,
    targets: Sequence[str] = (),
    *,
    at: When | None = None,
    store: str | None = None,
    owners: Sequence[str] = (),
    depth: int = 1,
    highlight: bool = True,
) -> MapPage:
    """:meth:`Session.map_page`."""
    with _reading(db) as session:
        return session.map_page(
            targets, at=at, store=store, owners=owners, depth=depth, highlight=highlight
        )


# -- calls without a database -------------------------------------------------------------


def document(
    result: ChainsResult | ReachResult | TimelineResult | ImpactResult,
    provenance: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The JSON document of a query result, as ``--format json`` prints it: ids with
    their subjects and labels, caveats, parameters (``provenance``: what the database says
    of its sources, :meth:`Session.provenance`; empty by default).

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
    return demo_story(out).database


def demo_story(
    out: str | os.PathLike[str],
    *,
    mirror: str | os.PathLike[str] | None = None,
    root_stores: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
) -> DemoResult:
    """The WoSign case told from the shipped data (:func:`demo`), with ``mirror`` (a folder
    of the case's certificates: the story on verified edges) and ``root_stores`` (other
    programs' stores: each program's view).

    Raises:
        UsageError: ``mirror`` or ``root_stores`` is not a folder; OutputError: ``out``
            cannot be written; InputError: the shipped case cannot be read.
    """
    from trustgraph.core.files import require_input
    from trustgraph.demo.story import run_demo

    return run_demo(
        Path(out),
        require_input(mirror, "mirror", folder=True) if mirror is not None else None,
        progress,
        require_input(root_stores, "root_stores", folder=True) if root_stores else None,
    )


def demo_document(result: DemoResult) -> dict[str, Any]:
    """The story as a JSON document (``trustgraph demo --format json``)."""
    from trustgraph.demo.story import as_document

    return as_document(result)


def demo_text(document: dict[str, Any]) -> list[str]:
    """The story's document as lines to read."""
    from trustgraph.demo.text import demo_lines

    return demo_lines(document)


def client_profile_list() -> list[ClientProfile]:
    """Every client profile, in the order ``clients-list`` shows them."""
    from trustgraph.policy.clients import PROFILES

    return list(PROFILES.values())


def read_case(path: str | os.PathLike[str]) -> CaseFile:
    """A case file, validated.

    Raises:
        InputError: the case file is not valid (every problem listed).
    """
    from trustgraph.ingest import casefile

    return casefile.load(Path(path))


def onecrl_diff(old: str | os.PathLike[str], new: str | os.PathLike[str]) -> OneCrlDiff:
    """What changed between two OneCRL lists.

    Raises:
        InputError: a list cannot be read.
    """
    from trustgraph.analysis.onecrl import diff_lists
    from trustgraph.ingest.onecrl import read_onecrl

    return diff_lists(read_onecrl(Path(old)), read_onecrl(Path(new)))


def log_key(path: str | os.PathLike[str]) -> LogKey:
    """A CT log's public key, from a PEM or DER file.

    Raises:
        InputError: the file holds no usable key.
    """
    from trustgraph.ingest.ct.checkpoint import LogKey
    from trustgraph.ingest.sources import read_input

    return LogKey.from_pem(read_input(Path(path)), str(path))


def listed_log(log_list: str | os.PathLike[str], name: str) -> tuple[str, LogKey]:
    """The monitoring URL and key of log ``name`` (a unique part of its description or
    URL) in a v3 log list's tiled logs.

    Raises:
        InputError: the list cannot be read; UsageError: no log or several match.
    """
    from trustgraph.ingest.ct.loglist import choose, tiled_logs

    listed = choose(tiled_logs(Path(log_list)), name)
    return listed.monitoring_url, listed.key


def neo4j_target() -> str:
    """The Neo4j server the environment names (NEO4J_URI, NEO4J_USER), as words.

    Raises:
        UsageError: NEO4J_URI is not set.
    """
    from trustgraph.backends.neo4j.connection import Neo4jSettings

    return Neo4jSettings.from_environment().describe()


def neo4j_catalog() -> list[CatalogQuery]:
    """The named queries of the Neo4j catalog, in order."""
    from trustgraph.backends.neo4j.catalog import catalog

    return list(catalog().values())


def neo4j_query(
    name: str, parameters: dict[str, Any], timeout: float | None = None
) -> tuple[list[dict[str, Any]], str]:
    """Run catalog query ``name`` on Neo4j (NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD) with
    ``parameters``: its rows, and the server it ran on.

    Raises:
        UsageError: an unknown query, or a parameter it needs missing; Neo4jError: the
            server failed or took longer than ``timeout`` seconds.
    """
    from trustgraph.backends.neo4j.catalog import query
    from trustgraph.backends.neo4j.connection import Neo4jGraph, Neo4jSettings

    chosen = query(name)
    missing = [p for p in chosen.parameter_names if p not in parameters]
    if missing:
        raise UsageError(
            f"query {name} needs {{param}} for: {', '.join(missing)} ({chosen.parameters})",
            parameters=("param",),
        )
    with Neo4jGraph(Neo4jSettings.from_environment()) as neo:
        return neo.run(chosen.text, parameters, timeout), neo.settings.describe()


def neo4j_clear() -> tuple[int, str]:
    """Delete trustgraph's nodes, relationships and push checkpoints from Neo4j: the
    changes made, and the server.

    Raises:
        Neo4jError: the server failed.
    """
    from trustgraph.backends.neo4j.connection import Neo4jGraph, Neo4jSettings
    from trustgraph.backends.neo4j.push import clear

    with Neo4jGraph(Neo4jSettings.from_environment()) as neo:
        return clear(neo), neo.settings.describe()


def example_data() -> Path:
    """The data trustgraph ships to try it on: ``wosign-2016/`` holds the WoSign 2016
    case file (``case.toml``: certificates, owners, Mozilla's stores, rules) and the Mozilla
    bundles it names."""
    from trustgraph.core.resources import data_dir

    return data_dir()


def is_records_report(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a CCADB certificate-records report (not certificates)."""
    from trustgraph.ingest.ccadb import is_records_report as records_report

    return records_report(Path(path))


def _show_results_in_notebooks() -> None:
    """Inside IPython, have query results display themselves as HTML tables (from the
    first session on: importing trustgraph changes nothing)."""
    if "IPython" in sys.modules:
        from trustgraph.render.notebook import register

        register()
