"""What changed between two OneCRL lists (two Firefox releases): records by id that came,
went, started or stopped being enforced, or were otherwise modified."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from trustgraph.ingest.onecrl import OneCrlList, OneCrlRecord

CHANGES = (
    ("added", "new records (enforced)"),
    ("added_not_enforced", "new records (not enforced)"),
    ("now_enforced", "records enforced now, not before"),
    ("no_longer_enforced", "records no longer enforced"),
    ("removed", "records gone from the list"),
    ("modified", "records changed otherwise"),
)
"""Each kind of change, and what it means."""


@dataclass
class OneCrlDiff:
    """The changes from ``old`` to ``new``, by kind (see :data:`CHANGES`)."""

    old: OneCrlList
    new: OneCrlList
    changes: dict[str, list[OneCrlRecord]] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {kind: len(self.changes.get(kind, [])) for kind, _meaning in CHANGES}

    def as_dict(self) -> dict[str, Any]:
        return {
            "old": _list_dict(self.old),
            "new": _list_dict(self.new),
            "counts": self.counts(),
            **{
                kind: [record.as_dict() for record in self.changes.get(kind, [])]
                for kind, _meaning in CHANGES
            },
        }


def _list_dict(onecrl: OneCrlList) -> dict[str, Any]:
    return {
        "source": str(onecrl.path),
        "published": onecrl.published,
        "records": len(onecrl.records),
        "enforced": len(onecrl.enforced),
    }


def diff_lists(old: OneCrlList, new: OneCrlList) -> OneCrlDiff:
    """The changes from ``old`` to ``new`` (records matched by id; each list in its
    order)."""
    before = {record.ident: record for record in old.records}
    after = {record.ident: record for record in new.records}
    result = OneCrlDiff(old, new, {kind: [] for kind, _meaning in CHANGES})
    for record in new.records:
        earlier = before.get(record.ident)
        kind = _change(earlier, record)
        if kind is not None:
            result.changes[kind].append(record)
    result.changes["removed"] = [r for r in old.records if r.ident not in after]
    return result


def _change(earlier: OneCrlRecord | None, record: OneCrlRecord) -> str | None:
    if earlier is None:
        return "added" if record.enabled else "added_not_enforced"
    if earlier.enabled != record.enabled:
        return "now_enforced" if record.enabled else "no_longer_enforced"
    return None if earlier == record else "modified"
