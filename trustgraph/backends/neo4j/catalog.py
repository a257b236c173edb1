"""The named query catalog in ``queries/``: one Cypher file per query with a header.

Header lines are ``// key: value`` (name, description, parameters, returns) before the first
line of Cypher.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from trustgraph.core.resources import queries_dir
from trustgraph.errors import UsageError


@dataclass(frozen=True)
class CatalogQuery:
    name: str
    description: str
    parameters: str
    returns: str
    text: str
    path: Path

    @property
    def parameter_names(self) -> list[str]:
        """The parameters the header names (``anchors, at (ISO time), ...``)."""
        bare = re.sub(r"\([^)]*\)", "", self.parameters)
        return [item.strip() for item in bare.split(",") if item.strip() not in ("", "none")]

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "parameters": self.parameters,
            "returns": self.returns,
        }


def parse_query(path: Path) -> CatalogQuery:
    """One catalog file.

    Raises:
        UsageError: the header has no name, or the name differs from the file name.
    """
    header: dict[str, str] = {}
    body: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not body and stripped.startswith("//"):
            key, _, value = stripped[2:].partition(":")
            header[key.strip()] = value.strip()
        elif stripped or body:
            body.append(line)
    name = header.get("name", "")
    if name != path.stem:
        raise UsageError(f"{path}: header name {name!r} must match the file name")
    return CatalogQuery(
        name,
        header.get("description", ""),
        header.get("parameters", ""),
        header.get("returns", ""),
        "\n".join(body).strip(),
        path,
    )


@cache
def catalog() -> dict[str, CatalogQuery]:
    """Every query of the catalog, by name."""
    return {q.name: q for q in map(parse_query, sorted(queries_dir().glob("*.cypher")))}


def query(name: str) -> CatalogQuery:
    """The catalog query ``name``.

    Raises:
        UsageError: no such query.
    """
    queries = catalog()
    if name not in queries:
        raise UsageError(f"no catalog query {name!r}; the catalog: {', '.join(sorted(queries))}")
    return queries[name]
