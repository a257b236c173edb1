"""Coverage of trust stores: the time each snapshot stands for, the gaps, staleness."""

from __future__ import annotations

import pytest

from trustgraph.core.records import Snapshot
from trustgraph.policy.coverage import (
    MAX_AGE_DAYS,
    NEXT_SNAPSHOT,
    SUPERSEDED,
    TOO_OLD,
    coverage,
    staleness,
)


def _snapshot(as_of: str, superseded: str | None = None) -> Snapshot:
    return Snapshot(0, "s", f"{as_of}T00:00:00Z", "pem", "x.pem", None, None, "day", superseded)


def _t(day: str) -> str:
    return f"{day}T00:00:00Z"


CASES = [
    # (snapshots as (date, superseded), expected spans as (end, why), expected gaps)
    ([("2020-01-01", None)], [("2021-02-04", TOO_OLD)], [("2021-02-04", None)]),
    (
        [("2020-01-01", None), ("2021-02-04", None)],
        [("2021-02-04", NEXT_SNAPSHOT), ("2022-03-11", TOO_OLD)],
        [("2022-03-11", None)],
    ),
    (
        [("2020-01-01", None), ("2021-02-05", None)],
        [("2021-02-04", TOO_OLD), ("2022-03-12", TOO_OLD)],
        [("2021-02-04", "2021-02-05"), ("2022-03-12", None)],
    ),
    (
        [("2020-01-01", "2020-09-01"), ("2020-10-01", None)],
        [("2020-09-01", SUPERSEDED), ("2021-11-05", TOO_OLD)],
        [("2020-09-01", "2020-10-01"), ("2021-11-05", None)],
    ),
    (
        [("2020-01-01", "2022-01-01")],
        [("2021-02-04", TOO_OLD)],
        [("2021-02-04", None)],
    ),
]


@pytest.mark.parametrize(("snapshots", "spans", "gaps"), CASES)
def test_spans_and_gaps(
    snapshots: list[tuple[str, str | None]],
    spans: list[tuple[str, str]],
    gaps: list[tuple[str, str | None]],
) -> None:
    found = coverage("s", [_snapshot(d, _t(s) if s else None) for d, s in reversed(snapshots)])
    assert [(span.end, span.ends) for span in found.spans] == [(_t(e), w) for e, w in spans]
    assert [(gap.start, gap.end) for gap in found.gaps] == [
        (_t(s), _t(e) if e else None) for s, e in gaps
    ]
    assert [span.start for span in found.spans] == sorted(_t(d) for d, _s in snapshots)


def test_a_snapshot_is_stale_from_its_limit_on() -> None:
    snapshot = _snapshot("2016-09-27")
    assert staleness(snapshot, _t("2017-10-31")) is None
    stale = staleness(snapshot, _t("2017-11-01"))
    assert stale is not None and stale.reason == TOO_OLD
    assert stale.age_days == MAX_AGE_DAYS
    later = staleness(snapshot, _t("2024-01-01"))
    assert later is not None and later.age_days == 2652
    assert "2016-09-27" in later.describe() and "2652 days" in later.describe()


def test_a_known_newer_release_makes_a_snapshot_stale_sooner() -> None:
    snapshot = _snapshot("2016-09-27", _t("2017-03-01"))
    assert staleness(snapshot, _t("2017-02-28")) is None
    stale = staleness(snapshot, _t("2017-03-01"))
    assert stale is not None and stale.reason == SUPERSEDED
    assert "replaced by a newer release from 2017-03-01" in stale.describe()
