"""The check catalog: named checks of the failures in Mozilla's WoSign record, runnable over
any corpus. Each check says what it looks for, the rule it enforces (with the date it took
effect) and its severity; each finding carries its evidence."""

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
    Check,
    CheckInfo,
    Finding,
    at_least,
    certificates,
)
from trustgraph.analysis.checks.calendar_days import NonWorkingDayIssuance
from trustgraph.analysis.checks.duplicates import DuplicateExceptNotBefore
from trustgraph.analysis.checks.keys import KeyReuseAcrossNames, UnapprovedKey
from trustgraph.analysis.checks.sha1 import Sha1AfterDeadline
from trustgraph.analysis.checks.validity import ValidityTooLong
from trustgraph.core.progress import NullProgress, Progress
from trustgraph.errors import UsageError
from trustgraph.storage.database import Database

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
    "CATALOG",
    "HIGH",
    "INFO",
    "MEDIUM",
    "NOTICE",
    "SEVERITIES",
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
    findings: list[Finding] = field(default_factory=list)

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
            "counts": self.counts(),
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
    db: Database,
    names: list[str] | None = None,
    since: str | None = None,
    candidates: dict[str, set[str]] | None = None,
    progress: Progress | None = None,
) -> CheckReport:
    """Run the checks named (all by default) over the certificates issued since ``since``.
    ``candidates`` maps a check's name to the only certificates it need judge (what a
    backend selected for it); the report still counts every certificate examined.

    Raises:
        UsageError: an unknown check name.
    """
    progress = progress or NullProgress()
    chosen = select(names)
    rows = list(certificates(db, since))
    report = CheckReport([c.info for c in chosen], since, len(rows))
    progress.start("running checks", len(chosen))
    for check in chosen:
        if candidates is None:
            report.findings.extend(check.run(rows))
        else:
            wanted = candidates.get(check.info.name, set())
            report.findings.extend(check.run([r for r in rows if r.sha256 in wanted]))
        progress.advance(1)
    progress.finish()
    return report
