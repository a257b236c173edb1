"""Issuance on days that were not working days where the issuer is."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import date
from zoneinfo import ZoneInfo

import chinese_calendar

from trustgraph.analysis.checks.base import NOTICE, CertRow, CheckInfo, Finding
from trustgraph.analysis.checks.scope import ALL
from trustgraph.core.times import parse_iso

CLUSTER = 10
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
ZONES = {"CN": ZoneInfo("Asia/Shanghai")}


def working_day(country: str | None, day: date) -> tuple[bool, str]:
    """Whether ``day`` was a working day in ``country``, and on what basis. For China, the
    official holidays and make-up working days (chinese-calendar); elsewhere, Monday to
    Friday."""
    if country == "CN":
        try:
            if chinese_calendar.is_workday(day):
                return True, "working day in China"
            return False, "holiday or rest day in China"
        except NotImplementedError:
            pass  # chinese-calendar covers 2004 to about now; outside it, weekdays decide
    if day.weekday() >= 5:
        return False, f"{WEEKDAYS[day.weekday()]} (weekend)"
    return True, "weekday"


class NonWorkingDayIssuance:
    info = CheckInfo(
        "non-working-day-issuance",
        f"Per issuer, notBefore dates (in the issuer's country's time zone) that fall on days "
        f"that were not working days there, where {CLUSTER} or more certificates cluster: "
        "circumstantial evidence that notBefore was not the issuance date. China's official "
        "holidays and make-up working days are honoured.",
        "Mozilla's WoSign record (certificates dated Sunday 2015-12-20); review aid",
        NOTICE,
        ALL,
        (("cluster", CLUSTER),),
    )

    def run(self, rows: list[CertRow]) -> Iterator[Finding]:
        by_issuer: dict[str, list[CertRow]] = {}
        for row in rows:
            by_issuer.setdefault(row.issuer_ca or row.issuer_key, []).append(row)
        for members in by_issuer.values():
            yield from self._issuer(members)

    def _issuer(self, members: list[CertRow]) -> Iterator[Finding]:
        country = country_of(members[0].issuer_key)
        zone = ZONES.get(country or "")
        days: Counter[date] = Counter(_local_date(row.not_before, zone) for row in members)
        histogram = Counter(WEEKDAYS[day.weekday()] for day in days.elements())
        for day, count in sorted(days.items()):
            if count < CLUSTER:
                continue
            working, basis = working_day(country, day)
            if working:
                continue
            certificates = sorted(
                r.sha256 for r in members if _local_date(r.not_before, zone) == day
            )
            yield Finding(
                "non-working-day-issuance",
                NOTICE,
                f"{count} certificates dated {day.isoformat()}, {basis}",
                certificates,
                None,
                members[0].issuer,
                {
                    "date": day.isoformat(),
                    "count": count,
                    "country": country,
                    "basis": basis,
                    "weekday_histogram": {d: histogram.get(d, 0) for d in WEEKDAYS},
                },
            )


def _local_date(text: str, zone: ZoneInfo | None) -> date:
    moment = parse_iso(text)
    assert moment is not None
    return (moment.astimezone(zone) if zone else moment).date()


def country_of(issuer_key: str) -> str | None:
    """The C= of an issuer name key, upper case."""
    for rdn in json.loads(issuer_key):
        for oid, value in rdn:
            if oid == "2.5.4.6":
                return str(value).upper()
    return None


def local_issuance_date(not_before: str | None, issuer_key: str) -> str | None:
    """notBefore as a date in the issuer's country's time zone (UTC where unknown)."""
    if not not_before:
        return None
    return _local_date(not_before, ZONES.get(country_of(issuer_key) or "")).isoformat()
