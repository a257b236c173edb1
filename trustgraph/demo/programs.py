"""The demo's other root programs: Microsoft's, Apple's and Android's stores added from a
folder laid out as the shared ``rootstores`` data (``microsoft/authroot-stl/``,
``apple/*.tar.xz``, ``android/*.tar.xz``, and crt.sh's snapshots of nine programs,
``crtsh-root-programs-*.tar.xz``), and each program's answer to the WoSign question at the
demo's dates: which anchors reach CAs WoSign operates, with WoSign's own roots and without
them. Apple and Android dates are the observation day and the release month."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trustgraph.analysis.reach import find_reach
from trustgraph.core.progress import Progress
from trustgraph.errors import InputError
from trustgraph.graph.targets import Target
from trustgraph.graph.trustgraph import TrustGraph
from trustgraph.ingest.stores import ALL, add_store
from trustgraph.policy.rules import PathRules
from trustgraph.policy.stores import anchors_at, list_snapshots
from trustgraph.storage.database import Database

PROGRAMS = (
    ("microsoft", "microsoft/authroot-stl"),
    ("apple-ios", "apple/*.tar.xz"),
    ("apple-macos", "apple/*.tar.xz"),
    ("android", "android/*.tar.xz"),
    (ALL, "crtsh-root-programs-*.tar.xz"),
)


def add_programs(db: Database, folder: Path, progress: Progress | None = None) -> list[str]:
    """Add every program found under ``folder``; the stores added.

    Raises:
        InputError: a program's data cannot be read, or the folder holds none.
    """
    added: list[str] = []
    for store, pattern in PROGRAMS:
        found = sorted(folder.glob(pattern))
        if found:
            report = add_store(db, store, found[-1], progress=progress)
            added += sorted({v.snapshot.store for v in report.versions} - set(added))
    if not added:
        raise InputError(
            f"{folder}: no root-program data (microsoft/authroot-stl/, apple/*.tar.xz, "
            "android/*.tar.xz, crtsh-root-programs-*.tar.xz)"
        )
    return added


@dataclass
class ProgramView:
    """One program's answer at one date."""

    store: str
    snapshot: dict[str, Any] | None
    own_roots: list[str]
    reaching: list[str]
    reaching_without_own_roots: list[str]
    without_certificates: int = 0
    staleness: dict[str, Any] | None = None
    """Why the snapshot is too old to stand for its store then (None: it is not)."""

    def as_dict(self, label: Any) -> dict[str, Any]:
        return {
            "store": self.store,
            "snapshot": self.snapshot,
            "wosign_roots_in_store": [label(ca) for ca in self.own_roots],
            "anchors_reaching": [label(ca) for ca in self.reaching],
            "anchors_reaching_without_wosign_roots": [
                label(ca) for ca in self.reaching_without_own_roots
            ],
            "anchors_without_certificates": self.without_certificates,
            "outdated": self.staleness is not None,
            "staleness": self.staleness,
        }


def program_views(
    db: Database, graph: TrustGraph, wosign: frozenset[str], rules: PathRules, stores: list[str]
) -> list[ProgramView]:
    """Each program's view of WoSign's CAs at the rules' date (no snapshot yet: None)."""
    target = Target("wosign", wosign, None, "CAs operated by WoSign")
    views = []
    for store in stores:
        if not any(s.as_of <= rules.at for s in list_snapshots(db, store)):
            views.append(ProgramView(store, None, [], [], []))
            continue
        anchors = anchors_at(db, store, rules.at)
        own = sorted(ca for ca in anchors.cas if ca in wosign)
        reaching = find_reach(graph, target, anchors, rules).reached
        without = find_reach(graph, target, anchors.without(set(own)), rules).reached
        views.append(
            ProgramView(
                store,
                anchors.source["snapshot"],
                own,
                sorted(r.ca for r in reaching),
                sorted(r.ca for r in without),
                anchors.source.get("anchors_without_certificate_bytes", 0),
                anchors.source.get("staleness"),
            )
        )
    return views
