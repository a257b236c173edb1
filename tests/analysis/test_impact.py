"""Distrust impact: generated PKIs with known answers, and the WoSign case."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID
from typer.testing import CliRunner

from tests.factories.pki import CA, PKI, Cert, when, write_pem
from trustgraph import api
from trustgraph.analysis.impact import LOST, SURVIVES, Scenario
from trustgraph.cli import app
from trustgraph.demo.story import run_demo
from trustgraph.errors import TargetError, UsageError
from trustgraph.ingest import facts, stores
from trustgraph.ingest.loader import load_paths
from trustgraph.render.impact import impact_document
from trustgraph.storage.database import Database


def _edge_fps(result) -> set[str]:  # type: ignore[no-untyped-def]
    return {way.bypass.certificate for way in result.ways_in}


@pytest.fixture
def bypass_pki(db: Database, pki: PKI, tmp_path: Path) -> dict[str, Cert]:
    """Owner X runs root RX and intermediate IX. Root RY (owner Y) cross-signs RX until
    2019 (B1); a bridge BR (owner Z) cross-certifies RX (B2, revoked 2018-06-01) and RX
    certifies BR back (mutual). X owns W from 2017-06-01; W runs root RW."""
    rx, ry, br, rw = (
        pki.ca(n, org=o)
        for n, o in (("RX", "Org X"), ("RY", "Org Y"), ("Bridge", "Org Z"), ("RW", "Org W"))
    )
    certs = {
        "rx": pki.root(rx),
        "ry": pki.root(ry),
        "br": pki.root(br),
        "rw": pki.root(rw),
        "ix": pki.issue(rx, pki.ca("IX", org="Org X")),
        "b1": pki.issue(ry, rx, not_after=when("2019-01-01")),
        "b2": pki.issue(br, rx),
        "back": pki.issue(rx, br),
    }
    load_paths(db, [write_pem(tmp_path / "all.pem", pki.certs)])
    stores.add_snapshot(
        db,
        "s",
        write_pem(tmp_path / "s.pem", [certs[k] for k in ("rx", "ry", "br", "rw")]),
        "2015-01-01T00:00:00Z",
    )
    facts.record_revocations(
        db, [(certs["b2"].sha256, None, None, "2018-06-01T00:00:00Z", None, "test", None)]
    )
    for name in ("Org X", "Org Y", "Org Z", "Org W"):
        facts.record_operator(db, name, "case", "test", organization=name)
    facts.record_ownership(db, "Org X", "Org W", "2017-06-01T00:00:00Z", None, "test")
    return certs


def _assess(db: Database, scenario: Scenario, at: str = "2018-01-01", horizon: str | None = None):  # type: ignore[no-untyped-def]
    return api.impact(
        db,
        "s",
        api.as_iso(at),
        scenario,
        api.make_rules(at),
        api.as_iso(horizon) if horizon else None,
    )


def test_distrust_owner_finds_the_bypasses(db: Database, bypass_pki: dict[str, Cert]) -> None:
    result = _assess(db, Scenario(distrust_owners=["Org X"]), horizon="2020-01-01")
    status = {result.graph.label(w.ca): w.status for w in result.watched}
    assert status == {"RX": SURVIVES, "IX": SURVIVES, "RW": LOST}  # X owns W from 2017-06
    assert _edge_fps(result) == {bypass_pki["b1"].sha256, bypass_pki["b2"].sha256}
    closes = {way.bypass.certificate: way.closes for way in result.ways_in}
    assert closes[bypass_pki["b2"].sha256][0] == "2018-06-01T00:00:00Z"
    assert "revoked" in closes[bypass_pki["b2"].sha256][1]
    assert closes[bypass_pki["b1"].sha256][0] == "2019-01-01T00:00:01Z"
    assert sorted(result.cut) == sorted([bypass_pki["b1"].sha256, bypass_pki["b2"].sha256])
    assert result.cut_verified
    closed = _assess(db, Scenario(distrust_owners=["Org X"], revoke_certs=result.cut))
    assert closed.ways_in == [] and {w.status for w in closed.watched} == {LOST}


def test_ownership_counts_from_its_date(db: Database, bypass_pki: dict[str, Cert]) -> None:
    early = _assess(db, Scenario(distrust_owners=["Org X"]), at="2017-01-01")
    late = _assess(db, Scenario(distrust_owners=["Org X"]), at="2018-01-01")
    assert "Org W" not in early.owners_distrusted and "Org W" in late.owners_distrusted
    assert len(late.removed) == len(early.removed) + 1


def test_expired_and_revoked_bypasses_are_gone(db: Database, bypass_pki: dict[str, Cert]) -> None:
    """In 2019-06 B1 has expired and B2 is revoked: RX's CAs lose every path."""
    result = _assess(db, Scenario(distrust_roots=[bypass_pki["rx"].sha256[:16]]), at="2019-06-01")
    assert result.ways_in == [] and {w.status for w in result.watched} == {LOST}
    assert result.cut == []


def test_revoking_one_cross_certificate(db: Database, bypass_pki: dict[str, Cert]) -> None:
    """What if B1 were revoked now? RX stays an anchor, so its CAs stay reachable directly:
    reported as directly trusted, and no revocation can close that."""
    result = _assess(db, Scenario(revoke_certs=[bypass_pki["b1"].sha256]))
    assert result.removed == []
    rx_ca = db.conn.execute(
        "SELECT ca_id FROM certificates WHERE sha256 = ?", (bypass_pki["rx"].sha256,)
    ).fetchone()[0]
    assert result.directly_trusted == [rx_ca]


@pytest.fixture(scope="module")
def wosign_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("impact-demo")
    run_demo(out)
    return out / "trustgraph.db"


WOSIGN_ROOTS = ["d6f034bd94aa233f", "8b45da1c06f791eb", "4b22d5a6aec99f3c", "d487a56f83b07482"]
CERTUM = {
    "1092c43d57bcda0af70291e37fdde88b02de83e3f4013272d4ca2ae3c7498fe4",
    "7bda50131ea7e55c8fdda63563d12314a7159d5621333ba8bcdad0b8a3a50e6c",
}
STARTCOM = {
    "497f91db583f82148ea52b6cfa9a3c19d8e5b067ebf6ddad78e96c956cbcd881",
    "8b97f276e45686ce8990bb21e4498f34a4aaaaf0e183933ed5a2476f4809b3cc",
    "ce7e10b3ea550920c2be9d391cb7823a7e8f5bfcd3f13c7e11066a190e5b852d",
    "e81e53747e2e060d4623974b9efdd1da4bebdcaed456efc63d0d5058c8b25597",
}


def test_wosign_distrust_owner(wosign_db: Path) -> None:
    with Database(wosign_db) as db:
        result = api.impact(
            db,
            "mozilla",
            "2016-10-21T00:00:00Z",
            Scenario(distrust_owners=["WoSign"]),
            api.make_rules("2016-10-21"),
            "2017-12-31T00:00:00Z",
        )
        assert "StartCom Ltd." in result.owners_distrusted
        assert _edge_fps(result) == CERTUM
        assert {way.closes[0] for way in result.ways_in if way.closes} == {"2016-11-29T00:00:00Z"}
        assert result.cut_verified and set(result.cut) <= CERTUM
        again = api.impact(
            db,
            "mozilla",
            "2016-10-21T00:00:00Z",
            Scenario(distrust_owners=["WoSign"], revoke_certs=result.cut),
            api.make_rules("2016-10-21"),
        )
        assert again.ways_in == [] and again.count(SURVIVES) == 0


def test_wosign_distrust_roots_lists_startcom_too(wosign_db: Path) -> None:
    with Database(wosign_db) as db:
        result = api.impact(
            db,
            "mozilla",
            "2016-10-21T00:00:00Z",
            Scenario(distrust_roots=WOSIGN_ROOTS),
            api.make_rules("2016-10-21"),
        )
        assert len(result.removed) == 4
        assert _edge_fps(result) >= CERTUM | STARTCOM


def test_cli_markdown_and_exit_code(wosign_db: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        app,
        [
            "impact",
            "--store",
            "mozilla",
            "--at",
            "2016-10-21",
            "--distrust-owner",
            "WoSign",
            "--horizon",
            "2017-12-31",
            "--format",
            "markdown",
            "--db",
            str(wosign_db),
        ],
    )
    assert result.exit_code == 1, result.output
    assert "## Distrust impact on mozilla at 2016-10-21" in result.stdout
    assert "| Certum CA |" in result.stdout and "--revoke-cert 1092c43d" in result.stdout
    empty = runner.invoke(app, ["impact", "--store", "mozilla", "--db", str(wosign_db)])
    assert empty.exit_code == 2 and "give a scenario" in empty.stderr


@pytest.fixture
def collateral_pki(db: Database, pki: PKI, tmp_path: Path) -> dict[str, Cert]:
    """Owner A runs root RA; owner B runs root RB. Below RA: A's own CA (IA), a CA of
    owner C reached only through RA (IC, two levels down: IC then its child IC2), and a CA
    of owner D that RB certifies too (ID). Distrusting A takes IA (watched) and IC, IC2
    (collateral) down; ID survives through RB."""
    ra, rb = pki.ca("RA", org="Org A"), pki.ca("RB", org="Org B")
    ic, id_ = pki.ca("IC", org="Org C"), pki.ca("ID", org="Org D")
    certs = {
        "ra": pki.root(ra),
        "rb": pki.root(rb),
        "ia": pki.issue(ra, pki.ca("IA", org="Org A")),
        "ic": pki.issue(ra, ic),
        "ic2": pki.issue(ic, pki.ca("IC2", org="Org C")),
        "id-ra": pki.issue(ra, id_),
        "id-rb": pki.issue(rb, id_),
    }
    load_paths(db, [write_pem(tmp_path / "all.pem", pki.certs)])
    bundle = write_pem(tmp_path / "s.pem", [certs["ra"], certs["rb"]])
    stores.add_snapshot(db, "s", bundle, "2015-01-01T00:00:00Z")
    for name in ("Org A", "Org B", "Org C", "Org D"):
        facts.record_operator(db, name, "case", "test", organization=name)
    return certs


def test_collateral_is_every_other_ca_that_falls(
    db: Database, collateral_pki: dict[str, Cert]
) -> None:
    by_owner = _assess(db, Scenario(distrust_owners=["Org A"]))
    labels = {by_owner.graph.label(item.ca) for item in by_owner.collateral}
    assert labels == {"IC", "IC2"}
    assert {by_owner.graph.label(w.ca): w.status for w in by_owner.watched} == {
        "RA": LOST,
        "IA": LOST,
    }
    assert {by_owner.graph.label(ca) for ca in by_owner.lost_cas} == {"RA", "IA", "IC", "IC2"}
    path = by_owner.paths_before[
        next(c.ca for c in by_owner.collateral if by_owner.graph.label(c.ca) == "IC2")
    ]
    assert [by_owner.graph.label(e.subject_ca) for e in path.edges] == ["IC", "IC2"]
    by_root = _assess(db, Scenario(distrust_roots=[collateral_pki["ra"].sha256]))
    assert set(by_root.lost_cas) == set(by_owner.lost_cas)


def test_revoking_a_certificate_counts_what_falls_below_it(
    db: Database, collateral_pki: dict[str, Cert]
) -> None:
    """Revoking RA's certificate for IC: IC is watched (with every CA its operator runs),
    nothing else falls, and the counts say so."""
    result = _assess(db, Scenario(revoke_certs=[collateral_pki["ic"].sha256]))
    assert {result.graph.label(w.ca): w.status for w in result.watched} == {"IC": LOST, "IC2": LOST}
    assert result.collateral == []
    document = impact_document(result, {})
    assert document["counts"]["reconciled"] is True
    assert document["counts"]["lose_every_path"] == 2


def test_a_root_is_not_named_by_a_fragment_of_its_unit(
    db: Database, pki: PKI, tmp_path: Path
) -> None:
    """A name fragment is looked for in an anchor's common name: "_" in an OU, or "Class"
    in "OU=Class_3 Public", names no anchor."""
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Class_3 Public"),
            x509.NameAttribute(NameOID.COMMON_NAME, "Unit Root"),
        ]
    )
    root = pki.root(CA(name, pki.new_key()))
    load_paths(db, [write_pem(tmp_path / "all.pem", [root])])
    stores.add_snapshot(db, "s", write_pem(tmp_path / "s.pem", [root]), "2015-01-01T00:00:00Z")
    with pytest.raises(UsageError, match="needs a name"):
        _assess(db, Scenario(distrust_roots=["_"]))
    with pytest.raises(TargetError, match="no anchor of the store at that date has this name"):
        _assess(db, Scenario(distrust_roots=["Class"]))
    assert _assess(db, Scenario(distrust_roots=["Unit"])).removed
