"""Firefox's own lists: OneCRL as recorded for a store, what changed between two OneCRL
lists, and the intermediate preloading list."""

from __future__ import annotations

from typing import Any

from trustgraph.analysis.onecrl import CHANGES, OneCrlDiff
from trustgraph.ingest.intermediates import PreloadReport
from trustgraph.ingest.onecrl import OneCrlReport
from trustgraph.render.common import View
from trustgraph.render.formats import Report, Tabular, envelope

LISTED = 50
"""How many unresolved records or changed records of a kind a table lists (JSON: all)."""


def onecrl_view(report: OneCrlReport, provenance: dict[str, Any]) -> View:
    counts = report.counts()
    document = envelope(
        "firefox-onecrl",
        {"source": str(report.onecrl.path), "store": report.scope},
        provenance,
        report.as_dict(),
    )
    summary = Tabular(
        f"OneCRL {report.onecrl.path.name} for store {report.scope}: "
        f"{counts['enforced']} revocations recorded",
        ["count", "value"],
        [[name.replace("_", " "), value] for name, value in counts.items()],
        section="summary",
    )
    summary.notes.append(
        f"records without details.created count as revoked at an unknown date no later than "
        f"their last change ({counts['dated_by_last_modified_only']} of them); paths in the "
        f"view of store {report.scope} refuse a revoked certificate from its date"
    )
    if report.replaced:
        summary.notes.append(
            f"replaces the OneCRL list recorded before for {report.scope} "
            f"({report.replaced} revocations from {', '.join(report.replaced_origins)})"
        )
    missing = Tabular(
        "Records that name no loaded certificate",
        ["record", "names", "by", "bug"],
        section="unresolved",
    )
    for record in report.unresolved[:LISTED]:
        data = record.as_dict()
        missing.add([record.ident, data["names"], data["by"], record.bug])
    if len(report.unresolved) > LISTED:
        missing.notes.append(f"... and {len(report.unresolved) - LISTED} more (JSON lists all)")
    return document, Report([summary, missing])


def onecrl_diff_view(diff: OneCrlDiff, provenance: dict[str, Any]) -> View:
    document = envelope(
        "firefox-onecrl-diff",
        {"old": str(diff.old.path), "new": str(diff.new.path)},
        provenance,
        diff.as_dict(),
    )
    counts = diff.counts()
    summary = Tabular(
        f"OneCRL {diff.old.path.name} -> {diff.new.path.name}",
        ["change", "records"],
        [[meaning, counts[kind]] for kind, meaning in CHANGES],
        section="summary",
    )
    parts = [summary]
    for kind, meaning in CHANGES:
        records = diff.changes.get(kind, [])
        if not records:
            continue
        table = Tabular(
            meaning, ["record", "names", "created", "last modified", "bug"], section=kind
        )
        for record in records[:LISTED]:
            table.add(
                [
                    record.ident,
                    record.names,
                    (record.created or "")[:10],
                    record.last_modified[:10],
                    record.bug,
                ]
            )
        if len(records) > LISTED:
            table.notes.append(f"... and {len(records) - LISTED} more (JSON lists all)")
        parts.append(table)
    return document, Report(parts)


def preload_view(report: PreloadReport, provenance: dict[str, Any]) -> View:
    document = envelope(
        "firefox-intermediates",
        {"source": str(report.path), "client": report.client},
        provenance,
        report.as_dict(),
    )
    table = Tabular(
        f"{report.client} preloads {len(report.records)} intermediates "
        f"({len(report.loaded)} of them loaded here)",
        ["count", "value"],
        [
            ["records", len(report.records)],
            ["certificates loaded", len(report.loaded)],
            ["certificates not loaded", len(report.missing)],
            ["replaced (preloaded before)", report.replaced],
        ],
    )
    if report.missing:
        table.notes.append(
            "certificates not loaded are kept as facts; `trustgraph fetch` or `load` brings "
            "their bytes (the list gives their SHA-256)"
        )
    return document, table
