"""Backdated notBefore: a certificate cannot predate the SCTs embedded in it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from trustgraph.analysis.checks.base import HIGH, MEDIUM, CertRow, CheckInfo, Finding
from trustgraph.analysis.checks.scope import TLS
from trustgraph.analysis.checks.sha1 import MUST_NOT_FROM
from trustgraph.core.times import iso, parse_iso

TOLERANCE = timedelta(hours=24)


class BackdatedNotBefore:
    info = CheckInfo(
        "backdated-notbefore",
        "Certificates whose embedded SCTs are timestamped more than 24 hours after their "
        "notBefore: the certificate was signed after its SCTs existed, so notBefore was set "
        "in the past. High when the backdating moved a SHA-1 certificate before the "
        "2016-01-01 deadline.",
        "Mozilla Problematic Practices (backdating to avoid a deadline); RFC 6962 section 3.3",
        MEDIUM,
        TLS,
    )

    def __init__(self, tolerance: timedelta = TOLERANCE) -> None:
        self.tolerance = tolerance

    def run(self, rows: list[CertRow]) -> Iterator[Finding]:
        for row in rows:
            if "1.3.6.1.4.1.11129.2.4.2" not in row.details.extensions:
                continue
            stamps = row.details.sct_timestamps
            if not stamps:
                continue
            earliest = min(stamps)
            not_before = parse_iso(row.not_before)
            assert not_before is not None
            gap = earliest - not_before
            if gap <= self.tolerance:
                continue
            earliest_iso = iso(earliest) or ""
            dodged = (
                row.sig_hash == "sha1"
                and row.not_before < MUST_NOT_FROM
                and earliest_iso >= MUST_NOT_FROM
            )
            yield Finding(
                "backdated-notbefore",
                HIGH if dodged else MEDIUM,
                f"notBefore {row.not_before} is {gap.days} days {gap.seconds // 3600} h before "
                f"its earliest SCT ({earliest_iso})"
                + ("; a SHA-1 certificate dated before the 2016 deadline" if dodged else ""),
                [row.sha256],
                row.subject,
                row.issuer,
                {
                    "not_before": row.not_before,
                    "earliest_sct": earliest_iso,
                    "gap_hours": round(gap.total_seconds() / 3600, 1),
                    "sct_timestamps": [iso(s) for s in stamps],
                },
            )
