"""Reused serial numbers and the incident checks."""

from __future__ import annotations

from typing import Any

from trustgraph.analysis.checks import CheckReport
from trustgraph.analysis.serials import SerialGroup
from trustgraph.render.common import View
from trustgraph.render.formats import Tabular, envelope, to_markdown


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
