"""Owners: relation files read, the organisations known, and one organisation's history."""

from __future__ import annotations

from typing import Any

from trustgraph.analysis.owners import OwnerHistory, OwnerSummary
from trustgraph.ingest.owners import RelationsReport
from trustgraph.render.common import View, counts_table
from trustgraph.render.formats import Tabular, envelope


def relations_view(report: RelationsReport, provenance: dict[str, Any]) -> View:
    document = envelope("owners-load", {"path": report.path}, provenance, report.as_dict())
    table = counts_table(
        f"Owner relations from {report.path}: {report.recorded} recorded of {report.rows} rows",
        [
            ("rows", report.rows),
            ("recorded", report.recorded),
            ("an organisation related to itself (nothing to record)", report.same_organisation),
            ("unusable rows", len(report.problems)),
        ],
        report.problems,
    )
    if report.unchanged:
        table.notes.append("unchanged: this file was read before; nothing was added")
    return document, table


def owners_view(owners: list[OwnerSummary], provenance: dict[str, Any]) -> View:
    document = envelope(
        "owners-list",
        {},
        provenance,
        {"owners": [item.as_dict() for item in owners], "count": len(owners)},
    )
    table = Tabular(
        f"Owners ({len(owners)})",
        ["owner", "CAs operated", "on what basis", "also spelt"],
    )
    for item in owners:
        table.add(
            [
                item.name,
                item.cas,
                ", ".join(f"{basis} {n}" for basis, n in sorted(item.bases.items())),
                "; ".join(item.aliases),
            ]
        )
    table.notes.append("a guess is a subject's O= attribute with no record of who operates the CA")
    return document, table


def owner_view(history: OwnerHistory, provenance: dict[str, Any]) -> View:
    document = envelope(
        "owners-show",
        {"owner": history.name, "at": history.at},
        provenance,
        history.as_dict(),
    )
    table = Tabular(
        f"{history.name}: ownership history"
        + (f"; {len(history.cas)} CAs operated at {history.at[:10]}" if history.at else ""),
        ["relation", "from", "until", "precision", "source"],
    )
    for relation, text in history.relations:
        table.add(
            [
                text,
                (relation.start or "not recorded")[:10],
                (relation.until or "")[:10],
                relation.precision,
                relation.source,
            ]
        )
    if history.at:
        table.notes.append(
            f"owns at {history.at[:10]}: {', '.join(sorted(history.owned)) or 'nothing else'}"
        )
    return document, table
