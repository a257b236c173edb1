"""Distrust impact: a JSON document, a report for people (a one-screen summary, then the
details: surviving ways in, the watched CAs that stay reachable, the collateral, the watched
CAs that lose every path, the anchors removed) and a Markdown report to paste into a bug."""

from __future__ import annotations

from collections import Counter
from typing import Any

from trustgraph.analysis.caveats import (
    REVOCATION_DATE_UNKNOWN,
    Caveat,
    anchor_caveats,
    dicts,
    operator_caveats,
    path_caveats,
    texts,
)
from trustgraph.analysis.chains import ChainPath
from trustgraph.analysis.impact import (
    COLLATERAL,
    LOST,
    SURVIVES,
    UNREACHED,
    Collateral,
    ImpactResult,
    Watched,
)
from trustgraph.analysis.impact import WayIn as ImpactWayIn
from trustgraph.core.text import markdown_text
from trustgraph.render.common import View, ca_ref
from trustgraph.render.formats import (
    Report,
    Tabular,
    envelope,
    join_route,
    report_markdown,
    to_markdown,
)
from trustgraph.render.leaves import impact_leaves_dict, impact_leaves_table
from trustgraph.render.paths import path_dict, path_route

LISTED_ANCHORS = 3
"""Removed anchors the summary names (the details list them all)."""
LISTED_OPERATORS = 5
"""Collateral operators the summary names, most CAs first."""


def _operator_name(result: ImpactResult, ca: str) -> str:
    operator = result.owners.operator_at(ca, result.at)
    return operator.owner if operator else "(unknown)"


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


def _ca_caveats(result: ImpactResult, ca: str) -> list[Caveat]:
    return operator_caveats(ca, result.graph.label(ca), result.owners.operator_at(ca, result.at))


def _watched_caveats(result: ImpactResult, item: Watched) -> list[Caveat]:
    found = _ca_caveats(result, item.ca)
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


def _lost_dict(result: ImpactResult, ca: str, before: dict[str, Any]) -> dict[str, Any]:
    """A CA that loses every path: who operates it, what reached it before and how."""
    path = result.paths_before.get(ca)
    info = result.graph.ca(ca)
    return {
        **_ca_with_owner(result, ca),
        "organization": info.organization if info else None,
        "anchors_before": sorted(before),
        "path_before": path_dict(result.graph, path, result.rules) if path else None,
        "caveats": dicts(_ca_caveats(result, ca)),
    }


def collateral_by_operator(result: ImpactResult) -> list[tuple[str, list[Collateral]]]:
    """The collateral grouped by operator at the date: most CAs first, then by name."""
    groups: dict[str, list[Collateral]] = {}
    for item in result.collateral:
        groups.setdefault(_operator_name(result, item.ca), []).append(item)
    return sorted(groups.items(), key=lambda pair: (-len(pair[1]), pair[0]))


def counts(result: ImpactResult) -> dict[str, Any]:
    """The answer's counts, and whether they add up: the watched CAs split into those that
    stay reachable, lose every path and were not reachable before; every CA that loses
    every path is watched or collateral."""
    watched, lost, survive, unreached = (
        len(result.watched),
        result.count(LOST),
        result.count(SURVIVES),
        result.count(UNREACHED),
    )
    collateral = len(result.collateral)
    everything = len(result.lost_cas)
    reconciled = watched == lost + survive + unreached and everything == lost + collateral
    return {
        "watched": watched,
        "lost": lost,
        "survive": survive,
        "not_reachable_before": unreached,
        "survive_only_through_unknown_revocations": _uncertain(result),
        "collateral": collateral,
        "lose_every_path": everything,
        "reconciled": reconciled,
        "reconciliation": (
            f"{watched} watched = {survive} stay reachable + {lost} lose every path + "
            f"{unreached} not reachable before; {everything} lose every path = {lost} watched "
            f"+ {collateral} collateral"
        ),
    }


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
            "counts": counts(result),
            "watched": watched,
            "lost": [
                _lost_dict(result, item.ca, item.before)
                for item in result.watched
                if item.status == LOST
            ],
            "collateral": [_lost_dict(result, item.ca, item.before) for item in result.collateral],
            "collateral_by_operator": [
                {"operator": name, "count": len(items), "cas": [item.ca for item in items]}
                for name, items in collateral_by_operator(result)
            ],
            "ways_in": [_bypass_dict(result, way) for way in result.ways_in],
            "ways_in_truncated": result.ways_truncated,
            "only_way_in": {anchor: cas for anchor, cas in result.only_way_in.items()},
            "directly_trusted_watched_anchors": result.directly_trusted,
            "suggested_revocations": result.cut,
            "suggested_revocations_close_everything": result.cut_verified,
            "leaves": impact_leaves_dict(result),
            "caveats": dicts(_answer_caveats(result)),
        },
    )


def _answer_caveats(result: ImpactResult) -> list[Caveat]:
    """What holds for the whole answer: the store snapshot's caveats, then the scenario's."""
    return [*anchor_caveats(result.anchors_before), *result.caveats]


def scenario_text(result: ImpactResult) -> str:
    """The scenario in words, with the organisations an owner's distrust reaches."""
    scenario = result.scenario
    items = (
        [f"distrust everything operated by {owner}" for owner in scenario.distrust_owners]
        + [f"distrust root {root}" for root in scenario.distrust_roots]
        + [f"revoke {fingerprint}" for fingerprint in scenario.revoke_certs]
        + [f"apply distrust rules from {path}" for path in scenario.rule_files]
    )
    text = "; ".join(items)
    if result.owners_distrusted:
        text += f" (organisations: {', '.join(result.owners_distrusted)})"
    return text


def _many(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _named(labels: list[str], most: int) -> str:
    shown = ", ".join(labels[:most])
    return shown + (f" and {len(labels) - most} more" if len(labels) > most else "")


def summary_rows(result: ImpactResult) -> list[list[str]]:
    """The summary as (measure, value) rows: short enough for one screen."""
    numbers = counts(result)
    removed = sorted(result.graph.label(ca) for ca in result.removed)
    groups = collateral_by_operator(result)
    operators = ", ".join(f"{name} {len(items)}" for name, items in groups[:LISTED_OPERATORS])
    if len(groups) > LISTED_OPERATORS:
        operators += f" and {len(groups) - LISTED_OPERATORS} more"
    anchors_in = sorted({result.graph.label(way.path.anchor_ca) for way in result.ways_in})
    rows = [
        ["scenario", scenario_text(result)],
        [
            "snapshot",
            f"{result.store} of {result.snapshot.as_of[:10]}: {len(result.anchors_before)} "
            f"anchors before, {len(result.anchors_after)} after",
        ],
        [
            "anchors removed",
            f"{len(removed)}: {_named(removed, LISTED_ANCHORS)}" if removed else "none",
        ],
        [
            "lose every path",
            f"{numbers['lose_every_path']} CAs: {numbers['lost']} watched, "
            f"{numbers['collateral']} collateral",
        ],
        [
            "watched CAs",
            f"{numbers['watched']}: {numbers['survive']} stay reachable, {numbers['lost']} "
            f"lose every path, {numbers['not_reachable_before']} not reachable before",
        ],
        [
            "collateral",
            f"{numbers['collateral']} CAs of {len(groups)} operators: {operators}"
            if groups
            else "none (no CA outside the watched ones loses every path)",
        ],
        [
            "surviving ways in",
            f"{_many(len(result.ways_in), 'certificate')} from "
            f"{_many(len(anchors_in), 'anchor')}: "
            f"{_named(anchors_in, LISTED_ANCHORS)}"
            if result.ways_in
            else "none",
        ],
        [
            "counts",
            ("reconcile: " if numbers["reconciled"] else "DO NOT reconcile: ")
            + numbers["reconciliation"],
        ],
    ]
    if result.cut:
        rows.append(["closing revocations", f"{len(result.cut)} certificates (listed below)"])
    return rows


def impact_view(result: ImpactResult, provenance: dict[str, Any]) -> View:
    document = impact_document(result, provenance)
    summary = Tabular(
        f"Impact on {result.store} at {result.at[:10]}: {len(result.lost_cas)} CAs lose every "
        f"path ({result.count(LOST)} watched, {len(result.collateral)} collateral); "
        f"{result.count(SURVIVES)} of {len(result.watched)} watched CAs stay reachable",
        ["measure", "value"],
        summary_rows(result),
        section="summary",
    )
    parts = [summary, *detail_parts(result)]
    return document, Report(
        [part for part in parts if part.rows or part is summary],
        _report_notes(result),
        texts(_answer_caveats(result)),
    )


def detail_parts(result: ImpactResult) -> list[Tabular]:
    """The tables after the summary (an empty one is left out by the report)."""
    return [
        _ways_table(result),
        _surviving_table(result),
        _lost_table(
            result,
            "Collateral: CAs outside the watched ones that lose every path",
            COLLATERAL,
            [(item.ca, item.before) for item in result.collateral],
        ),
        _lost_table(
            result,
            "Watched CAs that lose every path",
            LOST,
            [(item.ca, item.before) for item in result.watched if item.status == LOST],
        ),
        _removed_table(result),
        impact_leaves_table(result),
    ]


def _ways_table(result: ImpactResult) -> Tabular:
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
    table = Tabular("Surviving ways in", columns, section="way in")
    for way in result.ways_in:
        table.add(_way_row(result, way), texts(_way_caveats(result, way)))
    for bound, why in result.ways_truncated.items():
        table.notes.append(f"ways in truncated ({bound}): {why}")
    return table


def _surviving_table(result: ImpactResult) -> Tabular:
    table = Tabular(
        "Watched CAs that stay reachable",
        ["CA", "operator", "anchors after", "first path"],
        section="stays reachable",
    )
    for item in result.watched:
        if item.status != SURVIVES:
            continue
        table.add(
            [
                result.graph.label(item.ca),
                _operator_name(result, item.ca),
                str(len(item.after)),
                path_route(result.graph, item.paths[0]) if item.paths else "",
            ],
            texts(_watched_caveats(result, item)),
        )
    return table


def _lost_table(
    result: ImpactResult, title: str, section: str, items: list[tuple[str, dict[str, Any]]]
) -> Tabular:
    """CAs that lose every path, grouped by operator (most CAs first), with the way each
    used to be reached."""
    table = Tabular(
        title, ["operator", "CA", "anchors before", "reached before through"], section=section
    )
    by_operator = Counter(_operator_name(result, ca) for ca, _before in items)
    ordered = sorted(
        items,
        key=lambda pair: (
            -by_operator[_operator_name(result, pair[0])],
            _operator_name(result, pair[0]),
            result.graph.label(pair[0]),
            pair[0],
        ),
    )
    for ca, before in ordered:
        path = result.paths_before.get(ca)
        table.add(
            [
                _operator_name(result, ca),
                result.graph.label(ca),
                str(len(before)),
                _route_above(result, path) if path else "(beyond the search bounds)",
            ],
            texts(_ca_caveats(result, ca)),
        )
    return table


def _route_above(result: ImpactResult, path: ChainPath) -> str:
    """The CAs of ``path`` above its last one, anchor first."""
    if not path.edges:
        return "(an anchor itself)"
    return join_route(
        [
            result.graph.label(path.anchor_ca),
            *(result.graph.label(e.issuer_ca) for e in path.edges[1:]),
        ]
    )


def _removed_table(result: ImpactResult) -> Tabular:
    table = Tabular("Anchors removed", ["anchor", "operator", "CA id"], section="anchor removed")
    for ca in sorted(result.removed, key=lambda c: (result.graph.label(c), c)):
        table.add([result.graph.label(ca), _operator_name(result, ca), ca])
    return table


def _report_notes(result: ImpactResult) -> list[str]:
    """What else holds for the whole answer (its caveats are shared, apart)."""
    notes = []
    if _uncertain(result):
        notes.append(
            f"{_uncertain(result)} of the {result.count(SURVIVES)} CAs that stay reachable do so "
            "only through certificates revoked at an unknown date (see the JSON)"
        )
    if not result.removed:
        notes.append(
            "anchors removed: none (no anchor of the store is operated by the distrusted "
            "organisations at that date, or named)"
        )
    if result.directly_trusted:
        notes.append(
            "watched CAs that stay anchors themselves: "
            + ", ".join(result.graph.label(ca) for ca in result.directly_trusted)
        )
    for anchor, cas in result.only_way_in.items():
        notes.append(f"only way in for {len(cas)} CA(s): {result.graph.label(anchor)}")
    if result.cut:
        notes.append(
            "revoking these closes every way in: "
            + " ".join(f"--revoke-cert {fp}" for fp in result.cut)
        )
    return notes


def _uncertain(result: ImpactResult) -> int:
    return sum(1 for item in result.watched if item.uncertain)


def _way_row(result: ImpactResult, way: ImpactWayIn) -> list[Any]:
    edge = way.bypass
    revocation = result.rules.revocations.get(edge.certificate)
    row: list[Any] = [
        result.graph.label(way.path.anchor_ca),
        edge.certificate,
        result.graph.label(edge.issuer_ca),
        _operator_name(result, edge.issuer_ca),
        result.graph.label(edge.subject_ca),
        edge.kind,
        (edge.not_after or "")[:10],
        revocation.describe() if revocation else "",
    ]
    if result.horizon:
        row.append(f"{way.closes[0][:10]}: {way.closes[1]}" if way.closes else "open")
    return row


def impact_markdown(answers: list[tuple[str, ImpactResult | None, str | None]]) -> str:
    """A report to paste into a bug: with several stores, a summary row per store first;
    then each store's answer (see :func:`store_markdown`)."""
    reports = [store_markdown(result) for _store, result, _why in answers if result]
    if len(answers) == 1:
        return "".join(reports)
    summary = _stores_summary(answers)
    return "\n".join([to_markdown(summary, heading_level=2), *reports])


def store_markdown(result: ImpactResult) -> str:
    """One store's answer to paste into a bug: the summary in words, then the details."""
    md = markdown_text
    numbers = counts(result)
    lines = [
        f"## Distrust impact on {md(result.store)} at {result.at[:10]}",
        "",
        f"Snapshot of {result.snapshot.as_of[:10]} ({md(result.snapshot.source_path)}). "
        f"Scenario: {md(scenario_text(result))}.",
        "",
        f"* anchors: {len(result.anchors_before)} before, {len(result.anchors_after)} after "
        f"({len(result.removed)} removed)",
        f"* **{numbers['lose_every_path']} CAs lose every path**: {numbers['lost']} watched, "
        f"{numbers['collateral']} collateral (operated by others)",
        f"* watched CAs: {len(result.watched)}; **{result.count(SURVIVES)} stay reachable**, "
        f"{result.count(LOST)} lose every path, {result.count(UNREACHED)} were not reachable",
    ]
    groups = collateral_by_operator(result)
    if groups:
        lines.append(
            "* collateral by operator: "
            + ", ".join(f"{md(name)} {len(items)}" for name, items in groups)
        )
    lines.append(
        f"* counts {'reconcile' if numbers['reconciled'] else 'DO NOT reconcile'}: "
        + numbers["reconciliation"]
    )
    uncertain = _uncertain(result)
    if uncertain:
        lines.append(
            f"* of the CAs that stay reachable, {uncertain} do so only through certificates "
            "revoked at an unknown date"
        )
    lines += [f"* caveat: {md(caveat.text)}" for caveat in _answer_caveats(result)]
    lines.append("")
    details = [part for part in detail_parts(result) if part.rows or part.title.startswith("Surv")]
    lines.append(report_markdown(Report(details)).rstrip() + "\n")
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


def impact_stores_view(
    answers: list[tuple[str, ImpactResult | None, str | None]],
    parameters: dict[str, Any],
    provenance: dict[str, Any],
) -> View:
    """Impact in several stores: one summary row per store, then each store's details."""
    summary = _stores_summary(answers)
    parts: list[Tabular] = []
    stores: list[dict[str, Any]] = []
    notes: list[str] = []
    for store, result, why in answers:
        if result is None:
            stores.append({"store": store, "answered": False, "why": why})
            continue
        document = impact_document(result, provenance)
        stores.append(
            {"store": store, "answered": True}
            | {k: v for k, v in document.items() if k not in _HEADER}
        )
        for part in detail_parts(result):
            if part.rows:
                parts.append(
                    Tabular(
                        f"{store}: {part.title}",
                        part.columns,
                        part.rows,
                        [f"{store}: {n}" for n in part.all_notes()],
                        part.caveats,
                        f"{store}: {part.section}",
                    )
                )
        notes.extend(f"{store}: {note}" for note in _report_notes(result))
    document = envelope("impact-stores", parameters, provenance, {"stores": stores})
    return document, Report([summary, *parts], notes)


def _stores_summary(answers: list[tuple[str, ImpactResult | None, str | None]]) -> Tabular:
    """One row per store: its snapshot and counts, or why it cannot answer."""
    summary = Tabular(
        "Impact, store by store",
        [
            "store",
            "snapshot",
            "anchors removed",
            "lose every path",
            "collateral",
            "watched stay reachable",
            "ways in",
        ],
        section="summary",
    )
    for store, result, why in answers:
        if result is None:
            summary.add([store, why or "", "", "", "", "", ""])
            continue
        summary.add(
            [
                store,
                result.snapshot.as_of[:10],
                str(len(result.removed)),
                str(len(result.lost_cas)),
                str(len(result.collateral)),
                f"{result.count(SURVIVES)} of {len(result.watched)}",
                str(len(result.ways_in)),
            ],
            texts(_answer_caveats(result)),
        )
    return summary


_HEADER = ("schema", "trustgraph", "query", "provenance")
