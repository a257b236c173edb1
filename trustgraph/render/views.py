"""The view of any query result (its JSON document and its tables), found by the result's
type: what the notebook display and :func:`trustgraph.api.document` share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from trustgraph.analysis.chains import ChainsResult
from trustgraph.analysis.impact import ImpactResult
from trustgraph.analysis.reach import ReachResult
from trustgraph.analysis.timeline import TimelineResult
from trustgraph.render.common import View
from trustgraph.render.impact import impact_view
from trustgraph.render.paths import chains_view, reach_view
from trustgraph.render.timeline import timeline_view

_VIEWS: dict[type, Callable[[Any, dict[str, Any]], View]] = {
    ChainsResult: lambda r, p: chains_view(r, r.graph, p),
    ReachResult: lambda r, p: reach_view(r, r.graph, p),
    TimelineResult: lambda r, p: timeline_view(r, r.graph, p),
    ImpactResult: impact_view,
}
RESULT_TYPES = tuple(_VIEWS)
"""The query results that have a view."""


def view_of(result: Any, provenance: dict[str, Any] | None = None) -> View | None:
    """The view of a query result (None for an object that is not one)."""
    make = _VIEWS.get(type(result))
    return make(result, provenance or {}) if make else None
