"""A query time from whatever a caller holds: the same moment in the database's text form."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from trustgraph.core.times import When, as_iso
from trustgraph.errors import UsageError


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("2016-12-01", "2016-12-01T00:00:00Z"),
        ("2016-12-01T05:06:07Z", "2016-12-01T05:06:07Z"),
        ("2016-12-01T05:06:07+08:00", "2016-11-30T21:06:07Z"),
        (date(2016, 12, 1), "2016-12-01T00:00:00Z"),
        (datetime(2016, 12, 1, 5, 6, 7), "2016-12-01T05:06:07Z"),
        (
            datetime(2016, 12, 1, 5, 6, 7, tzinfo=timezone(timedelta(hours=-5))),
            "2016-12-01T10:06:07Z",
        ),
        (datetime(2016, 12, 1, 5, 6, 7, 999999, tzinfo=UTC), "2016-12-01T05:06:07Z"),
    ],
)
def test_a_moment_is_stored_in_utc_to_the_second(given: When, stored: str) -> None:
    assert as_iso(given) == stored


def test_text_that_is_no_date_is_refused() -> None:
    with pytest.raises(UsageError, match="is not a date"):
        as_iso("1 December 2016")
