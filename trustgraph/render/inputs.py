"""What loading did: certificates loaded, CCADB records, trust-store snapshots, case files
and fetched certificates."""

from __future__ import annotations

from typing import Any

from trustgraph.ingest.casefile import CaseReport
from trustgraph.ingest.ccadb import RecordsReport
from trustgraph.ingest.fetch import FetchReport
from trustgraph.ingest.loader import LoadReport
from trustgraph.ingest.stores import SnapshotReport
from trustgraph.render.common import View, counts_table
from trustgraph.render.formats import Tabular, envelope


def load_view(report: LoadReport, parameters: dict[str, Any], provenance: dict[str, Any]) -> View:
    document = envelope("load", parameters, provenance, report.as_dict())
    table = Tabular(
        f"Loaded {report.loaded} new certificates of {report.found} found "
        f"({report.duplicates} duplicates, {report.skipped} skipped) in "
        f"{report.seconds:.1f} s",
        ["count", "value"],
        [[name, value] for name, value in report.totals.items()],
    )
    table.rows.extend([f"edges decided now: {kind}", n] for kind, n in sorted(report.edges.items()))
    table.notes.extend(f"skipped {i.location}: {i.reason}" for i in report.skipped_inputs)
    table.notes.extend(f"note {i.location}: {i.reason}" for i in report.notes)
    invalid = [w for w in report.warnings if w.kind == "signature-invalid"]
    table.notes.extend(f"no edge {i.location}: {i.reason}" for i in invalid)
    table.notes.extend(
        f"unchanged {label}: these bytes were loaded from it before; nothing was added"
        for label in report.unchanged
    )
    if not report.reconciles:
        table.notes.append("counts do not reconcile: please report this as a bug")
    return document, table


def records_view(report: RecordsReport, provenance: dict[str, Any]) -> View:
    document = envelope("load-records", {"path": report.path}, provenance, report.as_dict())
    table = counts_table(
        f"CCADB records {report.path}: {report.rows} rows",
        [
            ("declared (no certificate bytes)", report.declared),
            ("certificate already loaded", report.already_loaded),
            ("revoked (date unknown)", report.revoked),
            ("operator facts", report.operators),
            ("problems", len(report.problems)),
        ],
        report.problems,
    )
    if report.unchanged:
        table.notes.append(
            f"{report.path}: these bytes were imported before for this date; nothing changed"
        )
    return document, table


def snapshot_view(report: SnapshotReport, provenance: dict[str, Any]) -> View:
    document = envelope("store-add", report.snapshot.as_dict(), provenance, report.as_dict())
    snapshot = report.snapshot
    table = Tabular(
        f"Store {snapshot.store} as of {snapshot.as_of[:10]} "
        f"({snapshot.source_kind}: {snapshot.source_path})",
        ["count", "value"],
        [
            ["anchors", report.anchors],
            ["anchors without certificate bytes", report.without_bytes],
            ["certificates in the source that are not anchors", len(report.not_anchors)],
            ["certificates the store distrusts outright", report.distrusted],
        ],
    )
    if report.without_bytes:
        table.notes.append(
            "load the anchors' certificates (e.g. the CCADB PEM report) or "
            "`trustgraph fetch` them: without bytes they cannot anchor paths"
        )
    return document, table


def case_view(report: CaseReport, provenance: dict[str, Any]) -> View:
    document = envelope("case-apply", {"case": report.case}, provenance, report.as_dict())
    table = Tabular(
        f"Case {report.case} loaded",
        ["section", "entries"],
        [[k, v] for k, v in report.counts.items()],
    )
    return document, table


def fetch_view(report: FetchReport, provenance: dict[str, Any]) -> View:
    document = envelope("fetch", {}, provenance, report.as_dict())
    table = Tabular(
        f"Fetched {len(report.found)} of {len(report.found) + len(report.missing)}",
        ["certificate", "result"],
        [[fp, where] for fp, where in sorted(report.found.items())]
        + [[fp, f"missing: {why}"] for fp, why in sorted(report.missing.items())],
    )
    return document, table
