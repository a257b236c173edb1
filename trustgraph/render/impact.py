"""Distrust impact: a JSON document, a table, and a Markdown report to paste into a bug."""

from __future__ import annotations

from typing import Any

from trustgraph.analysis.caveats import (
    REVOCATION_DATE_UNKNOWN,
    Caveat,
    dicts,
    operator_caveats,
    path_caveats,
    texts,
)
from trustgraph.analysis.impact import LOST, SURVIVES, UNREACHED, ImpactResult, Watched
from trustgraph.analysis.impact import WayIn as ImpactWayIn
from trustgraph.core.text import markdown_text
from trustgraph.render.common import View, ca_ref
from trustgraph.render.formats import Tabular, envelope, to_markdown
from trustgraph.render.paths import path_dict


def _operator(result: ImpactResult, ca: str) -> str | None:
    operator = result.owners.operator_at(ca, result.at)
    return operator.owner if operator else None


def _ca_with_owner(result: ImpactResult, ca: str) -> dict[str, Any]:
    operator = result.owners.operator_at(ca, result.at)
    return {
        **ca_ref(result.graph, ca),
        "label": result.graph.label(ca),
        "operator": operator.as_dict() if operator else None,
    }


def _way_caveats(result: ImpactResult, way: ImpactWayIn) -> list[Caveat]:
    """The caveats of a way in: those of its path, and a guessed bypass issuer operator."""
    issuer = way.bypass.issuer_ca
    return [
        *path_caveats(way.path.edges, result.rules.revocations, result.at),
        *operator_caveats(
            issuer, result.graph.label(issuer), result.owners.operator_at(issuer, result.at)
        ),
    ]


def _watched_caveats(result: ImpactResult, item: Watched) -> list[Caveat]:
    found = operator_caveats(
        item.ca, result.graph.label(item.ca), result.owners.operator_at(item.ca, result.at)
    )
    if item.uncertain:
        found.insert(
            0,
            Caveat(
                REVOCATION_DATE_UNKNOWN,
                f"{result.graph.label(item.ca)} stays reachable only through certificates "
                "revoked at an unknown date: it may already be unreachable",
                item.ca,
            ),
        )
    return found


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
        "bypass_revocation": (
            {**revocation.as_dict(), "shown": revocation.describe()} if revocation else None
        ),
        "path": path_dict(result.graph, way.path, result.rules),
        "caveats": dicts(_way_caveats(result, way)),
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
            "caveats": dicts(_watched_caveats(result, item)),
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
                "survive_only_through_unknown_revocations": _uncertain(result),
            },
            "watched": watched,
            "ways_in": [_bypass_dict(result, way) for way in result.ways_in],
            "ways_in_truncated": result.ways_truncated,
            "only_way_in": {anchor: cas for anchor, cas in result.only_way_in.items()},
            "directly_trusted_watched_anchors": result.directly_trusted,
            "suggested_revocations": result.cut,
            "suggested_revocations_close_everything": result.cut_verified,
            "caveats": dicts(result.caveats),
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
        table.add(_way_row(result, way), texts(_way_caveats(result, way)))
    table.notes.extend(texts(result.caveats))
    if _uncertain(result):
        table.notes.append(
            f"{_uncertain(result)} of the {result.count(SURVIVES)} CAs that stay reachable do so "
            "only through certificates revoked at an unknown date (see the JSON)"
        )
    table.notes.append(
        f"anchors removed: {len(result.removed)} "
        f"({', '.join(result.graph.label(ca) for ca in result.removed)})"
        if result.removed
        else "anchors removed: none (no anchor of the store is operated by the distrusted "
        "organisations at that date, or named)"
    )
    if result.directly_trusted:
        table.notes.append(
            "watched CAs that stay anchors themselves: "
            + ", ".join(result.graph.label(ca) for ca in result.directly_trusted)
        )
    for anchor, cas in result.only_way_in.items():
        table.notes.append(f"only way in for {len(cas)} CA(s): {result.graph.label(anchor)}")
    if result.cut:
        table.notes.append(
            "revoking these closes every way in: "
            + " ".join(f"--revoke-cert {fp}" for fp in result.cut)
        )
    for bound, why in result.ways_truncated.items():
        table.notes.append(f"ways in truncated ({bound}): {why}")
    return document, table


def _uncertain(result: ImpactResult) -> int:
    return sum(1 for item in result.watched if item.uncertain)


def _way_row(result: ImpactResult, way: ImpactWayIn) -> list[Any]:
    edge = way.bypass
    revocation = result.rules.revocations.get(edge.certificate)
    row: list[Any] = [
        result.graph.label(way.path.anchor_ca),
        edge.certificate,
        result.graph.label(edge.issuer_ca),
        _operator(result, edge.issuer_ca) or "",
        result.graph.label(edge.subject_ca),
        edge.kind,
        (edge.not_after or "")[:10],
        revocation.describe() if revocation else "",
    ]
    if result.horizon:
        row.append(f"{way.closes[0][:10]}: {way.closes[1]}" if way.closes else "open")
    return row


def impact_markdown(result: ImpactResult) -> str:
    """A short report to paste into a bug."""
    scenario = result.scenario
    md = markdown_text
    items = (
        [f"distrust everything operated by **{md(o)}**" for o in scenario.distrust_owners]
        + [f"distrust root {md(r)}" for r in scenario.distrust_roots]
        + [f"revoke {md(c)}" for c in scenario.revoke_certs]
        + [f"apply distrust rules from {md(str(p))}" for p in scenario.rule_files]
    )
    lines = [
        f"## Distrust impact on {md(result.store)} at {result.at[:10]}",
        "",
        f"Snapshot of {result.snapshot.as_of[:10]} ({md(result.snapshot.source_path)}). "
        "Scenario: " + "; ".join(items) + ".",
        "",
        f"* organisations distrusted: {md(', '.join(result.owners_distrusted)) or 'none'}",
        f"* anchors: {len(result.anchors_before)} before, {len(result.anchors_after)} after "
        f"({len(result.removed)} removed)",
        f"* watched CAs: {len(result.watched)}; **{result.count(SURVIVES)} stay reachable**, "
        f"{result.count(LOST)} lose every path, {result.count(UNREACHED)} were not reachable",
        "",
    ]
    uncertain = _uncertain(result)
    if uncertain:
        lines.insert(
            -1,
            f"* of the CAs that stay reachable, {uncertain} do so only through certificates "
            "revoked at an unknown date",
        )
    for caveat in result.caveats:
        lines.insert(-1, f"* caveat: {md(caveat.text)}")
    _view, table = impact_view(result, {})
    rows = Tabular("Surviving ways in", table.columns, table.rows, caveats=table.caveats)
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
            + ", ".join(md(result.graph.label(ca)) for ca in result.directly_trusted)
        )
    return "\n".join(lines).rstrip() + "\n"
