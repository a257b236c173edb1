"""A session's questions about the graph: anchors, chains, reach, timeline, impact, leaves,
cross-signs, serials, checks, the graph itself and maps. Each takes its graph from the
backend and decides the answer by the same analysis code whatever the backend."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trustgraph.analysis.chains import ChainsResult, find_chains
from trustgraph.analysis.impact import ImpactResult, Scenario, assess, plan_scenario
from trustgraph.analysis.reach import ReachResult, find_reach
from trustgraph.analysis.stores import anchor_history
from trustgraph.analysis.timeline import TimelineResult, timeline
from trustgraph.core.progress import Progress
from trustgraph.core.times import When, as_iso
from trustgraph.errors import UsageError
from trustgraph.graph.targets import Target
from trustgraph.graph.trustgraph import TrustGraph
from trustgraph.policy.anchors import AnchorSet, anchors_from_fingerprints
from trustgraph.policy.rules import (
    DEFAULT_MAX_PATHS,
    DEFAULT_TIMEOUT,
    MOST_TIMEOUT,
    PathRules,
    Purpose,
    make_rules,
)
from trustgraph.session.base import SessionBase

if TYPE_CHECKING:
    import networkx as nx

    from trustgraph.analysis.checks import CheckReport
    from trustgraph.analysis.crosssigns import CrossSignedCA
    from trustgraph.analysis.leaves import LeavesResult
    from trustgraph.analysis.maps import MapRequest
    from trustgraph.analysis.serials import SerialGroup
    from trustgraph.ingest.loader import LoadReport
    from trustgraph.render.maps import MapPage

StoreAnswer = tuple[str, Any, str | None]
"""(store, its answer or None, why it has none or None) of a question asked of several."""


class QueryMethods(SessionBase):
    """The questions a session answers about the graph."""

    # -- anchors -------------------------------------------------------------------------

    def anchors(self, store: str | None = None, at: When = None) -> AnchorSet:
        """The anchors of ``store`` at ``at``, or every self-signed root without a store.

        Raises:
            UsageError: the store does not exist or has no snapshot that early.
        """
        if store is None:
            return self.records.database_roots()
        return self.records.anchors_at(store, as_iso(at))

    def anchors_from_files(
        self, paths: Sequence[str | Path], progress: Progress | None = None
    ) -> tuple[AnchorSet, LoadReport]:
        """Load the certificates in ``paths`` and make them the anchors.

        Raises:
            UsageError: the files hold no certificate; the session is read-only.
        """
        from trustgraph.ingest.loader import load_paths

        with self.writing("load anchor files") as db:
            report = load_paths(db, paths, progress or self.progress)
            if not report.fingerprints:
                raise UsageError(
                    f"no certificate found in the anchor files {', '.join(map(str, paths))}"
                )
            source = {"kind": "files", "files": [str(p) for p in paths]}
            return anchors_from_fingerprints(db, report.fingerprints, source), report

    def why_no_snapshot(self, store: str, at: When) -> str | None:
        """Why ``store`` cannot answer at ``at`` (no snapshot that early), or None (also for
        an unknown store: asking it raises the store's own error)."""
        moment = as_iso(at)
        dated = [s.as_of for s in self.records.snapshots(store)]
        if dated and min(dated) > moment:
            return f"no snapshot on or before {moment[:10]}"
        return None

    def store_names(self) -> list[str]:
        """Every trust store of the database, by name."""
        return sorted({s.store for s in self.records.snapshots()})

    def target(self, query: str, at: When = None) -> Target:
        """The CAs or certificate ``query`` names at ``at``.

        Raises:
            TargetError: it names nothing (AmbiguousTargetError: several CAs by name).
        """
        return self.records.resolve_target(query, as_iso(at))

    def _rules(self, rules: PathRules | None, store: str | None = None) -> PathRules:
        return self.records.with_revocations(rules or make_rules(), store)

    def _anchors_or_roots(self, anchors: AnchorSet | None) -> AnchorSet:
        return anchors if anchors is not None else self.records.database_roots()

    # -- paths ---------------------------------------------------------------------------

    def chains(
        self,
        target: str,
        *,
        anchors: AnchorSet | None = None,
        rules: PathRules | None = None,
        max_paths: int = DEFAULT_MAX_PATHS,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> ChainsResult:
        """Every path from an anchor (default: every root) to ``target`` (see
        :mod:`trustgraph.analysis.chains`), with the loaded revocations; each path's
        certificates that clients preload are named.

        Raises:
            TargetError: ``target`` matches nothing (AmbiguousTargetError: several CAs).
            UsageError: ``max_paths`` or ``timeout`` out of range.
            Neo4jError: the Neo4j backend failed.
        """
        if max_paths < 1:
            raise UsageError(
                "{max_paths} must be at least 1", parameters=("max_paths",), value=max_paths
            )
        if not 0 < timeout <= MOST_TIMEOUT:  # also refuses nan
            raise UsageError(
                f"{{timeout}} must be a number of seconds above 0, at most {MOST_TIMEOUT:g}",
                parameters=("timeout",),
                value=timeout,
            )
        rules = self._rules(rules)
        chosen = self._anchors_or_roots(anchors)
        resolved = self.records.resolve_target(target, rules.at)
        graph = self.backend.search_region(resolved, chosen, rules)
        result = find_chains(graph, resolved, chosen, rules, max_paths, timeout)
        known = self.records.preloaded()
        result.preloading_clients = tuple(
            sorted({client for clients in known.values() for client in clients})
        )
        result.preloaded = {
            fp: frozenset(known[fp])
            for path in result.paths
            for fp in path.certificates
            if fp in known
        }
        return result

    def reach(
        self, target: str, *, anchors: AnchorSet | None = None, rules: PathRules | None = None
    ) -> ReachResult:
        """The anchors (default: every root) that reach ``target`` (see
        :mod:`trustgraph.analysis.reach`), with the loaded revocations.

        Raises:
            TargetError: ``target`` matches nothing (AmbiguousTargetError: several CAs).
            Neo4jError: the Neo4j backend failed.
        """
        rules = self._rules(rules)
        return self._reach(self.records.resolve_target(target, rules.at), anchors, rules)

    def _reach(self, target: Target, anchors: AnchorSet | None, rules: PathRules) -> ReachResult:
        chosen = self._anchors_or_roots(anchors)
        graph = self.backend.search_region(target, chosen, rules)
        return find_reach(graph, target, chosen, rules)

    def reach_in_stores(
        self, target: str, stores: Sequence[str], *, rules: PathRules | None = None
    ) -> list[tuple[str, ReachResult | None, str | None]]:
        """:meth:`reach` from each of ``stores`` at the rules' date: (store, result, None),
        or (store, None, why) for a store without a snapshot that early.

        Raises:
            TargetError, Neo4jError: as :meth:`reach`; UsageError: an unknown store.
        """
        rules = self._rules(rules)
        resolved = self.records.resolve_target(target, rules.at)
        answers: list[tuple[str, ReachResult | None, str | None]] = []
        for store in stores:
            why = self.why_no_snapshot(store, rules.at)
            if why:
                answers.append((store, None, why))
                continue
            anchors = self.records.anchors_at(store, rules.at)
            answers.append((store, self._reach(resolved, anchors, rules), None))
        return answers

    def timeline(
        self, target: str, store: str, *, rules: PathRules | None = None
    ) -> TimelineResult:
        """When ``target`` is reachable from ``store`` up to the time of ``rules`` (see
        :mod:`trustgraph.analysis.timeline`), with the loaded revocations.

        Raises:
            TargetError: ``target`` matches nothing; UsageError: an unknown store;
            Neo4jError: the Neo4j backend failed.
        """
        rules = self._rules(rules)
        resolved = self.records.resolve_target(target, rules.at)
        ever = set().union(*(cas for _, cas in anchor_history(self.records, store)))
        graph = self.backend.ancestors(resolved, rules.max_depth, ever)
        return timeline(self.records, graph, resolved, store, rules)

    # -- scenarios -----------------------------------------------------------------------

    def impact(
        self,
        store: str,
        at: When,
        scenario: Scenario,
        rules: PathRules | None = None,
        horizon: When | None = None,
        paths_per_ca: int = 3,
    ) -> ImpactResult:
        """Assess a distrust scenario in ``store`` at ``at`` (see
        :mod:`trustgraph.analysis.impact`), judged by ``rules`` (their date is ``at``;
        default: :func:`~trustgraph.policy.rules.make_rules` of ``at``), with the leaf
        certificates behind it when leaves are loaded (see
        :mod:`trustgraph.analysis.leaves`).

        Raises:
            UsageError: a bad scenario, store, date or horizon; TargetError: an unknown
                owner; Neo4jError: the Neo4j backend failed.
        """
        from trustgraph.analysis.leaves import impact_leaves

        moment = as_iso(at)
        dated = replace(rules, at=moment) if rules is not None else make_rules(moment)
        plan = plan_scenario(self.records, store, scenario, dated)
        # The region of the rules before the scenario holds the one after: a scenario only
        # takes trust away.
        watched = Target("affected", plan.region_cas, None, "the CAs the scenario can affect")
        graph = self.backend.search_region(watched, plan.anchors_before, plan.rules_before)
        result = assess(
            self.records, plan, graph, as_iso(horizon) if horizon else None, paths_per_ca
        )
        result.leaves = impact_leaves(self.records, result)
        return result

    def leaves(
        self, target: str, *, anchors: AnchorSet | None = None, rules: PathRules | None = None
    ) -> LeavesResult:
        """The unexpired leaves and registered domains of ``target`` and the CAs below it at
        the rules' date, by issuing CA; with ``anchors`` (a store's), by way in from them,
        with what the store's partial distrust would break (see
        :mod:`trustgraph.analysis.leaves`).

        Raises:
            TargetError: ``target`` matches nothing (AmbiguousTargetError: several CAs).
        """
        from trustgraph.analysis.leaves import count_leaves

        rules = self._rules(rules)
        resolved = self.records.resolve_target(target, rules.at)
        return count_leaves(self.records, self.whole_graph(), resolved, rules, anchors)

    # -- the whole graph -----------------------------------------------------------------

    def cross_signs(self, at: When | None = None) -> tuple[list[CrossSignedCA], TrustGraph]:
        """Every CA certified by two or more issuers (at ``at``: by certificates valid
        then), with its cross-certificates classified (see
        :mod:`trustgraph.analysis.crosssigns`), and the graph they were found in."""
        from trustgraph.analysis.crosssigns import find_cross_signs

        moment = as_iso(at) if at is not None else None
        region = self.backend.cross_sign_region(moment)
        found = find_cross_signs(region.graph, set(region.roots), moment, self.records.owners())
        if region.candidates is not None:
            found = [item for item in found if item.ca in region.candidates]
        return found, region.graph

    def serials(self, scope: str = "all") -> list[SerialGroup]:
        """Distinct certificates sharing an issuer and serial number (``scope``: all, or ca
        for CA certificates only).

        Raises:
            UsageError: an unknown scope.
        """
        from trustgraph.analysis.serials import find_serial_groups, serial_groups

        if scope not in ("all", "ca"):
            raise UsageError(
                f"{{scope}} is all or ca, not {scope!r}", parameters=("scope",), value=scope
            )
        rows = self.backend.serial_rows(scope)
        if rows is None:
            return find_serial_groups(self.records, scope)
        return serial_groups(self.records, *rows)

    def check(
        self, names: list[str] | None = None, since: When | None = None, scope: str = "tls"
    ) -> CheckReport:
        """Run the named checks (all by default) over certificates issued since ``since``
        (see :mod:`trustgraph.analysis.checks`).

        Raises:
            UsageError: an unknown check name or scope.
        """
        from trustgraph.analysis.checks import run_checks, select

        moment = as_iso(since) if since is not None else None
        chosen = {check.info.name: dict(check.info.query_parameters) for check in select(names)}
        candidates = self.backend.check_candidates(chosen, moment)
        return run_checks(self.records, list(chosen), moment, candidates, self.progress, scope)

    def graph(
        self,
        *,
        at: When | None = None,
        store: str | None = None,
        purpose: Purpose = Purpose.ANY,
        cas: Iterable[str] | None = None,
    ) -> nx.MultiDiGraph:
        """The trust graph as a plain ``networkx.MultiDiGraph`` (see
        :mod:`trustgraph.analysis.plaingraph`): CAs as nodes, certificates as edges keyed by
        SHA-256, plain attribute values. With ``at``, each certificate's state then; with
        ``store`` too, only what is usable at ``at`` from that store's anchors. ``cas``
        limits it to those CAs.

        Raises:
            UsageError: ``store`` without ``at``, or an unknown store or one without a
                snapshot that early.
        """
        from trustgraph.analysis.plaingraph import plain_graph

        if store is not None and at is None:
            raise UsageError(
                "a store's part of the graph needs a date ({at})", parameters=("at", "store")
            )
        roots = set(self.records.database_roots().cas)
        rules = self._rules(make_rules(at, purpose)) if at is not None else None
        anchors = self.records.anchors_at(store, rules.at) if rules and store else None
        membership = {
            name: set(self.records.anchors_at(name, rules.at if rules else self._latest(name)).cas)
            for name in self.store_names()
            if rules is None or self.why_no_snapshot(name, rules.at) is None
        }
        return plain_graph(
            self.whole_graph(),
            self.records.owners(),
            roots,
            cas=cas,
            rules=rules,
            anchors=anchors,
            stores=membership,
        )

    def _latest(self, store: str) -> str:
        return self.records.snapshots(store)[-1].as_of

    def region(
        self, targets: Sequence[str], owners: Sequence[str] = (), depth: int = 1, at: When = None
    ) -> set[str]:
        """The CAs of ``targets`` and of the ``owners``' organisations at ``at``, and every
        CA within ``depth`` issuance steps of them.

        Raises:
            TargetError: a target or owner matches nothing.
        """
        from trustgraph.analysis.maps import neighbourhood, region_seeds

        seeds, _resolved, _described = region_seeds(
            self.records, self.records.owners(), list(targets), list(owners), as_iso(at)
        )
        return neighbourhood(self.whole_graph(), seeds, depth)

    # -- maps ----------------------------------------------------------------------------

    def map_request(
        self,
        targets: Sequence[str] = (),
        *,
        anchors: AnchorSet | None = None,
        rules: PathRules | None = None,
        highlight: str | None = None,
        owners: Sequence[str] = (),
        depth: int = 1,
        scenario: Scenario | None = None,
        store: str | None = None,
        max_paths: int = 200,
    ) -> MapRequest:
        """What a map of the targets' region shows (see :func:`trustgraph.analysis.maps.plan_map`).

        Raises:
            TargetError: a target or owner matches nothing; UsageError: an unknown store, a
                highlight without what it needs, a database without CAs.
        """
        from trustgraph.analysis.maps import plan_map

        return plan_map(
            self.records,
            self.whole_graph(),
            targets=list(targets),
            anchors=self._anchors_or_roots(anchors),
            rules=self._rules(rules),
            highlight=highlight,
            owner_names=list(owners),
            depth=depth,
            scenario=scenario,
            store=store,
            max_paths=max_paths,
        )

    def map_data(self, request: MapRequest) -> dict[str, Any]:
        """The data a map page or picture draws for ``request``."""
        from trustgraph.render.maps import map_data

        return map_data(self.whole_graph(), request)

    def map_page(
        self,
        targets: Sequence[str] = (),
        *,
        at: When | None = None,
        store: str | None = None,
        owners: Sequence[str] = (),
        depth: int = 1,
        highlight: bool = True,
    ) -> MapPage:
        """The interactive map of ``render`` as a page: the targets' region (``depth``
        steps, plus the ``owners``' CAs; the whole graph with neither), the paths to the
        targets highlighted when ``highlight`` and there are targets. In Jupyter it shows
        itself.

        Raises:
            TargetError: a target or owner matches nothing; UsageError: an unknown store.
        """
        from trustgraph.render.maps import MapPage, page

        rules = make_rules(at)
        request = self.map_request(
            targets,
            anchors=self.anchors(store=store, at=rules.at),
            rules=rules,
            highlight="chains" if highlight and targets else None,
            owners=owners,
            depth=depth,
            store=store,
        )
        return MapPage(request.title, page(request.title, self.map_data(request)))
