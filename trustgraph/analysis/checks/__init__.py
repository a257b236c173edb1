"""The check catalog: named checks of the failures in Mozilla's WoSign record, runnable over
any corpus. Each check says what it looks for, the rule it enforces (with the date it took
effect), its severity and its scope; each finding carries its evidence.

A rule of the Baseline Requirements speaks of TLS certificates only (scope ``tls``, see
:mod:`.scope`). Run in scope ``tls`` (the default), matches outside it are counted, not
reported; in scope ``all`` they are reported as ``info``, with the reason they are out of
scope, so that no time-stamping or S/MIME CA reads as a TLS violation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from trustgraph.analysis.checks.backdating import BackdatedNotBefore
from trustgraph.analysis.checks.base import (
    HIGH,
    INFO,
    MEDIUM,
    NOTICE,
    SEVERITIES,
    CertRow,
    Check,
    CheckInfo,
    Finding,
    at_least,
    certificates,
)
from trustgraph.analysis.checks.calendar_days import NonWorkingDayIssuance
from trustgraph.analysis.checks.duplicates import DuplicateExceptNotBefore
from trustgraph.analysis.checks.keys import KeyReuseAcrossNames, UnapprovedKey
from trustgraph.analysis.checks.scope import ALL, SCOPES, TLS, Scope, TlsScope
from trustgraph.analysis.checks.sha1 import Sha1AfterDeadline
from trustgraph.analysis.checks.validity import ValidityTooLong
from trustgraph.analysis.records import Records
from trustgraph.core.progress import NullProgress, Progress
from trustgraph.errors import UsageError

CATALOG: tuple[Check, ...] = (
    Sha1AfterDeadline(),
    BackdatedNotBefore(),
    ValidityTooLong(),
    UnapprovedKey(),
    KeyReuseAcrossNames(),
    DuplicateExceptNotBefore(),
    NonWorkingDayIssuance(),
)

__all__ = [
    "ALL",
    "CATALOG",
    "HIGH",
    "INFO",
    "MEDIUM",
    "NOTICE",
    "SCOPES",
    "SEVERITIES",
    "TLS",
    "CheckInfo",
    "CheckReport",
    "Finding",
    "at_least",
    "run_checks",
    "select",
]


@dataclass
class CheckReport:
    checks: list[CheckInfo]
    since: str | None
    certificates: int
    scope: str = TLS
    findings: list[Finding] = field(default_factory=list)
    out_of_scope: dict[str, int] = field(default_factory=dict)
    """Per check, the matches outside its scope (left out in scope tls, info in scope all)."""

    def counts(self) -> dict[str, dict[str, int]]:
        result: dict[str, dict[str, int]] = {info.name: {} for info in self.checks}
        for finding in self.findings:
            per = result[finding.check]
            per[finding.severity] = per.get(finding.severity, 0) + 1
        return result

    def failing(self, threshold: str) -> list[Finding]:
        return [f for f in self.findings if at_least(f.severity, threshold)]

    def as_dict(self) -> dict[str, Any]:
        return {
            "checks": [c.as_dict() for c in self.checks],
            "since": self.since,
            "certificates": self.certificates,
            "scope": self.scope,
            "counts": self.counts(),
            "out_of_scope": self.out_of_scope,
            "findings": [f.as_dict() for f in self.findings],
        }


def select(names: list[str] | None) -> list[Check]:
    """The checks named (all by default).

    Raises:
        UsageError: an unknown check name.
    """
    if not names:
        return list(CATALOG)
    known = {check.info.name: check for check in CATALOG}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise UsageError(f"unknown check(s) {', '.join(unknown)}; the catalog: {', '.join(known)}")
    return [known[n] for n in names]


def run_checks(
    records: Records,
    names: list[str] | None = None,
    since: str | None = None,
    candidates: dict[str, set[str]] | None = None,
    progress: Progress | None = None,
    scope: str = TLS,
) -> CheckReport:
    """Run the checks named (all by default) over the certificates issued since ``since``,
    judging each match against its rule's scope (``scope``: tls or all, see above).
    ``candidates`` maps a check's name to the only certificates it need judge (what a
    backend selected for it); the report still counts every certificate examined.

    Raises:
        UsageError: an unknown check name or scope.
    """
    if scope not in SCOPES:
        raise UsageError(f"scope {scope!r} is not one of {', '.join(SCOPES)}")
    progress = progress or NullProgress()
    chosen = select(names)
    rows = list(certificates(records, since))
    by_fingerprint = {row.sha256: row for row in rows}
    tls = TlsScope.from_records(records) if any(c.info.scope == TLS for c in chosen) else None
    report = CheckReport([c.info for c in chosen], since, len(rows), scope)
    progress.start("running checks", len(chosen))
    for check in chosen:
        wanted = None if candidates is None else candidates.get(check.info.name, set())
        judged = rows if wanted is None else [r for r in rows if r.sha256 in wanted]
        for finding in check.run(judged):
            if tls is not None and check.info.scope == TLS:
                finding.scope = _scope_of(finding, by_fingerprint, tls)
                if not finding.scope.tls:
                    name = check.info.name
                    report.out_of_scope[name] = report.out_of_scope.get(name, 0) + 1
                    if scope == TLS:
                        continue
                    finding.severity = INFO
                    finding.message += f" (outside TLS scope: {finding.scope.reason})"
            report.findings.append(finding)
        progress.advance(1)
    progress.finish()
    return report


def _scope_of(finding: Finding, rows: dict[str, CertRow], tls: TlsScope) -> Scope:
    """The scope of a finding: in TLS scope when one of its certificates is."""
    scopes = [
        tls.of(row.eku, row.issuer_ca, row.is_root)
        for row in (rows[fp] for fp in finding.certificates if fp in rows)
    ]
    return next(
        (s for s in scopes if s.tls),
        scopes[0] if scopes else Scope(True, "scope unknown (counted as in scope)"),
    )
