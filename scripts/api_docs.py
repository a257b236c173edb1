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
from trustgraph.session import Session

DOCS = Path(__file__).resolve().parents[1] / "docs" / "api.md"
INTRODUCTION = """\
# trustgraph library API

Generated from the docstrings of `trustgraph.api` and `trustgraph.Session` by
`python scripts/api_docs.py`; do not edit by hand.

`trustgraph.open(db)` opens a session over a database (a path, or an open
`trustgraph.Database`; read-only unless `write=True`, `create=True` makes it) on a backend
(`"memory"`, the default, or `"neo4j"`). Use it as a context manager. Every capability is a
method of the session: loading (`load`, `load_records`, `add_store`, `load_owners`,
`apply_case`, `fetch`, `add_onecrl`, `add_preloaded`, `sync_log`, `load_leaves`), trust
stores (`snapshots`, `store_show`, `store_diff`, `store_compare`, `store_coverage`), owners
(`owners`, `owner`), paths (`anchors`, `chains`, `reach`, `reach_in_stores`, `timeline`,
`impact`, `leaves`), clients (`clients`, `ca_clients`, `client_timeline`, `client_impact`),
the whole graph (`cross_signs`, `serials`, `check`, `graph`, `region`, `certificates`),
maps (`map_request`, `map_data`, `map_page`) and Neo4j (`neo4j_push`, `neo4j_bulk`,
`neo4j_status`). A session reads what its queries share (store snapshots and entries,
anchors at a date, rules, revocations, owners, the whole graph) once; a write makes it read
them again.

The module functions of `trustgraph.api` are conveniences over a session for one call:
`api.reach(db, target)` is `trustgraph.open(db).reach(target)` (`db` a path, opened for
the call, or an open `Database` to run many calls on one connection). Results are
dataclasses whose `repr` is a one-line summary; `document(result)` gives the JSON document
the command line prints (ids with subjects and labels, caveats, parameters), and
`result.graph.label(ca)` a CA's label. Path rules (the date, purpose, signature policy and
depth of a question) come from `make_rules`, a distrust scenario is a `Scenario`. Dates
are ISO 8601 text in UTC, or `datetime`/`date` objects. Errors are the classes of
`trustgraph.errors`; one about a parameter names it (`error.parameter`, `error.value`).

## Examples

Each example runs as a test, in order, in one namespace (the Neo4j one against the test
server).

```python
import tempfile
from pathlib import Path

import trustgraph
from trustgraph import api
from trustgraph.session import Session

case = api.example_data() / "wosign-2016"
db = Path(tempfile.mkdtemp()) / "wosign.db"
with trustgraph.open(db, create=True) as session:
    # A case file: the certificates, owners, Mozilla's stores and rules of WoSign's case.
    applied = session.apply_case(case / "case.toml")
    # Certificates from files, bundles or folders; the same bytes again add nothing.
    loaded = session.load([case / "mozilla" / "certifi-2016.9.26.pem"])
    print(loaded.found, "certificates read,", loaded.loaded, "new")
    # A trust store's dated snapshot, from a bundle.
    added = session.add_store("bundle", case / "mozilla" / "certifi-2016.9.26.pem", "2016-09-26")
    # Who owned whom from when: a CSV of dated relations.
    owners = db.parent / "owners.csv"
    owners.write_text(
        "subject,object,relation,from,source_note\\n"
        "StartCom,WoSign,owned_by,2015-11-01,Mozilla's WoSign record\\n"
    )
    print(session.load_owners(owners).recorded, "relation recorded")
    # Certificates known only by metadata, fetched from a mirror, the cache or crt.sh.
    fetched = session.fetch(declared=True, mirror=case / "mozilla", online=False)
    print(len(fetched.missing), "declared certificates not found offline")
```

```python
# Questions: one read-only session, its records read once for all of them.
with trustgraph.open(db) as session:
    rules = api.make_rules("2016-10-21")
    anchors = session.anchors("mozilla", "2016-10-21")
    wosign = "Certification Authority of WoSign G2"
    reached = session.reach(wosign, anchors=anchors, rules=rules)
    print(reached)  # ReachResult('CA CN=Certification Authority of WoSign G2,...': ...)
    print([reached.graph.label(anchor.ca) for anchor in reached.reached])
    paths = session.chains(wosign, anchors=anchors, rules=rules, max_paths=10)
    print(len(paths.paths), "paths, the shortest", len(paths.paths[0].certificates), "long")
    history = session.timeline(wosign, "mozilla", rules=api.make_rules("2017-12-01"))
    print([(i.start[:10], (i.end or "")[:10]) for i in history.intervals])
    impact = session.impact("mozilla", "2016-10-21", api.Scenario(distrust_owners=["WoSign"]))
    print(impact)
    print(api.document(impact)["counts"]["reconciliation"])
    for way in impact.ways_in:
        label = impact.graph.label
        print(label(way.path.anchor_ca), "->", label(way.bypass.subject_ca))
```

```python
# Trust stores, owners, the whole graph, maps.
with trustgraph.open(db) as session:
    shown = session.store_show("mozilla", "2016-10-21")
    print(shown.snapshot.as_of[:10], len(shown.entries), "entries")
    changed = session.store_diff("mozilla", "2016-01-01", "2017-12-01")
    print(len(changed.added), "anchors added,", len(changed.removed), "removed")
    print([(c.store, len(c.spans), len(c.gaps)) for c in session.store_coverage()])
    print(sorted(session.owner("WoSign", "2016-10-21").owned))
    crossed, _graph = session.cross_signs("2016-10-21")
    print(len(crossed), "CAs with two or more issuers then")
    print(len(session.serials()), "serial groups")
    print(session.check().certificates, "certificates checked")
    plain = session.graph(at="2016-10-21", store="mozilla")
    print(plain.number_of_nodes(), "CAs,", plain.number_of_edges(), "certificates usable")
    print(sum(1 for _ in session.certificates()), "certificates to export")
    page = session.map_page([wosign], at="2016-10-21", store="mozilla")
    print(page.title)
```

```python
# Which clients accept the chains servers sent for WoSign G2's leaves, and the path each took.
with trustgraph.open(db) as session:
    found = session.ca_clients(wosign, at="2016-10-21", clients=["openssl-1.0.2", "go"])
    for served in found.chains:
        for answer in served.answers:
            print(served.chain.label, answer.profile.name, answer.outcome, answer.reason or "")
```

```python
# One call, one session: the module functions, with a path.
anchors = api.anchors_for(db, store="mozilla", at="2016-10-21")
print(api.reach(db, wosign, anchors=anchors, rules=api.make_rules("2016-10-21")))
```

```python
# Neo4j (NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD): push the database, then ask it there.
with trustgraph.open(db, write=True) as session:
    print(session.neo4j_push().counts["certificates"], "certificates pushed")
with trustgraph.open(db, backend="neo4j") as session:
    print(session.reach(wosign, anchors=session.anchors("mozilla", "2016-10-21"), rules=rules))
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


def _methods() -> list[tuple[str, Callable[..., Any]]]:
    return [
        (name, member)
        for name, member in inspect.getmembers(Session, inspect.isfunction)
        if not name.startswith("_")
    ]


def _entry(level: str, name: str, function: Callable[..., Any]) -> str:
    signature = str(inspect.signature(function)).replace("'", "")
    doc = inspect.getdoc(function) or "(no description)"
    return f"\n{level} `{name}`\n\n```python\n{name}{signature}\n```\n\n{doc}\n"


def render() -> str:
    """The page's Markdown."""
    parts = [INTRODUCTION, "\n## The session\n\n", inspect.getdoc(Session) or "", "\n"]
    parts += [_entry("###", f"Session.{name}", method) for name, method in _methods()]
    parts.append("\n## Module functions\n")
    parts += [_entry("###", name, function) for name, function in sorted(_public())]
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
