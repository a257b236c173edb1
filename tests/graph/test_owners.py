"""Owners: one organisation per normalised name, and who operated a CA at a date."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.factories.pki import PKI, write_pem
from trustgraph.errors import TargetError
from trustgraph.graph.owners import OwnerIndex, owner_key, remark_keys
from trustgraph.ingest import facts
from trustgraph.ingest.loader import load_paths
from trustgraph.storage.database import Database

KEYS = list(csv.DictReader((Path(__file__).parent / "data" / "owner-keys.csv").open()))


@pytest.mark.parametrize("case", KEYS, ids=[c["name"] for c in KEYS])
def test_owner_key(case: dict[str, str]) -> None:
    assert owner_key(case["name"]) == case["key"], case["why"]


def test_remarks_are_other_names() -> None:
    assert remark_keys("Start Commercial (StartCom) Ltd.") == ["startcom"]
    assert remark_keys("Asseco Data Systems S.A. (previously Unizeto Certum)") == ["unizeto certum"]
    assert remark_keys("Example (CA)") == []


REPORT = "2021-04-05T00:00:00Z"


@pytest.fixture
def estate(db: Database, pki: PKI, tmp_path: Path) -> dict[str, str]:
    """CCADB (2021) files every CA below under "DigiCert, Inc."; their subjects name
    VeriSign, Symantec and DigiCert. VeriSign was Symantec's from 2010-08 (to the month),
    Symantec DigiCert's from 2017-08-04. An Apple CA under a VeriSign root is Apple's."""
    cas = {}
    for key, cn, org in (
        ("verisign", "VS Root", "VeriSign, Inc."),
        ("symantec", "Sym CA", "Symantec Corporation"),
        ("digicert", "DC CA", "DigiCert Inc"),
        ("apple", "Apple IST CA", "Apple Inc."),
    ):
        cas[key] = pki.ca(cn, org=org)
    root = pki.root(cas["verisign"])
    certs = {"verisign": root}
    for key in ("symantec", "digicert", "apple"):
        certs[key] = pki.issue(cas["verisign"], cas[key])
    load_paths(db, [write_pem(tmp_path / "estate.pem", pki.certs)])
    for key, cert in certs.items():
        owner = "Apple Inc" if key == "apple" else "DigiCert, Inc."
        facts.record_operator(db, owner, "ccadb", "report", certificate=cert.sha256, as_of=REPORT)
    facts.record_ownership(
        db, "Symantec", "VeriSign", "2010-08-01T00:00:00Z", None, "r", precision="month"
    )
    facts.record_ownership(db, "DigiCert", "Symantec", "2017-08-04T00:00:00Z", None, "r")
    ids = {
        key: db.conn.execute(
            "SELECT ca_id FROM certificates WHERE sha256 = ?", (cert.sha256,)
        ).fetchone()[0]
        for key, cert in certs.items()
    }
    return ids


def _operators(index: OwnerIndex, ids: dict[str, str], at: str) -> dict[str, str]:
    return {key: index.operator_at(ca, at).owner for key, ca in ids.items()}  # type: ignore[union-attr]


def test_operators_follow_ownership_back_in_time(db: Database, estate: dict[str, str]) -> None:
    index = OwnerIndex.from_database(db)
    assert _operators(index, estate, "2021-06-01T00:00:00Z") == {
        "verisign": "DigiCert, Inc.",
        "symantec": "DigiCert, Inc.",
        "digicert": "DigiCert, Inc.",
        "apple": "Apple Inc",
    }
    # Before the report, by the subjects' organisations (shown as the subjects spell them).
    assert _operators(index, estate, "2017-03-01T00:00:00Z") == {
        "verisign": "VeriSign, Inc.",
        "symantec": "Symantec Corporation",
        "digicert": "DigiCert, Inc.",
        "apple": "Apple Inc",
    }
    owned = index.owned_at("Symantec Corporation", "2017-03-01T00:00:00Z")
    assert owned == {"Symantec Corporation", "VeriSign, Inc."}
    assert index.cas_of(owned, "2017-03-01T00:00:00Z") == {estate["verisign"], estate["symantec"]}
    later = "2018-03-01T00:00:00Z"
    assert index.cas_of(index.owned_at("Digicert", later), later) == {
        estate["verisign"],
        estate["symantec"],
        estate["digicert"],
    }


def test_spellings_are_one_owner(db: Database, estate: dict[str, str]) -> None:
    index = OwnerIndex.from_database(db)
    for spelling in ("DigiCert", "Digicert", "DIGICERT, INC.", "DigiCert Inc"):
        assert index.resolve(spelling) == "DigiCert, Inc."


def test_month_precision_is_a_caveat_within_that_month(
    db: Database, estate: dict[str, str]
) -> None:
    index = OwnerIndex.from_database(db)
    assert [r.owned for r in index.uncertain("Symantec", "2010-08-20T00:00:00Z")] == ["verisign"]
    assert index.uncertain("Symantec", "2010-09-20T00:00:00Z") == []


def test_a_mistyped_owner_gets_the_nearest(db: Database, estate: dict[str, str]) -> None:
    index = OwnerIndex.from_database(db)
    with pytest.raises(
        TargetError, match=r"no owner named 'Symantek' \(did you mean 'Symantec Corporation'"
    ):
        index.resolve("Symantek")
