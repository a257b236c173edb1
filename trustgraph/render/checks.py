"""Reused serial numbers and the incident checks."""

from __future__ import annotations

from typing import Any

from trustgraph.analysis.checks import CATALOG, TLS, CheckInfo, CheckReport, Finding
from trustgraph.analysis.serials import SerialGroup
from trustgraph.core.text import markdown_text
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


def _finding_caveats(finding: Finding) -> list[str]:
    """A caveat when a finding's TLS scope was judged without its issuer."""
    if finding.scope is not None and finding.scope.tls and "not loaded" in finding.scope.reason:
        return [f"TLS scope judged by the certificate alone: {finding.scope.reason}"]
    return []


def _scope_note(report: CheckReport, info: CheckInfo, with_rule: bool = True) -> str:
    """What a check found, its scope, what it left out (and its rule)."""
    counts = report.counts()[info.name]
    found = ", ".join(f"{n} {s}" for s, n in counts.items()) or "no findings"
    outside = report.out_of_scope.get(info.name, 0)
    if outside and report.scope == TLS:
        found += f"; {outside} outside TLS scope left out (--scope all lists them)"
    elif outside:
        found += f" ({outside} of them outside TLS scope, as info)"
    return f"{info.name} [scope {info.scope}]: {found}" + (f" ({info.rule})" if with_rule else "")


def check_view(report: CheckReport, fail_on: str, provenance: dict[str, Any]) -> View:
    document = envelope(
        "check",
        {
            "only": [c.name for c in report.checks],
            "since": report.since,
            "fail_on": fail_on,
            "scope": report.scope,
        },
        provenance,
        report.as_dict(),
    )
    table = Tabular(
        f"{len(report.findings)} findings over {report.certificates} certificates "
        f"(scope {report.scope})",
        ["check", "severity", "certificates", "subject", "issuer", "finding"],
    )
    for finding in report.findings:
        table.add(
            [
                finding.check,
                finding.severity,
                " ".join(finding.certificates),
                finding.subject or "",
                finding.issuer or "",
                finding.message,
            ],
            _finding_caveats(finding),
        )
    table.notes.extend(_scope_note(report, info) for info in report.checks)
    return document, table


def check_markdown(report: CheckReport) -> str:
    lines = [
        f"## trustgraph check: {len(report.findings)} findings over "
        f"{report.certificates} certificates (scope {report.scope})",
        "",
    ]
    for info in report.checks:
        findings = [f for f in report.findings if f.check == info.name]
        lines += [
            f"### {info.name} ({len(findings)})",
            "",
            info.description,
            "",
            f"Rule: {info.rule}. Scope: {info.scope}.",
            "",
            markdown_text(_scope_note(report, info, with_rule=False)),
            "",
        ]
        table = Tabular(info.name, ["severity", "certificates", "subject", "finding"])
        for f in findings:
            table.add(
                [f.severity, " ".join(f.certificates), f.subject or "", f.message],
                _finding_caveats(f),
            )
        lines.append(to_markdown(table, heading_level=4).split("\n", 2)[2])
    return "\n".join(lines).rstrip() + "\n"


def catalog_view(scope_help: str) -> View:
    """The check catalog: each check's severity, scope, rule (its source) and description."""
    document = envelope(
        "check-catalog",
        {},
        {},
        {"checks": [check.info.as_dict() for check in CATALOG], "scopes": scope_help},
    )
    table = Tabular(
        "The check catalog",
        ["check", "severity", "scope", "rule (source)", "looks for"],
        notes=[scope_help],
    )
    for check in CATALOG:
        info = check.info
        table.add([info.name, info.severity, info.scope, info.rule, info.description])
    return document, table
