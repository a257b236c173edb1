"""Times as trustgraph stores and compares them: ISO 8601 text in UTC with a ``Z``, to the
second, so that string order is time order."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from trustgraph.errors import UsageError

When = datetime | date | str | None
"""A query time as callers give it: an aware or naive datetime (naive: UTC), a date
(midnight UTC), an ISO string, or None for now."""


def iso(moment: datetime | None) -> str | None:
    """The database's text form of a time: ISO 8601 in UTC with a ``Z``, to the second."""
    if moment is None:
        return None
    m = moment.astimezone(UTC)
    return f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}Z"


def as_iso(moment: When) -> str:
    """A query time in the database's ISO form; None means now, a bare date midnight UTC.

    Raises:
        UsageError: a string that is not a date.
    """
    if moment is None:
        moment = datetime.now(UTC)
    elif isinstance(moment, date) and not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day, tzinfo=UTC)
    elif isinstance(moment, str):
        try:
            moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
        except ValueError as exc:
            raise UsageError(f"{moment!r} is not a date such as 2016-06-01") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return iso(moment) or ""
    except OverflowError as exc:
        raise UsageError(f"{moment.isoformat()} is out of range once in UTC") from exc


def parse_iso(text: str | None) -> datetime | None:
    """The inverse of :func:`iso`."""
    if text is None:
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def one_second_after(moment: str) -> str:
    """One second after ``moment``: a certificate is valid through its notAfter."""
    parsed = parse_iso(moment)
    assert parsed is not None
    return iso(parsed + timedelta(seconds=1)) or moment


def day_of(moment: str) -> str:
    """Midnight (UTC) of the day of ``moment``."""
    return f"{moment[:10]}T00:00:00Z"


def first_day_from(moment: str) -> str:
    """Midnight of the first day that starts at or after ``moment``: from that day on, a
    question asked at midnight sees what happened at ``moment``."""
    if moment[10:] in ("", "T00:00:00Z"):
        return day_of(moment)
    parsed = parse_iso(day_of(moment))
    assert parsed is not None
    return iso(parsed + timedelta(days=1)) or moment
