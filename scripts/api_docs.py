"""Write ``docs/api.md``, the reference of trustgraph's library API, from the docstrings and
signatures of ``trustgraph.api`` (``--check``: compare instead, exit 1 when it is stale).
A test runs ``--check``, so the page always says what the code does."""

from __future__ import annotations

import argparse
import inspect
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from trustgraph import api

DOCS = Path(__file__).resolve().parents[1] / "docs" / "api.md"
INTRODUCTION = """\
# trustgraph library API

Generated from the docstrings of `trustgraph.api` by `python scripts/api_docs.py`; do not
edit by hand. Every function takes a database first (`DatabaseLike`): an open
`trustgraph.Database` (`trustgraph.Database(path, readonly=True)` opens one; use it as a
context manager, and pass it to run many calls on one connection), or the path of one, which
the call opens for itself (read-only, except `load` and `anchors_from_files`).
`chains`, `reach`, `timeline`, `impact`, `load`, `cross_signs`, `serials`, `check` and
`stores` are also importable from `trustgraph` itself; `graph` only from `trustgraph.api`
(`trustgraph.graph` is the package of the graph model). Results are dataclasses with
`as_dict()`; kinds are `trustgraph.EdgeKind`, severities `trustgraph.Severity`, purposes
`trustgraph.Purpose` (string enums); dates are ISO 8601 text in UTC.
"""


def _public() -> list[tuple[str, Callable[..., Any]]]:
    return [
        (name, member)
        for name, member in inspect.getmembers(api, inspect.isfunction)
        if not name.startswith("_") and member.__module__ == api.__name__
    ]


def render() -> str:
    """The page's Markdown."""
    parts = [INTRODUCTION]
    for name, function in sorted(_public()):
        signature = str(inspect.signature(function)).replace("'", "")
        doc = inspect.getdoc(function) or "(no description)"
        parts.append(f"\n## `{name}`\n\n```python\n{name}{signature}\n```\n\n{doc}\n")
    return "".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    text = render()
    if parser.parse_args().check:
        if not DOCS.exists() or DOCS.read_text(encoding="utf-8") != text:
            print(f"{DOCS} is stale: run python scripts/api_docs.py", file=sys.stderr)
            return 1
        return 0
    DOCS.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
