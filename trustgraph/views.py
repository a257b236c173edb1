"""Result objects as JSON documents and as tables (the CLI only picks a format)."""

from __future__ import annotations

from typing import Any

from trustgraph.casefile import CaseReport
from trustgraph.ccadb import RecordsReport
from trustgraph.chains import ChainPath, ChainsResult
from trustgraph.checks import CheckReport
from trustgraph.crosssigns import CrossSignedCA
from trustgraph.fetch import FetchReport
from trustgraph.graph import Edge, TrustGraph
from trustgraph.impact import LOST, SURVIVES, UNREACHED, ImpactResult
from trustgraph.impact import WayIn as ImpactWayIn
from trustgraph.loader import LoadReport
from trustgraph.output import Tabular, envelope, join_route, short, to_markdown
from trustgraph.pathrules import PathRules
from trustgraph.reach import ReachResult
from trustgraph.serials import SerialGroup
from trustgraph.stores import Snapshot, SnapshotReport, StoreDiff
from trustgraph.timeline import TimelineResult

View = tuple[dict[str, Any], Tabular]


def _ca_ref(graph: TrustGraph, ca_id: str) -> dict[str, Any]:
    info = graph.ca(ca_id)
    return {"ca": ca_id, "subject": info.subject if info else None}


def _label(graph: TrustGraph, ca_id: str) -> str:
    info = graph.ca(ca_id)
    return info.label if info else ca_id[:16]


def step_dict(graph: TrustGraph, edge: Edge, rules: PathRules) -> dict[str, Any]:
    """One certificate of a path, with its revocation (and any caveat about its date)."""
    step = {
        "certificate": edge.certificate,
        "kind": edge.kind,
        "issuer": _ca_ref(graph, edge.issuer_ca),
        "subject": _ca_ref(graph, edge.subject_ca),
        "not_before": edge.not_before,
        "not_after": edge.not_after,
        "self_issued": edge.self_issued,
    }
    revocation = rules.revocations.get(edge.certificate)
    if revocation is not None:
        step["revocation"] = revocation.as_dict()
        caveat = rules.revocations.caveat(edge.certificate, rules.at)
        if caveat:
            step["caveat"] = caveat
    return step


def path_dict(graph: TrustGraph, path: ChainPath, rules: PathRules) -> dict[str, Any]:
    return {
        "anchor": {**_ca_ref(graph, path.anchor_ca), "certificate": path.anchor_certificate},
        "length": path.length,
        "weakest_edge": path.weakest_edge,
        "certificates": path.certificates,
        "steps": [step_dict(graph, edge, rules) for edge in path.edges],
    }


def path_route(graph: TrustGraph, path: ChainPath) -> str:
    return join_route(
        [_label(graph, path.anchor_ca), *(_label(graph, e.subject_ca) for e in path.edges)]
    )


def chains_view(result: ChainsResult, graph: TrustGraph, provenance: dict[str, Any]) -> View:
    parameters = {
        **result.parameters(),
        "target": result.target.as_dict(),
        "anchors": result.anchors.as_dict(),
    }
    document = envelope(
        "chains",
        parameters,
        provenance,
        {
            "paths": [path_dict(graph, p, result.rules) for p in result.paths],
            "count": len(result.paths),
            "truncated": bool(result.truncated),
            "truncation": result.truncated,
        },
    )
    table = Tabular(
        f"Paths to {result.target.description} at {result.rules.at[:10]} "
        f"({len(result.paths)} from {len(result.anchors)} anchors)",
        ["#", "anchor", "length", "weakest edge", "route", "certificates"],
    )
    for number, path in enumerate(result.paths, start=1):
        table.rows.append(
            [
                number,
                _label(graph, path.anchor_ca),
                path.length,
                path.weakest_edge,
                path_route(graph, path),
                " ".join(short(fp) for fp in path.certificates),
            ]
        )
    table.notes.extend(f"truncated ({bound}): {why}" for bound, why in result.truncated.items())
    return document, table


def reach_view(result: ReachResult, graph: TrustGraph, provenance: dict[str, Any]) -> View:
    parameters = {
        **result.parameters(),
        "target": result.target.as_dict(),
        "anchors": result.anchors.as_dict(),
    }
    reached = [{**r.as_dict(), "subject": _ca_ref(graph, r.ca)["subject"]} for r in result.reached]
    document = envelope(
        "reach",
        parameters,
        provenance,
        {
            "anchors": reached,
            "count": len(reached),
        },
    )
    table = Tabular(
        f"Anchors reaching {result.target.description} at {result.rules.at[:10]} "
        f"({len(reached)} of {len(result.anchors)})",
        ["anchor", "shortest path", "best weakest edge", "anchor certificate"],
        [
            [_label(graph, r.ca), r.shortest, r.best_kind, short(r.certificate)]
            for r in result.reached
        ],
    )
    return document, table


def load_view(report: LoadReport, parameters: dict[str, Any], provenance: dict[str, Any]) -> View:
    document = envelope("load", parameters, provenance, report.as_dict())
    table = Tabular(
        f"Loaded {report.loaded} new certificates of {report.found} found "
        f"({report.duplicates} duplicates, {len(report.skipped)} skipped) in "
        f"{report.seconds:.1f} s",
        ["count", "value"],
        [[name, value] for name, value in report.totals.items()],
    )
    table.rows.extend([f"edges decided now: {kind}", n] for kind, n in sorted(report.edges.items()))
    table.notes.extend(f"skipped {i.location}: {i.reason}" for i in report.skipped)
    table.notes.extend(f"note {i.location}: {i.reason}" for i in report.notes)
    invalid = [w for w in report.warnings if w.kind == "signature-invalid"]
    table.notes.extend(f"no edge {i.location}: {i.reason}" for i in invalid)
    if not report.reconciles:
        table.notes.append("counts do not reconcile: please report this as a bug")
    return document, table


def cross_signs_view(
    items: list[CrossSignedCA],
    graph: TrustGraph,
    parameters: dict[str, Any],
    provenance: dict[str, Any],
) -> View:
    document = envelope(
        "cross-signs",
        parameters,
        provenance,
        {
            "cross_signed_cas": [item.as_dict(graph) for item in items],
            "count": len(items),
        },
    )
    table = Tabular(
        f"Cross-signed CAs ({len(items)})",
        [
            "CA",
            "root",
            "issuers",
            "cross-certificate",
            "issued by",
            "relation",
            "scope",
            "valid to",
        ],
    )
    for item in items:
        for cross in item.cross_certificates:
            table.rows.append(
                [
                    _label(graph, item.ca),
                    "yes" if item.is_root else "no",
                    len(item.issuers),
                    short(cross.edge.certificate),
                    _label(graph, cross.edge.issuer_ca),
                    cross.relation,
                    cross.scope,
                    (cross.edge.not_after or "")[:10],
                ]
            )
    table.notes.append("scope is judged by the O= attribute of the subjects (a guess)")
    return document, table


def demo_lines(document: dict[str, Any]) -> list[str]:
    """The demo's story as plain text lines (from its JSON document, so both agree)."""

    def label(item: dict[str, Any]) -> str:
        operator = (item.get("operator") or {}).get("owner")
        return f"{item['label']} [{operator}]" if operator else item["label"]

    lines = [
        "trustgraph demo: WoSign and StartCom, 2016 (facts and sources: data/wosign-2016)",
        f"database: {document['database']}  edges: "
        + ", ".join(
            f"{k.removeprefix('edges_')} {v}" for k, v in sorted(document["edges"].items())
        ),
        f"map: {document['map']} (open it in any browser, offline)",
        f"owner under study: {document['owner']}"
        + (
            f"; certificate bytes from {document['mirror']}"
            if document["mirror"]
            else "; certificates of the case known by metadata only (declared edges)"
        ),
    ]
    for day in document["dates"]:
        snapshot = day["snapshot"]
        lines += [
            "",
            f"{day['at'][:10]}: store mozilla as of {snapshot['as_of'][:10]} "
            f"({snapshot['description']}), {day['anchors']} anchors; WoSign's own roots "
            f"in it: {len(day['wosign_roots_in_store'])}",
        ]
        lines.append("  ways into CAs WoSign operates, from other anchors:")
        lines += _way_lines(day["ways_in"]) or ["    none"]
        lines.append("  CAs named WoSign but operated by others, reachable from the store:")
        lines += _way_lines(day["ways_into_lookalikes"]) or ["    none"]
        reachable = day["reachable_without_wosign_roots"]
        total = len(reachable) + len(day["unreachable_without_wosign_roots"])
        via = sorted({label(a) for item in reachable for a in item["anchors"]})
        lines.append(
            f"  with WoSign's roots distrusted, {len(reachable)} of {total} WoSign CAs "
            f"stay reachable" + (f", through {', '.join(via)}" if via else "")
        )
    lines += ["", "when each way in closes (from the store's history, revocations and expiry):"]
    for fingerprint, intervals in document["entry_certificate_timelines"].items():
        for interval in intervals:
            closed = "; ".join(e["detail"] for e in interval["closed_by"]) or "still open"
            until = (interval["until"] or "")[:10] or "open"
            lines.append(
                f"  {fingerprint[:16]} {interval['issuer']} -> {interval['subject']}: "
                f"reachable {interval['from'][:10]} to {until} ({closed})"
            )
    return lines


def _way_lines(ways: list[dict[str, Any]]) -> list[str]:
    seen = set()
    lines = []
    for way in ways:
        key = (way["anchor"]["ca"], way["entry_certificate"])
        if key in seen:
            continue
        seen.add(key)
        operator = (way["entered"].get("operator") or {}).get("owner")
        lines.append(
            f"    {way['anchor']['label']} -> {way['entered']['label']}"
            + (f" [{operator}]" if operator else "")
            + f" via {way['entry_certificate'][:16]} issued by {way['entry_issuer']['label']} "
            f"({way['edge_kind']}, valid to {(way['entry_not_after'] or '?')[:10]})"
        )
    return lines


def records_view(report: RecordsReport, provenance: dict[str, Any]) -> View:
    document = envelope("load-records", {"path": report.path}, provenance, report.as_dict())
    table = Tabular(
        f"CCADB records {report.path}: {report.rows} rows",
        ["count", "value"],
        [
            ["declared (no certificate bytes)", report.declared],
            ["certificate already loaded", report.already_loaded],
            ["revoked (date unknown)", report.revoked],
            ["operator facts", report.operators],
            ["problems", len(report.problems)],
        ],
    )
    table.notes.extend(f"{p['location']}: {p['reason']}" for p in report.problems)
    return document, table


def timeline_view(result: TimelineResult, graph: TrustGraph, provenance: dict[str, Any]) -> View:
    intervals = [
        {
            "from": interval.start,
            "until": interval.end,
            "opened_by": [e.as_dict() for e in interval.opened_by],
            "closed_by": [e.as_dict() for e in interval.closed_by],
            "stretches": [
                {
                    "from": s.start,
                    "until": s.end,
                    "anchors": [_ca_ref(graph, ca) for ca in s.anchors],
                }
                for s in interval.stretches
            ],
        }
        for interval in result.intervals
    ]
    parameters = {
        **result.rules.as_dict(),
        "target": result.target.as_dict(),
        "store": result.store,
    }
    document = envelope(
        "timeline",
        parameters,
        provenance,
        {"intervals": intervals, "count": len(intervals), "evaluated_times": result.evaluated},
    )
    table = Tabular(
        f"When {result.target.description} is reachable from {result.store}",
        ["from", "until", "anchors", "opened by", "closed by"],
    )
    for interval in result.intervals:
        anchors = sorted({_label(graph, ca) for s in interval.stretches for ca in s.anchors})
        table.rows.append(
            [
                interval.start[:10],
                (interval.end or "")[:10] or "still open",
                ", ".join(anchors),
                "; ".join(e.detail for e in interval.opened_by),
                "; ".join(
                    e.detail + (f" {e.certificate[:12]}" if e.certificate else "")
                    for e in interval.closed_by
                ),
            ]
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


def store_list_view(
    snapshots: list[Snapshot], counts: dict[int, int], provenance: dict[str, Any]
) -> View:
    items = [{**s.as_dict(), "anchors": counts.get(s.id, 0)} for s in snapshots]
    document = envelope("store-list", {}, provenance, {"snapshots": items})
    table = Tabular(
        "Trust-store snapshots",
        ["store", "as of", "anchors", "kind", "source"],
        [
            [s.store, s.as_of[:10], counts.get(s.id, 0), s.source_kind, s.source_path]
            for s in snapshots
        ],
    )
    return document, table


def store_diff_view(result: StoreDiff, provenance: dict[str, Any]) -> View:
    document = envelope("store-diff", {"store": result.store}, provenance, result.as_dict())
    table = Tabular(
        f"Store {result.store}: {result.first.as_of[:10]} -> "
        f"{result.second.as_of[:10]} ({len(result.added)} added, "
        f"{len(result.removed)} removed)",
        ["change", "anchor", "certificates"],
    )
    for change, items in (("added", result.added), ("removed", result.removed)):
        table.rows.extend(
            [change, item["subject"], " ".join(short(c) for c in item["certificates"])]
            for item in items
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


def _operator(result: ImpactResult, ca: str) -> str | None:
    operator = result.owners.operator(ca)
    return operator.owner if operator else None


def _ca_with_owner(result: ImpactResult, ca: str) -> dict[str, Any]:
    operator = result.owners.operator(ca)
    return {
        **_ca_ref(result.graph, ca),
        "label": _label(result.graph, ca),
        "operator": operator.as_dict() if operator else None,
    }


def _bypass_dict(result: ImpactResult, way: ImpactWayIn) -> dict[str, Any]:
    edge = way.bypass
    revocation = result.rules.revocations.get(edge.certificate)
    item = {
        "anchor": _ca_with_owner(result, way.path.anchor_ca),
        "entered": _ca_with_owner(result, edge.subject_ca),
        "bypass_certificate": edge.certificate,
        "bypass_issuer": _ca_with_owner(result, edge.issuer_ca),
        "bypass_kind": edge.kind,
        "bypass_not_after": edge.not_after,
        "bypass_revocation": revocation.as_dict() if revocation else None,
        "path": path_dict(result.graph, way.path, result.rules),
    }
    if result.horizon is not None:
        item["closes"] = {"at": way.closes[0], "reason": way.closes[1]} if way.closes else None
    return item


def impact_document(result: ImpactResult, provenance: dict[str, Any]) -> dict[str, Any]:
    parameters = {
        **result.rules.as_dict(),
        "store": result.store,
        "at": result.at,
        "horizon": result.horizon,
        "scenario": result.scenario.as_dict(),
        "snapshot": result.snapshot.as_dict(),
        "owners_distrusted": result.owners_distrusted,
    }
    watched = [
        {
            **_ca_with_owner(result, item.ca),
            "status": item.status,
            "anchors_before": sorted(item.before),
            "anchors_after": sorted(item.after),
            "surviving_paths": [path_dict(result.graph, p, result.rules) for p in item.paths],
            "more_paths": item.more_paths,
        }
        for item in result.watched
    ]
    return envelope(
        "impact",
        parameters,
        provenance,
        {
            "anchors": {
                "before": len(result.anchors_before),
                "after": len(result.anchors_after),
                "removed": [_ca_with_owner(result, ca) for ca in result.removed],
            },
            "counts": {
                "watched": len(result.watched),
                "lost": result.count(LOST),
                "survive": result.count(SURVIVES),
                "not_reachable_before": result.count(UNREACHED),
            },
            "watched": watched,
            "ways_in": [_bypass_dict(result, way) for way in result.ways_in],
            "ways_in_truncated": result.ways_truncated,
            "only_way_in": {anchor: cas for anchor, cas in result.only_way_in.items()},
            "directly_trusted_watched_anchors": result.directly_trusted,
            "suggested_revocations": result.cut,
            "suggested_revocations_close_everything": result.cut_verified,
        },
    )


def impact_view(result: ImpactResult, provenance: dict[str, Any]) -> View:
    document = impact_document(result, provenance)
    columns = [
        "anchor",
        "bypass certificate",
        "issued by",
        "issuer operator",
        "enters",
        "kind",
        "expires",
        "revocation",
    ]
    if result.horizon:
        columns.append(f"closes by {result.horizon[:10]}")
    table = Tabular(
        f"Impact on {result.store} at {result.at[:10]}: {result.count(SURVIVES)} of "
        f"{len(result.watched)} watched CAs stay reachable, {result.count(LOST)} lose every "
        f"path",
        columns,
    )
    for way in result.ways_in:
        table.rows.append(_way_row(result, way))
    table.notes.append(
        f"anchors removed: {len(result.removed)} "
        f"({', '.join(_label(result.graph, ca) for ca in result.removed)})"
    )
    if result.directly_trusted:
        table.notes.append(
            "watched CAs that stay anchors themselves: "
            + ", ".join(_label(result.graph, ca) for ca in result.directly_trusted)
        )
    for anchor, cas in result.only_way_in.items():
        table.notes.append(f"only way in for {len(cas)} CA(s): {_label(result.graph, anchor)}")
    if result.cut:
        table.notes.append(
            "revoking these closes every way in: "
            + " ".join(f"--revoke-cert {fp}" for fp in result.cut)
        )
    for bound, why in result.ways_truncated.items():
        table.notes.append(f"ways in truncated ({bound}): {why}")
    return document, table


def _way_row(result: ImpactResult, way: ImpactWayIn) -> list[Any]:
    edge = way.bypass
    revocation = result.rules.revocations.get(edge.certificate)
    row: list[Any] = [
        _label(result.graph, way.path.anchor_ca),
        edge.certificate,
        _label(result.graph, edge.issuer_ca),
        _operator(result, edge.issuer_ca) or "",
        _label(result.graph, edge.subject_ca),
        edge.kind,
        (edge.not_after or "")[:10],
        (revocation.effective[:10] if revocation else ""),
    ]
    if result.horizon:
        row.append(f"{way.closes[0][:10]}: {way.closes[1]}" if way.closes else "open")
    return row


def impact_markdown(result: ImpactResult) -> str:
    """A short report to paste into a bug."""
    scenario = result.scenario
    items = (
        [f"distrust everything operated by **{o}**" for o in scenario.distrust_owners]
        + [f"distrust root `{r}`" for r in scenario.distrust_roots]
        + [f"revoke `{c}`" for c in scenario.revoke_certs]
        + [f"apply distrust rules from `{p}`" for p in scenario.rule_files]
    )
    lines = [
        f"## Distrust impact on `{result.store}` at {result.at[:10]}",
        "",
        f"Snapshot of {result.snapshot.as_of[:10]} ({result.snapshot.source_path}). Scenario: "
        + "; ".join(items)
        + ".",
        "",
        f"* organisations distrusted: {', '.join(result.owners_distrusted) or 'none'}",
        f"* anchors: {len(result.anchors_before)} before, {len(result.anchors_after)} after "
        f"({len(result.removed)} removed)",
        f"* watched CAs: {len(result.watched)}; **{result.count(SURVIVES)} stay reachable**, "
        f"{result.count(LOST)} lose every path, {result.count(UNREACHED)} were not reachable",
        "",
    ]
    _view, table = impact_view(result, {})
    rows = Tabular("Surviving ways in", table.columns, table.rows)
    lines.append(to_markdown(rows, heading_level=3))
    if result.cut:
        verdict = (
            "re-running with them leaves no way in"
            if result.cut_verified
            else "some ways in remain (see the JSON)"
        )
        lines += [
            "### Revocations that close every way in",
            "",
            f"{len(result.cut)} certificate(s); {verdict}:",
            "",
            "```",
        ]
        lines += [f"--revoke-cert {fp}" for fp in result.cut] + ["```", ""]
    if result.directly_trusted:
        lines.append(
            "Watched CAs that are still anchors (no revocation closes them): "
            + ", ".join(_label(result.graph, ca) for ca in result.directly_trusted)
        )
    return "\n".join(lines).rstrip() + "\n"


def serials_view(groups: list[SerialGroup], scope: str, provenance: dict[str, Any]) -> View:
    by_name = [g for g in groups if g.grouping == "issuer-name"]
    by_ca = [g for g in groups if g.grouping == "issuing-ca"]
    document = envelope(
        "serials",
        {"scope": scope},
        provenance,
        {
            "by_issuer_name": [g.as_dict() for g in by_name],
            "by_issuing_ca": [g.as_dict() for g in by_ca],
            "counts": {"by_issuer_name": len(by_name), "by_issuing_ca": len(by_ca)},
        },
    )
    table = Tabular(
        f"Reused serial numbers: {len(by_name)} groups by issuer name, {len(by_ca)} by issuing CA",
        ["grouping", "issuer", "serial", "severity", "certificates", "what differs", "subjects"],
    )
    for group in groups:
        differences = (
            "; ".join(
                f"{name}: "
                + " | ".join(", ".join(v) if isinstance(v, list) else str(v) for v in values)
                for name, values in group.differences.items()
            )
            or "nothing but the signature"
        )
        table.rows.append(
            [
                group.grouping,
                group.issuer,
                group.serial,
                group.severity,
                " ".join(m.sha256 for m in group.members),
                differences,
                " | ".join(sorted({m.values["subject"] for m in group.members})),
            ]
        )
    table.notes.append(
        "same issuer name and serial with different content violates RFC 5280 "
        "4.1.2.2; different-keys groups are the most severe"
    )
    return document, table


def check_view(report: CheckReport, fail_on: str, provenance: dict[str, Any]) -> View:
    document = envelope(
        "check",
        {"only": [c.name for c in report.checks], "since": report.since, "fail_on": fail_on},
        provenance,
        report.as_dict(),
    )
    table = Tabular(
        f"{len(report.findings)} findings over {report.certificates} certificates",
        ["check", "severity", "certificates", "subject", "issuer", "finding"],
    )
    for finding in report.findings:
        table.rows.append(
            [
                finding.check,
                finding.severity,
                " ".join(finding.certificates),
                finding.subject or "",
                finding.issuer or "",
                finding.message,
            ]
        )
    for info in report.checks:
        counts = report.counts()[info.name]
        table.notes.append(
            f"{info.name}: "
            + (", ".join(f"{n} {s}" for s, n in counts.items()) or "no findings")
            + f" ({info.rule})"
        )
    return document, table


def check_markdown(report: CheckReport) -> str:
    lines = [
        f"## trustgraph check: {len(report.findings)} findings over "
        f"{report.certificates} certificates",
        "",
    ]
    for info in report.checks:
        findings = [f for f in report.findings if f.check == info.name]
        lines += [
            f"### {info.name} ({len(findings)})",
            "",
            info.description,
            "",
            f"Rule: {info.rule}.",
            "",
        ]
        table = Tabular(
            info.name,
            ["severity", "certificates", "subject", "finding"],
            [
                [f.severity, " ".join(c[:16] for c in f.certificates), f.subject or "", f.message]
                for f in findings
            ],
        )
        lines.append(to_markdown(table, heading_level=4).split("\n", 2)[2])
    return "\n".join(lines).rstrip() + "\n"
