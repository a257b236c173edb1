"""Timelines: intervals of reachability and the events at their ends."""

from __future__ import annotations

from pathlib import Path

from tests.factories.pki import PKI, when, write_pem
from trustgraph import api
from trustgraph.analysis.timeline import timeline
from trustgraph.graph.targets import resolve_target
from trustgraph.graph.trustgraph import TrustGraph
from trustgraph.ingest import facts, stores
from trustgraph.ingest.loader import load_paths
from trustgraph.storage.database import Database
from trustgraph.stored import StoredRecords


def test_intervals_and_their_events(db: Database, pki: PKI, tmp_path: Path) -> None:
    """Target T is certified twice: by R1 (valid 2015 to 2017) and by R2 (valid from 2016,
    revoked 2018-03-01). R1 and R2 are in the store from 2014; R2 is removed in 2019.
    Reachable 2015-01-01 .. 2018-03-01, opened by R1's certificate, closed by revocation."""
    r1, r2, target = pki.ca("R1"), pki.ca("R2"), pki.ca("Timeline Target")
    root1, root2 = pki.root(r1), pki.root(r2)
    via1 = pki.issue(r1, target, not_before=when("2015-01-01"), not_after=when("2017-01-01"))
    via2 = pki.issue(r2, target, not_before=when("2016-01-01"), not_after=when("2030-01-01"))
    load_paths(db, [write_pem(tmp_path / "all.pem", pki.certs)])
    stores.add_snapshot(
        db, "s", write_pem(tmp_path / "a.pem", [root1, root2]), "2014-01-01T00:00:00Z"
    )
    stores.add_snapshot(db, "s", write_pem(tmp_path / "b.pem", [root1]), "2019-01-01T00:00:00Z")
    facts.record_revocations(
        db, [(via2.sha256, None, None, "2018-03-01T00:00:00Z", None, "test", None)]
    )
    graph = TrustGraph.from_database(db)
    rules = api.with_revocations(db, api.make_rules("2020-01-01"))
    result = timeline(StoredRecords(db), graph, resolve_target(db, "Timeline Target"), "s", rules)
    [interval] = result.intervals
    assert (interval.start, interval.end) == ("2015-01-01T00:00:00Z", "2018-03-01T00:00:00Z")
    assert [(e.kind, e.certificate) for e in interval.opened_by] == [("valid-from", via1.sha256)]
    assert [(e.kind, e.certificate) for e in interval.closed_by] == [("revoked", via2.sha256)]
    anchor_sets = [s.anchors for s in interval.stretches]
    ca1 = graph.edges[root1.sha256].subject_ca
    ca2 = graph.edges[root2.sha256].subject_ca
    assert anchor_sets == [[ca1], sorted([ca1, ca2]), [ca2]]


def test_anchor_removal_closes_an_interval(db: Database, pki: PKI, tmp_path: Path) -> None:
    root = pki.ca("Leaving Root")
    root_cert = pki.root(root)
    pki.issue(root, "Below Leaving")
    load_paths(db, [write_pem(tmp_path / "all.pem", pki.certs)])
    stores.add_snapshot(db, "s", write_pem(tmp_path / "a.pem", [root_cert]), "2012-01-01T00:00:00Z")
    stores.add_snapshot(
        db, "s", write_pem(tmp_path / "b.pem", [pki.root("Other")]), "2016-01-01T00:00:00Z"
    )
    graph = TrustGraph.from_database(db)
    result = timeline(
        StoredRecords(db),
        graph,
        resolve_target(db, "Below Leaving"),
        "s",
        api.make_rules("2020-01-01"),
    )
    [interval] = result.intervals
    assert interval.end == "2016-01-01T00:00:00Z"
    assert [e.kind for e in interval.closed_by] == ["anchor-removed"]
    assert "Leaving Root" in interval.closed_by[0].detail


def test_first_snapshot_is_presence_and_later_changes_are_bounded(
    db: Database, pki: PKI, tmp_path: Path
) -> None:
    """A root of the first snapshot loaded was present then, since an unknown date; a root
    that appears in a later snapshot was added between that snapshot and the one before;
    a removal likewise ends its interval by the later snapshot at the latest."""
    early, late = pki.ca("Early Root"), pki.ca("Late Root")
    early_cert, late_cert = pki.root(early), pki.root(late)
    pki.issue(early, "Below Early")
    pki.issue(late, "Below Late")
    load_paths(db, [write_pem(tmp_path / "all.pem", pki.certs)])
    for as_of, roots in (
        ("2015-01-01", [early_cert]),
        ("2015-06-01", [early_cert, late_cert]),
        ("2016-02-01", [late_cert]),
    ):
        path = write_pem(tmp_path / f"{as_of}.pem", roots)
        stores.add_snapshot(db, "s", path, f"{as_of}T00:00:00Z")
    graph = TrustGraph.from_database(db)
    rules = api.make_rules("2016-06-01")
    [early_interval] = timeline(
        StoredRecords(db), graph, resolve_target(db, "Below Early"), "s", rules
    ).intervals
    [opened] = [e for e in early_interval.opened_by if e.kind.startswith("anchor")]
    assert (opened.kind, opened.bound) == ("anchor-present", False)
    assert "present in the first snapshot of s loaded (2015-01-01)" in opened.detail
    [closed] = early_interval.closed_by
    assert (closed.kind, closed.bound, closed.after) == (
        "anchor-removed",
        True,
        "2015-06-01T00:00:00Z",
    )
    assert "between 2015-06-01 and 2016-02-01" in closed.detail
    [late_interval] = timeline(
        StoredRecords(db), graph, resolve_target(db, "Below Late"), "s", rules
    ).intervals
    [added] = [e for e in late_interval.opened_by if e.kind.startswith("anchor")]
    assert (added.kind, added.bound, added.at) == ("anchor-added", True, "2015-06-01T00:00:00Z")
    assert "added to s between 2015-01-01 and 2015-06-01" in added.detail


def test_a_timeline_past_its_stores_coverage_says_so(
    db: Database, pki: PKI, tmp_path: Path
) -> None:
    root = pki.ca("Lone Root")
    root_cert = pki.root(root)
    pki.issue(root, "Below Lone")
    load_paths(db, [write_pem(tmp_path / "all.pem", pki.certs)])
    stores.add_snapshot(db, "s", write_pem(tmp_path / "a.pem", [root_cert]), "2015-01-01T00:00:00Z")
    graph = TrustGraph.from_database(db)
    target = resolve_target(db, "Below Lone")
    soon = timeline(StoredRecords(db), graph, target, "s", api.make_rules("2015-12-01"))
    assert soon.gaps == []
    late = timeline(StoredRecords(db), graph, target, "s", api.make_rules("2019-01-01"))
    [gap] = late.gaps
    assert (gap.start, gap.end) == ("2016-02-05T00:00:00Z", None)  # 400 days after
