"""What loading did: certificates loaded, CCADB records, trust-store snapshots, case files
and fetched certificates."""

from __future__ import annotations

from typing import Any

from trustgraph.ingest.casefile import CaseReport
from trustgraph.ingest.ccadb import RecordsReport
from trustgraph.ingest.fetch import FetchReport
from trustgraph.ingest.loader import LoadReport
from trustgraph.ingest.stores import StoreReport
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


def store_add_view(report: StoreReport, provenance: dict[str, Any]) -> View:
    versions = report.versions
    stores = sorted({v.snapshot.store for v in versions})
    params = {
        "store": stores[0] if len(stores) == 1 else None,
        "stores": stores,
        "kind": report.kind,
        "source": versions[0].snapshot.source_path if len(versions) == 1 else None,
    }
    document = envelope("store-add", params, provenance, report.as_dict())
    title = (
        f"Store {', '.join(stores)}: {len(versions)} version(s) added ({report.kind})"
        if versions
        else f"No version added ({report.kind})"
    )
    several = len(stores) > 1
    table = Tabular(
        title,
        [
            *(["store"] if several else []),
            "as of",
            "sequence",
            "anchors",
            "without bytes",
            "not anchors",
            "distrusted",
        ],
        [
            [
                *([v.snapshot.store] if several else []),
                v.snapshot.as_of[:10] + ("" if v.snapshot.precision == "day" else " (month)"),
                v.snapshot.sequence or "",
                v.anchors,
                v.without_bytes,
                len(v.not_anchors),
                v.distrusted,
            ]
            for v in versions
        ],
    )
    for v in versions:
        if v.replaced is not None:
            replaced = v.replaced
            verdict = (
                "which trusted the same anchors for serverAuth"
                if replaced["agrees"]
                else f"which disagreed on serverAuth anchors: {len(replaced['only_in_replaced'])} "
                f"only in it, {len(replaced['only_in_new'])} only in the new one"
            )
            table.notes.append(
                f"{v.snapshot.store} {v.snapshot.as_of[:10]}: replaces the snapshot of that "
                f"day from {replaced['source']}, {verdict}"
            )
    if any(v.without_bytes for v in versions):
        table.notes.append(
            "anchors without bytes are kept as facts of the store but cannot anchor paths: "
            "load their certificates (e.g. the CCADB PEM report) or `trustgraph fetch` them"
        )
    if any(v.snapshot.precision != "day" for v in versions):
        table.notes.append("dates marked (month) are release months, approximate")
    for entry in report.unused[:NOT_USED_SHOWN]:
        table.notes.append(f"not used: {entry['source']}: {entry['reason']}")
    if len(report.unused) > NOT_USED_SHOWN:
        table.notes.append(
            f"... and {len(report.unused) - NOT_USED_SHOWN} more not used (see --format json)"
        )
    return document, table


NOT_USED_SHOWN = 10


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
