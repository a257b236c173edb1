"""What the owner records say: every organisation with the CAs it operates, and one
organisation's ownership history with what it owned and operated at a date."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from trustgraph.graph.owners import OwnerIndex, Relation


@dataclass(frozen=True)
class OwnerSummary:
    name: str
    cas: int
    bases: dict[str, int]
    aliases: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "cas": self.cas, "bases": self.bases, "aliases": self.aliases}


@dataclass
class OwnerHistory:
    name: str
    at: str | None
    relations: list[tuple[Relation, str]] = field(default_factory=list)
    owned: set[str] = field(default_factory=set)
    cas: set[str] = field(default_factory=set)
    names: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "owner": self.name,
            "at": self.at,
            "relations": [r.as_dict(self.names) for r, _text in self.relations],
            "owns_at": sorted(self.owned) if self.at else None,
            "cas_operated_at": sorted(self.cas) if self.at else None,
        }


def summarize(index: OwnerIndex) -> list[OwnerSummary]:
    """Every organisation that operates a CA or takes part in a relation, by name."""
    cas: Counter[str] = Counter()
    bases: dict[str, Counter[str]] = {}
    for operator in index.by_ca.values():
        cas[operator.owner] += 1
        bases.setdefault(operator.owner, Counter())[operator.basis] += 1
    related = {index.names.get(k, k) for r in index.relations for k in (r.owner, r.owned)}
    aliases: dict[str, list[str]] = {}
    for alias, key in index.aliases.items():
        aliases.setdefault(index.names.get(key, key), []).append(alias)
    return [
        OwnerSummary(name, cas[name], dict(bases.get(name, {})), sorted(aliases.get(name, [])))
        for name in sorted(set(cas) | related, key=str.casefold)
    ]


def history(index: OwnerIndex, text: str, at: str | None) -> OwnerHistory:
    """The relations ``text``'s organisation takes part in, and (with ``at``) what it owned
    and operated then.

    Raises:
        TargetError: no such owner, or several.
    """
    name = index.resolve(text)
    key = index.key(name)
    result = OwnerHistory(name, at, names=index.names)
    result.relations = [
        (item, item.describe(index.names))
        for item in index.relations
        if key in (item.owner, item.owned)
    ]
    if at:
        result.owned = index.owned_at(name, at)
        result.cas = index.cas_of(result.owned, at)
    return result
