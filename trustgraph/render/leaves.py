"""Leaves: what a CT sync did, and the leaves behind CAs and ways in."""

from __future__ import annotations

from typing import Any

from trustgraph.analysis.impact import ImpactResult
from trustgraph.analysis.leaves import LeavesResult, WayLeaves
from trustgraph.graph.trustgraph import TrustGraph
from trustgraph.ingest.ct.files import LeafFilesReport
from trustgraph.ingest.ct.sync import SyncReport
from trustgraph.render.common import View, ca_ref
from trustgraph.render.formats import Report, Tabular, envelope
from trustgraph.render.paths import path_route

COUNT_COLUMNS = ["unexpired leaves", "registered domains", "broken by partial distrust"]


def sync_view(report: SyncReport, provenance: dict[str, Any]) -> View:
    document = envelope("ct-sync", {"prefix": report.prefix}, provenance, report.as_dict())
    rate = report.as_dict()["entries_per_second"]
    table = Tabular(
        f"CT log {report.prefix}: {report.entries} entries stored "
        f"(checkpoint of {report.checkpoint.size} entries)",
        ["count", "value"],
        [
            ["checkpoint size", report.checkpoint.size],
            ["stored before (checkpoint)", report.previous_size],
            ["entries", f"{report.first} to {report.last}"],
            ["data tiles stored now", report.tiles],
            ["entries stored now", report.entries],
            ["issuers loaded", report.issuers],
            ["entries not read", report.problems],
            ["seconds", f"{report.seconds:.1f}"],
            ["entries per second", rate if rate is not None else ""],
        ],
    )
    table.notes.extend(f"not read: {problem}" for problem in report.listed)
    return document, table


def leaf_files_view(report: LeafFilesReport, provenance: dict[str, Any]) -> View:
    document = envelope("ct-load", {"paths": report.paths}, provenance, report.as_dict())
    table = Tabular(
        f"Leaves from files: {report.stored} stored of {report.found} certificates found",
        ["count", "value"],
        [
            ["certificates found", report.found],
            ["leaves stored", report.stored],
            ["leaves no loaded CA issued (stored, not linked)", report.unlinked],
            ["CA certificates (load them with `trustgraph load`)", report.cas],
            ["not certificates", report.problem_count],
        ],
    )
    table.notes.extend(f"{p['location']}: {p['reason']}" for p in report.problems)
    if not report.reconciles:
        table.notes.append("counts do not reconcile: please report this as a bug")
    return document, table


def _corpus_caveats(result: LeavesResult) -> list[str]:
    """What the counts rest on: the leaves loaded, which is never the whole Web PKI."""
    if result.corpus.empty:
        return ["no leaves are loaded: `trustgraph ct sync` a log or `trustgraph ct load` files"]
    return [_corpus_text(result.corpus.sources)]


def leaves_view(result: LeavesResult, graph: TrustGraph, provenance: dict[str, Any]) -> View:
    caveats = _corpus_caveats(result) + truncation_caveats_text(result.truncated)
    ways = [_way_dict(graph, way) for way in result.ways]
    document = envelope(
        "leaves",
        {
            "target": result.target.as_dict(),
            "at": result.at,
            "anchors": result.anchors.as_dict() if result.anchors is not None else None,
        },
        provenance,
        {
            **result.total.as_dict(),
            "cas_counted": sorted(result.region),
            "by_ca": [
                {**ca_ref(graph, ca), **count.as_dict()} for ca, count in result.by_ca.items()
            ],
            "ways_in": ways,
            "corpus": {"sources": result.corpus.sources, "leaves": result.corpus.total},
            "caveats": [{"kind": "partial-corpus", "text": text} for text in caveats],
        },
    )
    summary = Tabular(
        f"Leaves of {result.target.description} and the CAs below it at {result.at[:10]}: "
        f"{result.total.leaves} unexpired, {result.total.domains} registered domains",
        ["issuing CA", "unexpired leaves", "registered domains"],
        [[graph.label(ca), c.leaves, c.domains] for ca, c in result.by_ca.items()],
        section="by CA",
        shared=caveats,
    )
    parts = [summary]
    if result.anchors is not None:
        table = Tabular(
            "By way in",
            ["anchor", "route", *COUNT_COLUMNS],
            section="ways in",
        )
        for way, data in zip(result.ways, ways, strict=True):
            broken = "; ".join(
                f"{rule}: {c.leaves} leaves, {c.domains} domains" for rule, c in way.broken.items()
            )
            table.add(
                [
                    data["anchor"]["subject"] or way.path.anchor_ca,
                    data["route"],
                    way.count.leaves,
                    way.count.domains,
                    broken or "none",
                ]
            )
        parts.append(table)
    return document, Report(parts)


def truncation_caveats_text(truncated: dict[str, str]) -> list[str]:
    return [f"ways in truncated by {bound}: {why}" for bound, why in truncated.items()]


def _corpus_text(sources: list[dict[str, Any]]) -> str:
    parts = []
    for source in sources:
        ranges = ", ".join(f"{a}-{b - 1}" for a, b in source["entries_stored"]) or "none"
        if source["kind"] == "ct":
            parts.append(
                f"{source['prefix']} (checkpoint of {source['checkpoint_size']} entries, "
                f"entries {ranges} stored, synced {(source['synced_at'] or '?')[:19]})"
            )
        else:
            parts.append(f"files {source['prefix']}")
    return "counts are of the leaves loaded, not of every certificate in existence: " + "; ".join(
        parts
    )


def _way_dict(graph: TrustGraph, way: WayLeaves) -> dict[str, Any]:
    return {
        "anchor": ca_ref(graph, way.path.anchor_ca),
        "entered": ca_ref(graph, way.entered),
        "route": path_route(graph, way.path),
        "certificates": way.path.certificates,
        **way.count.as_dict(),
        "broken_by_partial_distrust": {rule: count.as_dict() for rule, count in way.broken.items()},
    }


def _broken_text(way: WayLeaves) -> str:
    return (
        "; ".join(
            f"{rule}: {c.leaves} leaves, {c.domains} domains" for rule, c in way.broken.items()
        )
        or "none"
    )


def impact_leaves_dict(result: ImpactResult) -> dict[str, Any] | None:
    """The leaves behind an impact answer (None: no leaves are loaded)."""
    found = result.leaves
    if found is None:
        return None
    graph = result.graph
    return {
        "lost_total": found.lost_total.as_dict(),
        "lost": [{**ca_ref(graph, ca), **c.as_dict()} for ca, c in found.lost.items()],
        "ways_in": [_way_dict(graph, way) for way in found.ways],
        "corpus": {"sources": found.corpus.sources, "leaves": found.corpus.total},
        "caveat": _corpus_text(found.corpus.sources),
    }


def impact_leaves_table(result: ImpactResult) -> Tabular:
    """The leaves behind the lost CAs and the surviving ways in (no rows: none loaded)."""
    table = Tabular(
        "Leaves behind them",
        [
            "what",
            "CA or route",
            "unexpired leaves",
            "registered domains",
            "broken by partial distrust",
        ],
        section="leaves",
    )
    found = result.leaves
    if found is None:
        return table
    graph = result.graph
    table.add(
        [
            "every CA that loses every path",
            f"{len(found.lost)} CAs",
            found.lost_total.leaves,
            found.lost_total.domains,
            "",
        ]
    )
    for ca, count in found.lost.items():
        if count.leaves:
            table.add(["loses every path", graph.label(ca), count.leaves, count.domains, ""])
    for way in found.ways:
        table.add(
            [
                "way in that survives",
                path_route(graph, way.path),
                way.count.leaves,
                way.count.domains,
                _broken_text(way),
            ]
        )
    table.notes.append(_corpus_text(found.corpus.sources))
    return table
