"""The architecture's rules that import contracts cannot see: SQL is run only by the storage
layer (through the connection it owns), Cypher lives only in the Neo4j backend and the query
catalog, and the top of the package holds only its front modules."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "trustgraph"
SQL_CALL = re.compile(r"\.conn\b|\bexecute(many|script)?\(")
CYPHER = re.compile(r"\b(MATCH|MERGE|UNWIND|DETACH DELETE)\b\s*[(\[$]")
FRONT = {"__init__.py", "__main__.py", "api.py", "errors.py", "version.py", "py.typed"}


def _sources(outside: str) -> list[Path]:
    return [p for p in PACKAGE.rglob("*.py") if outside not in p.relative_to(PACKAGE).parts[:2]]


@pytest.mark.parametrize(
    ("pattern", "home"),
    [(SQL_CALL, "storage"), (CYPHER, "neo4j")],
    ids=["sql-only-in-storage", "cypher-only-in-the-neo4j-backend"],
)
def test_statements_live_in_their_layer(pattern: re.Pattern[str], home: str) -> None:
    found = [
        f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}"
        for path in _sources(home)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line) and "def _execute" not in line and "self._execute" not in line
    ]
    assert found == []


def test_the_top_of_the_package_holds_only_its_front_modules() -> None:
    files = {p.name for p in PACKAGE.iterdir() if p.is_file()}
    assert files == FRONT


def test_every_layer_says_what_it_owns_and_may_import() -> None:
    for package in sorted(p for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()):
        docstring = (package / "__init__.py").read_text(encoding="utf-8")
        assert docstring.startswith('"""'), package.name
        assert "Import" in docstring, f"{package.name} does not say what it may import"
