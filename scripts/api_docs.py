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
(`trustgraph.graph` is the package of the graph model). Results are dataclasses whose
`repr` is a one-line summary; `document(result)` gives the JSON document the command line
prints (ids with subjects and labels, caveats, parameters), and `result.graph.label(ca)` a
CA's label. Path rules (the date, purpose, signature policy and depth of a question) come
from `make_rules`, a distrust scenario is a `Scenario`. Kinds are `trustgraph.EdgeKind`,
severities `trustgraph.Severity`, purposes `trustgraph.Purpose` (string enums); dates are
ISO 8601 text in UTC.

## Examples

Each example runs as a test, in order, in one session.

```python
import tempfile

from trustgraph import api

# The WoSign case of 2016, offline: a database of its certificates, stores and owners.
db = api.demo(tempfile.mkdtemp())
rules = api.make_rules("2016-10-21")
anchors = api.anchors_for(db, store="mozilla", at="2016-10-21")
reached = api.reach(db, "Certification Authority of WoSign G2", anchors=anchors, rules=rules)
print(reached)  # ReachResult('CA CN=Certification Authority of WoSign G2,...': ...)
print([reached.graph.label(anchor.ca) for anchor in reached.reached])
```

```python
# Distrust everything WoSign operated then: which CAs fall, and what still leads in.
impact = api.impact(db, "mozilla", "2016-10-21", api.Scenario(distrust_owners=["WoSign"]))
print(impact)
print(api.document(impact)["counts"]["reconciliation"])
for way in impact.ways_in:
    print(impact.graph.label(way.path.anchor_ca), "->", impact.graph.label(way.bypass.subject_ca))
```

```python
# Which clients accept the chains servers sent for WoSign G2's leaves, and the path each took.
found = api.ca_clients(
    db, "Certification Authority of WoSign G2", at="2016-10-21", clients=["openssl-1.0.2", "go"]
)
for served in found.chains:
    for answer in served.answers:
        print(served.chain.label, answer.profile.name, answer.outcome, answer.reason or "")
```
"""


EXPORTED = ("make_rules", "with_revocations", "Scenario")
"""What ``trustgraph.api`` re-exports from the layers below it, documented here too."""


def _public() -> list[tuple[str, Callable[..., Any]]]:
    own = [
        (name, member)
        for name, member in inspect.getmembers(api, inspect.isfunction)
        if not name.startswith("_") and member.__module__ == api.__name__
    ]
    return own + [(name, getattr(api, name)) for name in EXPORTED]


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
