"""Subscriber certificates valid for longer than the Baseline Requirements allowed."""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import datetime

from trustgraph.analysis.checks.base import HIGH, CertRow, CheckInfo, Finding
from trustgraph.analysis.checks.scope import TLS
from trustgraph.core.times import parse_iso

DAY = 86400.0
# (effective from, description, limit in seconds or months)
LIMITS = (
    ("2020-09-01T00:00:00Z", "398 days (BR 6.3.2, from 2020-09-01)", 398 * DAY, None),
    ("2018-03-01T00:00:00Z", "825 days (BR 6.3.2, from 2018-03-01)", 825 * DAY, None),
    ("2015-04-01T00:00:00Z", "39 months (BR 6.3.2, from 2015-04-01)", None, 39),
)


def add_months(moment: datetime, months: int) -> datetime:
    month = moment.month - 1 + months
    year = moment.year + month // 12
    month = month % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


class ValidityTooLong:
    info = CheckInfo(
        "validity-too-long",
        "Subscriber certificates whose validity exceeds the maximum in force when they were "
        "issued: 39 months from 2015-04-01, 825 days from 2018-03-01, 398 days from "
        "2020-09-01. CA certificates are out of scope.",
        "CA/B Forum Baseline Requirements 6.3.2 (and its earlier versions)",
        HIGH,
        TLS,
    )

    def run(self, rows: list[CertRow]) -> Iterator[Finding]:
        for row in rows:
            if not row.is_subscriber:
                continue
            limit = next((item for item in LIMITS if row.not_before >= item[0]), None)
            if limit is None:
                continue
            _effective, text, seconds, months = limit
            start, end = parse_iso(row.not_before), parse_iso(row.not_after)
            assert start is not None and end is not None
            if months is not None:
                allowed = add_months(start, months)
                over = (end - allowed).total_seconds()
            else:
                assert seconds is not None
                over = row.validity_seconds() - seconds
            if over > 0:
                days = row.validity_seconds() / DAY
                yield Finding(
                    "validity-too-long",
                    HIGH,
                    f"valid {days:.0f} days, more than {text}",
                    [row.sha256],
                    row.subject,
                    row.issuer,
                    {
                        "not_before": row.not_before,
                        "not_after": row.not_after,
                        "validity_days": round(days, 1),
                        "limit": text,
                    },
                )
