"""Result objects as JSON documents and as tables (the CLI only picks a format)."""

from __future__ import annotations

from typing import Any

from trustgraph.chains import ChainPath, ChainsResult
from trustgraph.crosssigns import CrossSignedCA
from trustgraph.graph import Edge, TrustGraph
from trustgraph.loader import LoadReport
from trustgraph.output import Tabular, envelope, join_route, short
from trustgraph.reach import ReachResult

View = tuple[dict[str, Any], Tabular]


def _ca_ref(graph: TrustGraph, ca_id: str) -> dict[str, Any]:
    info = graph.ca(ca_id)
    return {"ca": ca_id, "subject": info.subject if info else None}


def _label(graph: TrustGraph, ca_id: str) -> str:
    info = graph.ca(ca_id)
    return info.label if info else ca_id[:16]


def step_dict(graph: TrustGraph, edge: Edge) -> dict[str, Any]:
    return {
        "certificate": edge.certificate,
        "kind": edge.kind,
        "issuer": _ca_ref(graph, edge.issuer_ca),
        "subject": _ca_ref(graph, edge.subject_ca),
        "not_before": edge.not_before,
        "not_after": edge.not_after,
        "self_issued": edge.self_issued,
    }


def path_dict(graph: TrustGraph, path: ChainPath) -> dict[str, Any]:
    return {
        "anchor": {**_ca_ref(graph, path.anchor_ca), "certificate": path.anchor_certificate},
        "length": path.length,
        "weakest_edge": path.weakest_edge,
        "certificates": path.certificates,
        "steps": [step_dict(graph, edge) for edge in path.edges],
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
            "paths": [path_dict(graph, p) for p in result.paths],
            "count": len(result.paths),
            "truncated": bool(result.truncated),
            "truncation": result.truncated,
            "search": {"expansions": result.expansions, "seconds": round(result.seconds, 4)},
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
            "search": {"labels": result.labels, "seconds": round(result.seconds, 4)},
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
