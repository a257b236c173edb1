"""Settings of the property tests (Hypothesis) in one place.

In the ordinary run (and CI) every property test is derandomized: the same examples each
time, so no run is red by luck; every failure a property test ever found is pinned beside it
as an ``@example``. ``pytest -m fuzz`` runs the same tests (all marked ``fuzz``) with random
examples, :data:`LONG_FACTOR` times as many, to look for new failures.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, settings

LONG_FACTOR = 25
"""How many times more examples ``pytest -m fuzz`` tries."""

_mode = {"long": False}

F = TypeVar("F", bound=Callable[..., Any])


def long_runs(on: bool) -> None:
    """Called once by the test configuration: whether this run searches at length."""
    _mode["long"] = on


def fuzz(examples: int) -> Callable[[F], F]:
    """Mark a property test and give it ``examples`` examples, derandomized (see the
    module's docstring)."""

    def decorate(test: F) -> F:
        chosen = settings(
            max_examples=examples * (LONG_FACTOR if _mode["long"] else 1),
            derandomize=not _mode["long"],
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
            database=None,
        )
        return pytest.mark.fuzz(chosen(test))  # type: ignore[no-any-return]

    return decorate
