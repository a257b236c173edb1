"""Dated relations between organisations from a CSV file."""

from __future__ import annotations

from pathlib import Path

import pytest

from trustgraph.errors import InputError
from trustgraph.graph.owners import OwnerIndex
from trustgraph.ingest.owners import import_relations, precision_of
from trustgraph.storage.database import Database

HEADER = "subject,object,relation,from,source_note\n"


@pytest.mark.parametrize(
    ("start", "note", "precision"),
    [
        ("2010-08-01", "08-2010  https://example.org", "month"),
        ("2017-01-01", "2017  https://example.org", "year"),
        ("2001-01-01", "https://example.org", "year"),
        ("2017-08-04", "2017  https://example.org", "day"),
        ("2015-06-23", "https://example.org", "day"),
        ("2015-11-01", "", "day"),
    ],
)
def test_precision_of_a_start(start: str, note: str, precision: str) -> None:
    assert precision_of(start, note) == precision


def test_relations_load_with_their_problems(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "rel.csv"
    path.write_text(
        HEADER
        + "VeriSign,Symantec,owned_by,2010-08-01,08-2010\n"
        + "Symantec,DigiCert,owned_by,2017-08-04,2017\n"
        + "QuoVadis,WISeKey,owned_by,2017-01-01,2017\n"
        + "QuoVadis,DigiCert,owned_by,2019-01-01,2019\n"
        + "DigiCert,DigiCert,owned_by,1970-01-01,\n"
        + "GoGetSSL,COMODO,reseller_of,1970-01-01,\n"
        + "Broken,Owner,bought_by,2017-01-01,\n"
        + "Late,Owner,owned_by,2017-13-01,\n"
        + ",Owner,owned_by,2017-01-01,\n"
    )
    report = import_relations(db, path)
    assert (report.rows, report.recorded, report.same_organisation) == (9, 5, 1)
    assert report.reconciles
    assert [p["location"] for p in report.problems] == [
        f"{path} row 8",
        f"{path} row 9",
        f"{path} row 10",
    ]
    assert "bought_by" in report.problems[0]["reason"]
    again = import_relations(db, path)
    assert again.unchanged and again.recorded == 0
    index = OwnerIndex.from_database(db)
    quovadis = [r for r in index.relations if r.owned == "quovadis"]
    assert [(r.owner, r.start, r.until) for r in quovadis] == [
        ("wisekey", "2017-01-01T00:00:00Z", "2019-01-01T00:00:00Z"),
        ("digicert", "2019-01-01T00:00:00Z", None),
    ]
    assert index.owned_at("DigiCert", "2018-01-01T00:00:00Z") == {
        "DigiCert",
        "Symantec",
        "VeriSign",
    }
    assert "QuoVadis" in index.owned_at("DigiCert", "2020-01-01T00:00:00Z")
    assert "GoGetSSL" not in index.owned_at("COMODO", "2020-01-01T00:00:00Z")


def test_a_file_without_the_columns_is_refused(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(InputError, match="missing column"):
        import_relations(db, path)
