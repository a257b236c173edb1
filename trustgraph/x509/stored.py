"""Certificate values as trustgraph stores them: JSON text, general names and name
constraints. Plain Python without a certificate parser, so that queries reading stored
values do not import one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

to_json = json.JSONEncoder(ensure_ascii=False).encode
"""JSON text of a value, non-ASCII kept (one encoder for every certificate: ``json.dumps``
with options builds a new one on each call)."""

GeneralName = tuple[str, str]
"""``(kind, value)``: kind is dns, email, ip, uri, dn (value: a name key) or other."""


def general_names_from_json(items: list[list[str]]) -> tuple[GeneralName, ...]:
    """General names stored as JSON lists, back as tuples."""
    return tuple((str(kind), str(value)) for kind, value in items)


@dataclass(frozen=True, slots=True)
class NameConstraints:
    permitted: tuple[GeneralName, ...] | None
    excluded: tuple[GeneralName, ...]

    def to_json(self) -> str:
        return to_json({"permitted": self.permitted, "excluded": self.excluded})

    @classmethod
    def from_json(cls, text: str) -> NameConstraints:
        data = json.loads(text)
        permitted = data["permitted"]
        return cls(
            None if permitted is None else general_names_from_json(permitted),
            general_names_from_json(data["excluded"]),
        )
