"""Every API call takes a database path as well as an open database: the same answers,
read-only unless the call loads, and a missing database is an error, never created."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.factories.pki import PKI, write_pem
from trustgraph import api
from trustgraph.errors import DatabaseError
from trustgraph.storage.database import Database


def test_a_path_gives_the_same_answers(tmp_path: Path) -> None:
    pki = PKI()
    root = pki.root("Path Root")
    sub = pki.issue(root.subject, "Path Sub CA")
    path = tmp_path / "t.db"
    report = api.load(path, [write_pem(tmp_path / "certs.pem", [root, sub])])
    assert report.reconciles and len(set(report.fingerprints)) == 2
    by_path = api.reach(path, "Path Sub CA", rules=api.make_rules("2020-01-01"))
    with Database(path, readonly=True) as db:
        by_db = api.reach(db, "Path Sub CA", rules=api.make_rules("2020-01-01"))
        assert api.graph(path).number_of_edges() == api.graph(db).number_of_edges() == 2
    assert [r.ca for r in by_path.reached] == [r.ca for r in by_db.reached] != []


def test_a_missing_database_is_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "missing.db"
    with pytest.raises(DatabaseError):
        api.stores(missing)
    assert not missing.exists()


def test_a_result_prints_as_one_short_line(tmp_path: Path) -> None:
    """Printing a result never dumps its graph or its owners (an impact once printed 3 MB)."""
    db = api.demo(tmp_path)
    result = api.impact(db, "mozilla", "2016-10-21", api.Scenario(distrust_owners=["WoSign"]))
    shown = repr(result)
    assert len(shown) < 300 and "\n" not in shown
    watched = len(result.watched)
    assert shown.startswith(f"ImpactResult(mozilla at 2016-10-21: {watched} watched")
    assert api.document(result)["counts"]["watched"] == watched
