"""The named query catalog: well-formed files, parameters only, bounded patterns, and every
file accepted by a real Neo4j (EXPLAIN)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from trustgraph.backends.neo4j.catalog import CatalogQuery, catalog, parse_query, query
from trustgraph.backends.neo4j.connection import Neo4jGraph
from trustgraph.errors import UsageError

QUERIES = sorted(catalog().values(), key=lambda q: q.name)
# A variable-length relationship pattern: [name:TYPE*min..max] (any of the parts optional).
VARIABLE_LENGTH = re.compile(r"\[[^\]]*\*[^\]]*\]")
BOUNDED = re.compile(r"\*\d*\.\.\d+\s*\]$")


@pytest.mark.parametrize("item", QUERIES, ids=lambda q: q.name)
def test_header_is_complete(item: CatalogQuery) -> None:
    assert item.description and item.returns and item.text
    assert item.path.name == f"{item.name}.cypher"


@pytest.mark.parametrize("item", QUERIES, ids=lambda q: q.name)
def test_parameters_are_declared_and_used(item: CatalogQuery) -> None:
    used = set(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", item.text))
    assert used == set(item.parameter_names)


@pytest.mark.parametrize("item", QUERIES, ids=lambda q: q.name)
def test_variable_length_patterns_are_bounded(item: CatalogQuery) -> None:
    for pattern in VARIABLE_LENGTH.findall(item.text):
        assert BOUNDED.search(pattern), f"{item.name}: unbounded {pattern}"


def test_the_catalog_covers_the_query_commands() -> None:
    names = set(catalog())
    assert {"region-step", "cross-signs", "roots", "edges", "edges-into", "cas"} <= names
    assert {"serials-by-issuer-name", "serials-by-issuing-ca"} <= names
    from trustgraph.analysis.checks import CATALOG

    assert {f"check-{c.info.name}" for c in CATALOG} <= names


def test_header_name_must_match_the_file(tmp_path: Path) -> None:
    wrong = tmp_path / "mine.cypher"
    wrong.write_text("// name: other\n// description: x\nRETURN 1\n", encoding="utf-8")
    with pytest.raises(UsageError, match="must match the file name"):
        parse_query(wrong)


def test_unknown_query_lists_the_catalog() -> None:
    with pytest.raises(UsageError, match="region-step"):
        query("no-such-query")


@pytest.mark.neo4j
@pytest.mark.parametrize("item", QUERIES, ids=lambda q: q.name)
def test_server_accepts_every_query(neo4j: Neo4jGraph, item: CatalogQuery) -> None:
    """EXPLAIN plans the query without running it: syntax, functions and types are checked
    by the server itself."""
    parameters = dict.fromkeys(item.parameter_names)
    plan = neo4j.run("EXPLAIN " + item.text, parameters)
    assert plan == []
