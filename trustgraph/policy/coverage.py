"""Coverage: the time each snapshot of a trust store stands for, and the gaps between.

A snapshot stands for its store from its date until the next snapshot, for at most
:data:`MAX_AGE_DAYS` days, and never past the date from which a newer release that nobody
observed is known to have replaced it (``superseded_from``). The rule for the age: every root
program whose data trustgraph reads (Mozilla/NSS, Microsoft, Apple, Chrome, Android, Java)
has changed its store at least once a year, the slowest (Apple and Android, with their yearly
OS releases) about every twelve months; a snapshot more than 400 days older than the question
has most likely been replaced. An answer from such a snapshot says so (``outdated-snapshot``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from trustgraph.core.records import Snapshot
from trustgraph.core.times import iso, parse_iso

MAX_AGE_DAYS = 400
"""The longest a snapshot stands for its store when no newer one is loaded."""

NEXT_SNAPSHOT, TOO_OLD, SUPERSEDED, OPEN = "next snapshot", "too old", "superseded", "open"


@dataclass(frozen=True)
class Span:
    """The time a snapshot stands for: from ``start`` until ``end`` (exclusive), which
    ``ends`` explains (the next snapshot, the age limit, a newer release)."""

    snapshot: Snapshot
    start: str
    end: str
    ends: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "snapshot": self.snapshot.as_dict(),
            "start": self.start,
            "end": self.end,
            "ends": self.ends,
        }


@dataclass(frozen=True)
class Gap:
    """A time no snapshot stands for: from ``start`` until ``end`` (the next snapshot's
    date; None: to this day)."""

    start: str
    end: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end}


@dataclass(frozen=True)
class StoreCoverage:
    """A store's snapshots as spans of time, and the gaps between and after them."""

    store: str
    spans: tuple[Span, ...]
    gaps: tuple[Gap, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "store": self.store,
            "first": self.spans[0].start if self.spans else None,
            "covered_until": self.spans[-1].end if self.spans else None,
            "snapshots": len(self.spans),
            "spans": [span.as_dict() for span in self.spans],
            "gaps": [gap.as_dict() for gap in self.gaps],
        }


def _plus_days(moment: str, days: int) -> str:
    parsed = parse_iso(moment)
    assert parsed is not None
    try:
        return iso(parsed + timedelta(days=days)) or moment
    except OverflowError:
        return "9999-12-31T23:59:59Z"


def stale_from(snapshot: Snapshot) -> tuple[str, str]:
    """From when ``snapshot`` no longer stands for its store even if no newer one is
    loaded, and why: a known newer release, or the age limit."""
    aged = _plus_days(snapshot.as_of, MAX_AGE_DAYS)
    if snapshot.superseded_from is not None and snapshot.superseded_from < aged:
        return snapshot.superseded_from, SUPERSEDED
    return aged, TOO_OLD


def coverage(store: str, snapshots: list[Snapshot]) -> StoreCoverage:
    """The spans and gaps of ``store`` from its snapshots (in date order)."""
    ordered = sorted(snapshots, key=lambda s: s.as_of)
    spans: list[Span] = []
    gaps: list[Gap] = []
    for index, snapshot in enumerate(ordered):
        following = ordered[index + 1] if index + 1 < len(ordered) else None
        limit, why = stale_from(snapshot)
        if following is not None and following.as_of <= limit:
            spans.append(Span(snapshot, snapshot.as_of, following.as_of, NEXT_SNAPSHOT))
            continue
        spans.append(Span(snapshot, snapshot.as_of, limit, why))
        gaps.append(Gap(limit, following.as_of if following else None))
    return StoreCoverage(store, tuple(spans), tuple(gaps))


@dataclass(frozen=True)
class Staleness:
    """Why the snapshot in force at a date may no longer be its store's: ``age_days`` old
    at the date, past its limit of ``since`` (``reason``: too old, or superseded)."""

    snapshot: Snapshot
    at: str
    age_days: int
    since: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.snapshot.as_of,
            "at": self.at,
            "age_days": self.age_days,
            "stale_since": self.since,
            "reason": self.reason,
            "max_age_days": MAX_AGE_DAYS,
        }

    def describe(self) -> str:
        """A sentence for people."""
        store, as_of = self.snapshot.store, self.snapshot.as_of[:10]
        version = f" ({self.snapshot.sequence})" if self.snapshot.sequence else ""
        if self.reason == SUPERSEDED:
            return (
                f"the snapshot of {store} in force{version}, of {as_of}, was replaced by a "
                f"newer release from {self.since[:10]} whose store nobody observed: the answer "
                "may be out of date"
            )
        return (
            f"the latest snapshot of {store} on or before {self.at[:10]} is of {as_of}{version}, "
            f"{self.age_days} days earlier: more than {MAX_AGE_DAYS} days, longer than root "
            "programs go between releases, so the store has most likely changed since (add "
            "a newer snapshot with `trustgraph store add`)"
        )


def staleness(snapshot: Snapshot, at: str) -> Staleness | None:
    """Whether ``snapshot``, the one in force at ``at``, is too old to stand for its store
    then (None when it is not)."""
    since, reason = stale_from(snapshot)
    if at < since:
        return None
    taken, asked = parse_iso(snapshot.as_of), parse_iso(at)
    assert taken is not None and asked is not None
    return Staleness(snapshot, at, (asked - taken).days, since, reason)
