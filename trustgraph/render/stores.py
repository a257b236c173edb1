"""Trust-store snapshots listed, shown and compared."""

from __future__ import annotations

from typing import Any

from trustgraph.analysis.stores import StoreDiff, StoreView
from trustgraph.core.records import Snapshot
from trustgraph.policy.coverage import MAX_AGE_DAYS, StoreCoverage
from trustgraph.render.common import View
from trustgraph.render.formats import Report, Tabular, envelope
from trustgraph.x509.keyusage import eku_name


def _day(snapshot: Snapshot) -> str:
    return snapshot.as_of[:10] + ("" if snapshot.precision == "day" else f" ({snapshot.precision})")


def store_list_view(
    snapshots: list[Snapshot], counts: dict[int, int], provenance: dict[str, Any]
) -> View:
    items = [{**s.as_dict(), "anchors": counts.get(s.id, 0)} for s in snapshots]
    document = envelope("store-list", {}, provenance, {"snapshots": items})
    table = Tabular(
        "Trust-store snapshots",
        ["store", "as of", "version", "anchors", "kind", "source"],
        [
            [s.store, _day(s), s.sequence or "", counts.get(s.id, 0), s.source_kind, s.source_path]
            for s in snapshots
        ],
    )
    if any(s.precision != "day" for s in snapshots):
        table.notes.append("dates marked (month) are release months: approximate")
    return document, table


def store_show_view(result: StoreView, provenance: dict[str, Any]) -> View:
    snapshot = result.snapshot
    params = {"store": snapshot.store, "at": result.at, "purpose": result.purpose}
    document = envelope("store-show", params, provenance, result.as_dict())
    table = Tabular(
        f"Store {snapshot.store} at {result.at[:10]}: snapshot of {_day(snapshot)}"
        + (f" ({snapshot.sequence})" if snapshot.sequence else ""),
        ["anchor", "certificate", "in force", "restrictions"],
        [
            [
                entry.subject or "",
                entry.sha256 or f"sha1:{entry.sha1}",
                "yes" if entry.in_force(result.at) else f"disabled {entry.disabled_from}",
                _restrictions(entry.as_dict(result.at)),
            ]
            for entry in result.entries
        ],
    )
    if result.staleness is not None:
        table.shared.append(result.staleness.describe())
    missing = sum(entry.ca is None for entry in result.entries)
    if missing:
        table.notes.append(
            f"{missing} entries name certificates that are not loaded: they cannot anchor "
            "paths until `trustgraph load` or `trustgraph fetch` brings them"
        )
    return document, table


def _restrictions(entry: dict[str, Any]) -> str:
    parts = []
    # ", " lets a narrow table wrap between purposes rather than inside one.
    if entry["purposes"] is not None:
        parts.append("purposes " + ", ".join(eku_name(p) for p in entry["purposes"]))
    if entry["distrust_after"]:
        scope = entry["distrust_purposes"]
        parts.append(
            f"notBefore <= {entry['distrust_after'][:10]}"
            + (f" for {', '.join(eku_name(p) for p in scope)}" if scope is not None else "")
        )
    if entry["sct_not_after"]:
        parts.append(f"SCT <= {entry['sct_not_after'][:10]}")
    if entry["disabled_from"]:
        parts.append(f"disabled from {entry['disabled_from'][:10]}")
    return "; ".join(parts)


def store_diff_view(result: StoreDiff, provenance: dict[str, Any]) -> View:
    params = {"from": result.first.store, "to": result.second.store, "at": result.at}
    document = envelope("store-diff", params, provenance, result.as_dict())
    changes = result.changes()
    table = Tabular(
        f"{result.title} ({', '.join(f'{len(items)} {what}' for what, items in changes)})",
        ["change", "anchor", "certificates"],
    )
    for change, items in changes:
        table.rows.extend(
            [change, item["subject"], " ".join(item["certificates"])] for item in items
        )
    return document, table


def store_coverage_view(
    coverages: list[StoreCoverage], today: str, provenance: dict[str, Any]
) -> View:
    """Per store: the time its snapshots cover and the gaps up to ``today`` (a summary row
    each), then the time each snapshot stands for, the gaps in their place."""
    rule = (
        f"a snapshot stands for its store until the next one, for at most {MAX_AGE_DAYS} days, "
        "and not past a newer release known to have replaced it"
    )
    document = envelope(
        "store-coverage",
        {"max_age_days": MAX_AGE_DAYS, "rule": rule, "today": today},
        provenance,
        {"stores": [item.as_dict() for item in coverages]},
    )
    summary = Tabular(
        "Trust-store coverage",
        ["store", "snapshots", "covered from", "covered until", "gaps"],
        section="summary",
    )
    spans = Tabular(
        "What each snapshot stands for",
        ["store", "snapshot", "version", "stands for it until", "ends by"],
        section="span",
    )
    for item in coverages:
        gaps = [_gap_text(gap.start, gap.end, today) for gap in item.gaps if gap.start < today]
        summary.add(
            [
                item.store,
                len(item.spans),
                _day(item.spans[0].snapshot) if item.spans else "",
                item.spans[-1].end[:10] if item.spans else "",
                "; ".join(gaps) or "none",
            ]
        )
        gap_at = {gap.start: gap for gap in item.gaps}
        for span in item.spans:
            spans.add(
                [
                    item.store,
                    _day(span.snapshot),
                    span.snapshot.sequence or "",
                    span.end[:10],
                    span.ends,
                ]
            )
            gap = gap_at.get(span.end)
            if gap is not None and gap.start < today:
                spans.add([item.store, "(gap)", "", (gap.end or today)[:10], "no snapshot"])
    return document, Report([summary, spans], [f"rule: {rule}"])


def _gap_text(start: str, end: str | None, today: str) -> str:
    return f"{start[:10]} to {(end or today)[:10]}" + ("" if end else " (now)")
