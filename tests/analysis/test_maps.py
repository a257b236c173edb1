"""What a map shows at every date is what the engine answers at that date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.factories.pki import PKI, when, write_pem
from trustgraph import api
from trustgraph.analysis.maps import EVER, edge_states, plan_map
from trustgraph.errors import UsageError
from trustgraph.graph.trustgraph import TrustGraph
from trustgraph.ingest import facts, stores
from trustgraph.ingest.loader import load_paths
from trustgraph.policy.rules import make_rules
from trustgraph.render.maps import map_data
from trustgraph.storage.database import Database
from trustgraph.stored import StoredRecords


def _estate(db: Database, pki: PKI, tmp_path: Path) -> None:
    """Root A (in store s from 2016, out in 2019), root B (from 2017); B cross-signs A
    (2016-03 to 2020); A issues I (2015-05-10T08:30 to 2021-07-01, revoked at an unknown date
    by 2020-06-01), I issues J; A issues K with SHA-1 (the default policy refuses it from
    2017), K issues J again."""
    a, b = pki.ca("Slice Root A", org="A"), pki.ca("Slice Root B", org="B")
    roots = [pki.root(a), pki.root(b)]
    pki.issue(b, a, not_before=when("2016-03-01"), not_after=when("2020-01-01"))
    i = pki.issue(
        a,
        pki.ca("Slice I", org="A"),
        not_before=dt.datetime(2015, 5, 10, 8, 30, tzinfo=dt.UTC),
        not_after=when("2021-07-01"),
    )
    j = pki.ca("Slice J", org="A")
    pki.issue(i.subject, j)
    k = pki.issue(a, pki.ca("Slice K", org="A", key=pki.new_key("rsa")), hash_name="sha1")
    pki.issue(k.subject, j)
    load_paths(db, [write_pem(tmp_path / "all.pem", pki.certs)])
    stores.add_snapshot(db, "s", write_pem(tmp_path / "s1.pem", roots[:1]), "2016-01-01T00:00:00Z")
    stores.add_snapshot(db, "s", write_pem(tmp_path / "s2.pem", roots), "2017-01-01T00:00:00Z")
    stores.add_snapshot(db, "s", write_pem(tmp_path / "s3.pem", roots[1:]), "2019-01-01T00:00:00Z")
    facts.record_revocations(db, [(i.sha256, None, None, None, "2020-06-01T00:00:00Z", "t", None)])


def _days(first: str, last: str) -> list[str]:
    day, end, out = dt.date.fromisoformat(first), dt.date.fromisoformat(last), []
    while day <= end:
        out.append(day.isoformat())
        day += dt.timedelta(days=29)
    return [*out, "2015-05-10", "2015-05-11", "2016-12-31", "2017-01-01", "2020-06-01"]


def test_every_day_highlights_what_chains_finds(db: Database, pki: PKI, tmp_path: Path) -> None:
    _estate(db, pki, tmp_path)
    graph = TrustGraph.from_database(db)
    rules = api.with_revocations(db, make_rules("2018-01-01"))
    request = plan_map(
        StoredRecords(db),
        graph,
        targets=["Slice J"],
        anchors=api.anchors_for(db, store="s", at="2018-01-01"),
        rules=rules,
        highlight="chains",
        store="s",
    )
    assert request.covered == (EVER, None)
    data = map_data(graph, request)  # what the page reads: days, not times
    for day in _days("2014-01-01", "2022-01-01"):
        found = [s for s in data["slices"] if s[0] <= day][-1]
        shown = {tuple(request.paths[i].certificates) for i in found[1]}
        try:
            anchors = api.anchors_for(db, store="s", at=day)
        except UsageError:
            assert shown == set(), day
            continue
        expected = api.chains(db, "Slice J", anchors=anchors, rules=make_rules(day))
        assert shown == {tuple(p.certificates) for p in expected.paths}, day


def test_certificate_states_follow_the_rules(db: Database, pki: PKI, tmp_path: Path) -> None:
    _estate(db, pki, tmp_path)
    graph = TrustGraph.from_database(db)
    rules = api.with_revocations(db, make_rules("2018-01-01"))
    for edge in graph.edges.values():
        states = [(start[:10], name) for start, name in edge_states(edge, rules)]
        assert states[0][0] == EVER
        for day in _days("2014-01-01", "2022-01-01"):
            current = [name for start, name in states if start <= day][-1]
            refusal = api.with_revocations(db, make_rules(day)).judge(edge)
            if refusal is None:
                assert current.startswith("valid"), (edge.certificate, day)
            else:
                assert current == refusal.state, (edge.certificate, day)
