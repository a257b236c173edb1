"""What every check shares: its description, findings, and the certificates it reads."""

from __future__ import annotations

import enum
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol

from trustgraph.analysis.checks.scope import Scope
from trustgraph.analysis.records import Records
from trustgraph.core.times import parse_iso
from trustgraph.x509.details import Details, read_details


class Severity(enum.StrEnum):
    """How much a finding matters, lowest first."""

    INFO = "info"
    NOTICE = "notice"
    MEDIUM = "medium"
    HIGH = "high"


INFO, NOTICE, MEDIUM, HIGH = Severity.INFO, Severity.NOTICE, Severity.MEDIUM, Severity.HIGH
SEVERITIES = (INFO, NOTICE, MEDIUM, HIGH)


def at_least(severity: str, threshold: str) -> bool:
    return SEVERITIES.index(severity) >= SEVERITIES.index(threshold)


@dataclass(frozen=True)
class CheckInfo:
    """What a check looks for, the rule it enforces (its source), the severity of a
    finding in scope, and the scope of that rule: ``tls`` (TLS server certificates and the
    CAs that can issue them) or ``all`` certificates."""

    name: str
    description: str
    rule: str
    severity: str
    scope: str
    query_parameters: tuple[tuple[str, Any], ...] = ()
    """Besides ``since``, what the check's catalog query (``check-NAME``) takes, where a
    backend narrows the certificates to judge."""

    def as_dict(self) -> dict[str, str]:
        return {
            "name": self.name,
            "description": self.description,
            "rule": self.rule,
            "severity": self.severity,
            "scope": self.scope,
        }


@dataclass
class Finding:
    check: str
    severity: str
    message: str
    certificates: list[str] = field(default_factory=list)
    subject: str | None = None
    issuer: str | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    scope: Scope | None = None
    """Whether the finding is in its rule's TLS scope, and why (None: the rule applies to
    every certificate)."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "severity": self.severity,
            "message": self.message,
            "certificates": self.certificates,
            "subject": self.subject,
            "issuer": self.issuer,
            "evidence": self.evidence,
            "scope": self.scope.as_dict() if self.scope else None,
        }


@dataclass
class CertRow:
    """One certificate with bytes, as the checks see it."""

    sha256: str
    der: bytes
    subject: str
    issuer: str
    subject_key: str
    issuer_key: str
    serial: str | None
    not_before: str
    not_after: str
    is_ca: bool | None
    sig_hash: str | None
    key_algorithm: str | None
    key_size: int | None
    key_curve: str | None
    spki_sha256: str | None
    issuer_ca: str | None
    is_root: bool
    eku: tuple[str, ...] | None

    @property
    def is_subscriber(self) -> bool:
        """Not a CA certificate (no basicConstraints cA=TRUE)."""
        return not self.is_ca

    @cached_property
    def details(self) -> Details:
        return read_details(self.der)

    def validity_seconds(self) -> float:
        start, end = parse_iso(self.not_before), parse_iso(self.not_after)
        assert start is not None and end is not None
        return (end - start).total_seconds() + 1  # validity includes both ends (RFC 5280)


def certificates(records: Records, since: str | None = None) -> Iterator[CertRow]:
    """Every certificate with bytes (notBefore on or after ``since``, if given)."""
    for row in records.check_rows(since):
        values = list(row)
        values[9] = None if values[9] is None else bool(values[9])
        values[16] = bool(values[16])
        values[17] = None if values[17] is None else tuple(json.loads(values[17]))
        yield CertRow(*values)


class Check(Protocol):
    info: CheckInfo

    def run(self, rows: list[CertRow]) -> Iterator[Finding]: ...
