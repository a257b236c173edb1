"""Where the shipped ``data/`` and ``queries/`` folders are.

In a wheel they are packaged as ``trustgraph/_data`` and ``trustgraph/_queries`` (see
pyproject.toml); in a source checkout they sit at the top of the repository.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1]  # the trustgraph package


def _find(packaged: str, top_level: str) -> Path:
    inside = _PACKAGE / packaged
    if inside.is_dir():
        return inside
    return _PACKAGE.parent / top_level


def data_dir() -> Path:
    """The shipped data (``data/`` of the repository)."""
    return _find("_data", "data")


def queries_dir() -> Path:
    """The named query catalog (``queries/`` of the repository)."""
    return _find("_queries", "queries")


def wosign_case() -> Path:
    """The case file of the built-in WoSign 2016 demo."""
    return data_dir() / "wosign-2016" / "case.toml"
