"""When a target is reachable from a trust store."""

from __future__ import annotations

from typing import Any

from trustgraph.analysis.caveats import (
    APPROXIMATE_DATE,
    OUTDATED_SNAPSHOT,
    REVOCATION_DATE_UNKNOWN,
    Caveat,
    dicts,
    target_caveats,
    texts,
)
from trustgraph.analysis.timeline import Interval, TimelineResult
from trustgraph.graph.trustgraph import TrustGraph
from trustgraph.policy.coverage import MAX_AGE_DAYS
from trustgraph.render.common import View, ca_ref
from trustgraph.render.formats import Tabular, envelope
from trustgraph.x509.keyusage import eku_name


def _ends_at_bound(interval: Interval) -> bool:
    """Whether the interval's end is only an upper bound (a revocation of unknown date)."""
    return any(event.bound for event in interval.closed_by)


def interval_caveats(interval: Interval, graph: TrustGraph) -> list[Caveat]:
    """What a reader must know about an interval: anchors that may have stopped reaching
    the target sooner, and an end that is only an upper bound."""
    runs: list[tuple[str, str, str | None]] = []  # (CA, from, until), consecutive merged
    for stretch in interval.stretches:
        for ca in stretch.uncertain:
            last = next((i for i, run in enumerate(runs) if run[0] == ca), None)
            if last is not None and runs[last][2] == stretch.start:
                runs[last] = (ca, runs[last][1], stretch.end)
            else:
                runs.append((ca, stretch.start, stretch.end))
    found = [
        Caveat(
            REVOCATION_DATE_UNKNOWN,
            f"from {start[:10]} to {(end or 'now')[:10]}, {graph.label(ca)} reaches the target "
            "only through certificates revoked at an unknown date: it may have stopped sooner",
            ca,
        )
        for ca, start, end in runs
    ]
    end = (interval.end or "")[:10]
    if any(e.bound and e.kind == "revoked" for e in interval.closed_by):
        found.append(
            Caveat(
                REVOCATION_DATE_UNKNOWN,
                f"the interval ends by {end} at the latest: it is closed by a revocation whose "
                "date is unknown",
            )
        )
    removals = [e for e in interval.closed_by if e.bound and e.kind == "anchor-removed"]
    if removals:
        found.append(
            Caveat(
                APPROXIMATE_DATE,
                f"the interval ends by {end} at the latest: the snapshot of that date is the "
                f"first without the anchor, the one of {(removals[0].after or '')[:10]} still "
                "had it",
            )
        )
    return found


def coverage_caveats(result: TimelineResult) -> list[Caveat]:
    """A caveat per time up to the timeline's end that no snapshot of the store stands
    for."""
    found = []
    for gap in result.gaps:
        span = (
            f"from {gap.start[:10]} to {gap.end[:10]}"
            if gap.end
            else f"from {gap.start[:10]} on (the timeline runs to {result.until[:10]})"
        )
        found.append(
            Caveat(
                OUTDATED_SNAPSHOT,
                f"{span}, no snapshot of {result.store} is recent "
                "enough to stand for it (each stands for at most "
                f"{MAX_AGE_DAYS} days): this timeline's answer then comes from an outdated "
                "snapshot",
            )
        )
    return found


def timeline_view(result: TimelineResult, graph: TrustGraph, provenance: dict[str, Any]) -> View:
    intervals = [
        {
            "from": interval.start,
            "until": interval.end,
            "until_is_upper_bound": _ends_at_bound(interval),
            "opened_by": [e.as_dict() for e in interval.opened_by],
            "closed_by": [e.as_dict() for e in interval.closed_by],
            "stretches": [
                {
                    "from": s.start,
                    "until": s.end,
                    "anchors": [ca_ref(graph, ca) for ca in s.anchors],
                    "uncertain_anchors": [ca_ref(graph, ca) for ca in s.uncertain],
                }
                for s in interval.stretches
            ],
            "caveats": dicts(interval_caveats(interval, graph)),
        }
        for interval in result.intervals
    ]
    parameters = {
        **result.rules.as_dict(),
        "target": result.target.as_dict(),
        "store": result.store,
    }
    document = envelope(
        "timeline",
        parameters,
        provenance,
        {
            "intervals": intervals,
            "count": len(intervals),
            "evaluated_times": result.evaluated,
            "store_constraints": [{**c, "ca": ca_ref(graph, c["ca"])} for c in result.constraints],
            "coverage_gaps": [gap.as_dict() for gap in result.gaps],
            "caveats": dicts([*coverage_caveats(result), *target_caveats(result.target)]),
        },
    )
    table = Tabular(
        f"When {result.target.description} is reachable from {result.store}",
        ["from", "until", "anchors", "opened by", "closed by"],
    )
    for interval in result.intervals:
        anchors = sorted({graph.label(ca) for s in interval.stretches for ca in s.anchors})
        end = (interval.end or "")[:10]
        table.add(
            [
                interval.start[:10],
                (f"by {end}" if _ends_at_bound(interval) else end) or "still open",
                ", ".join(anchors),
                "; ".join(e.detail for e in interval.opened_by),
                "; ".join(
                    e.detail + (f" {e.certificate}" if e.certificate else "")
                    for e in interval.closed_by
                ),
            ],
            texts(interval_caveats(interval, graph)),
        )
    table.notes.extend(_constraint_note(c, graph) for c in result.constraints)
    table.shared.extend(texts(coverage_caveats(result)))
    table.shared.extend(texts(target_caveats(result.target)))
    return document, table


_CONSTRAINTS = {
    "distrust-after": "certificates below it issued after {date} are not trusted{scope}",
    "sct-not-after": "end-entity certificates logged after {date} are not trusted",
    "disabled": "out of the store from {date}",
}


def _constraint_note(constraint: dict[str, Any], graph: TrustGraph) -> str:
    purposes = constraint["purposes"]
    scope = f" for {', '.join(eku_name(p) for p in purposes)}" if purposes else ""
    text = _CONSTRAINTS[constraint["kind"]].format(date=constraint["at"][:10], scope=scope)
    return f"store constraint: {graph.label(constraint['ca'])}: {text}"
