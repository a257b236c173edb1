"""A researcher's script using trustgraph's public API, kept here to be type-checked in
strict mode as a downstream project would check it (see test_downstream.py)."""

from __future__ import annotations

from pathlib import Path

import trustgraph
from trustgraph import api


def anchors_reaching(database: Path, target: str, store: str, at: str) -> list[str]:
    """The labels of the anchors of ``store`` that reach ``target`` at ``at``."""
    with trustgraph.Database(database, readonly=True) as db:
        anchors: trustgraph.AnchorSet = api.anchors_for(db, store=store, at=at)
        rules: trustgraph.PathRules = api.make_rules(at, trustgraph.Purpose.SERVER_AUTH)
        result: trustgraph.ReachResult = trustgraph.reach(db, target, anchors=anchors, rules=rules)
        return [result.graph.label(reached.ca) for reached in result.reached]


def verified_share(database: Path) -> float:
    """The share of certificates in the graph whose signature was checked."""
    with trustgraph.Database(database, readonly=True) as db:
        graph = api.graph(db)
        kinds = [str(data["kind"]) for _issuer, _subject, data in graph.edges(data=True)]
        verified = sum(kind == trustgraph.EdgeKind.VERIFIED for kind in kinds)
        return verified / len(kinds) if kinds else 0.0


def high_findings(database: Path) -> int:
    with trustgraph.Database(database, readonly=True) as db:
        report = trustgraph.check(db)
        return sum(f.severity == trustgraph.Severity.HIGH for f in report.findings)


def snapshot_dates(database: Path, store: str) -> list[str]:
    with trustgraph.Database(database, readonly=True) as db:
        return [snapshot.as_of for snapshot in trustgraph.stores(db, store)]
