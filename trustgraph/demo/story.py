"""The built-in demo: the WoSign 2016 case, told from the graph.

The case file (``data/wosign-2016``) holds only facts with their sources: Mozilla
root-store snapshots, the certificates of the case by fingerprint, owners, one revocation
date and Mozilla's distrust rule. Every answer below is computed by the same queries a user
runs: at each date, which anchors of the ``mozilla`` store other than WoSign's own roots
lead into CAs WoSign operates (and through which certificate), which WoSign CAs stay
reachable once WoSign's roots are distrusted, and when each way in closes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from trustgraph.analysis.chains import ChainPath, find_chains
from trustgraph.analysis.fates import AnchorFate
from trustgraph.analysis.maps import Highlight, anchors_then, map_request, neighbourhood
from trustgraph.analysis.reach import find_reach
from trustgraph.analysis.timeline import TimelineResult, timeline
from trustgraph.core.progress import Progress
from trustgraph.core.records import Snapshot
from trustgraph.core.resources import wosign_case
from trustgraph.demo.entrust import entrust_fates
from trustgraph.demo.programs import ProgramView, add_programs, program_views
from trustgraph.errors import OutputError
from trustgraph.graph.owners import OwnerIndex
from trustgraph.graph.targets import Target
from trustgraph.graph.trustgraph import TrustGraph
from trustgraph.ingest import casefile
from trustgraph.ingest.fetch import Fetcher, declared_fingerprints, fetch
from trustgraph.policy.anchors import AnchorSet
from trustgraph.policy.rules import PathRules, make_rules, with_revocations
from trustgraph.policy.stores import anchors_at, list_snapshots, snapshot_at
from trustgraph.render.formats import envelope
from trustgraph.render.maps import render_map, write_map
from trustgraph.storage.database import Database
from trustgraph.stored import StoredRecords
from trustgraph.x509.names import fold

STORE = "mozilla"
DATES = ("2016-06-01", "2016-10-21", "2016-12-01", "2017-06-01", "2017-11-15")
TIMELINE_UNTIL = "2018-01-01"
MAP_FILE = "wosign-2016-map.html"


@dataclass
class WayIn:
    path: ChainPath
    entered: str

    @property
    def entry(self) -> str:
        return self.path.edges[-1].certificate


@dataclass
class DateStory:
    at: str
    snapshot: Snapshot
    anchors: int
    wosign_roots: list[str]
    ways_in: list[WayIn]
    truncated: dict[str, str]
    still_reachable: dict[str, list[str]]
    unreachable: list[str]
    lookalikes: list[WayIn] = field(default_factory=list)
    programs: list[ProgramView] = field(default_factory=list)


@dataclass
class DemoResult:
    database: Path
    owner: str
    mirror: str | None
    dates: list[DateStory] = field(default_factory=list)
    closings: dict[str, TimelineResult] = field(default_factory=dict)
    edge_kinds: dict[str, int] = field(default_factory=dict)
    graph: TrustGraph | None = None
    owners: OwnerIndex | None = None
    map_path: Path | None = None
    programs: list[str] = field(default_factory=list)
    entrust: list[AnchorFate] = field(default_factory=list)
    """Entrust's distrust of 2024, program by program (with crt.sh's snapshots)."""


def run_demo(
    out: Path,
    mirror: Path | None = None,
    progress: Progress | None = None,
    root_stores: Path | None = None,
) -> DemoResult:
    """Load the case into a fresh database in ``out`` and compute the story (with the
    other root programs' views when ``root_stores`` holds their data, see
    :mod:`trustgraph.demo.programs`). The database is built beside its place and moved
    there when complete, so an interrupted demo leaves the earlier one (or none).

    Raises:
        InputError: the shipped case file, the mirror or the root-store data cannot be read.
        OutputError: ``out`` cannot be written.
    """
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot make the folder {out}: {exc.strerror or exc}") from exc
    path = out / "trustgraph.db"
    building = out / "trustgraph.db.building"
    _remove_database(building)
    try:
        with Database(building) as db:
            casefile.apply(db, casefile.load(wosign_case()), progress)
            if mirror is not None:
                fetch(db, declared_fingerprints(db), Fetcher(mirror=mirror, online=False), progress)
            programs = add_programs(db, root_stores, progress) if root_stores else []
            db.settle()
    except BaseException:
        _remove_database(building)  # half a demo helps nobody; the earlier one stays
        raise
    _remove_database(path)
    os.replace(building, path)
    _remove_database(building)  # its -wal and -shm, if closing left any
    with Database(path, readonly=True) as db:
        result = _story(db, path, mirror, programs)
        result.map_path = out / MAP_FILE
        write_map(result.map_path, _map(db, result))
        return result


def _remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _map(db: Database, result: DemoResult) -> str:
    """The map of WoSign's CAs and their neighbours; at every date, the ways into WoSign's
    CAs from the other anchors of the store highlighted (the map opens on the first date)."""
    graph, owners = result.graph, result.owners
    assert graph is not None and owners is not None
    wosign = frozenset(owners.cas_of({result.owner}))
    rules = with_revocations(db, make_rules(result.dates[0].at))
    records = StoredRecords(db)

    def ways(moment: str) -> Highlight:
        anchors = anchors_then(records, STORE, AnchorSet({}), moment)
        others = anchors.without({ca for ca in anchors.cas if ca in wosign})
        found, truncated = _ways_in(graph, wosign, others, replace(rules, at=moment), "WoSign")
        return Highlight([way.path for way in found], [], truncated)

    request = map_request(
        records,
        graph,
        "WoSign and StartCom: the ways into WoSign's CAs (highlighted)",
        rules,
        neighbourhood(graph, set(wosign), 1),
        anchors_at(db, STORE, rules.at),
        owners,
        store=STORE,
        mode="ways",
        highlighter=ways,
        region=[Target("wosign", wosign, None, "CAs operated by WoSign")],
    )
    return render_map(graph, request)


def _story(db: Database, path: Path, mirror: Path | None, programs: list[str]) -> DemoResult:
    owners = OwnerIndex.from_database(db)
    owner = owners.resolve("WoSign")
    graph = TrustGraph.from_database(db)
    wosign = frozenset(owners.cas_of({owner}))
    lookalikes = frozenset(
        ca
        for ca in graph.graph.nodes
        if ca not in wosign and _named_wosign(graph, ca) and graph.in_edges(ca)
    )
    result = DemoResult(path, owner, str(mirror) if mirror else None, graph=graph, owners=owners)
    then = [
        store
        for store in programs
        if store != STORE and any(s.as_of <= DATES[-1] for s in list_snapshots(db, store))
    ]
    result.programs = then
    if programs:
        result.entrust = entrust_fates(db, sorted({*programs, STORE}))
    result.edge_kinds = {k: v for k, v in db.counts().items() if k.startswith("edges_")}
    entries: dict[str, str] = {}
    for at in DATES:
        rules = with_revocations(db, make_rules(at))
        story = _date_story(db, graph, wosign, rules)
        story.lookalikes = _ways_in(
            graph,
            lookalikes,
            anchors_at(db, STORE, at),
            rules,
            "CAs named WoSign but operated by others",
        )[0]
        story.programs = program_views(db, graph, wosign, rules, then)
        result.dates.append(story)
        for way in story.ways_in:
            entries.setdefault(way.entry, at)
    for fingerprint in sorted(entries):
        target = Target(
            fingerprint,
            frozenset([graph.edges[fingerprint].subject_ca]),
            fingerprint,
            f"certificate {fingerprint[:16]}",
        )
        rules = with_revocations(db, make_rules(TIMELINE_UNTIL))
        result.closings[fingerprint] = timeline(StoredRecords(db), graph, target, STORE, rules)
    return result


def _date_story(
    db: Database, graph: TrustGraph, wosign: frozenset[str], rules: PathRules
) -> DateStory:
    anchors = anchors_at(db, STORE, rules.at)
    own_roots = {ca for ca in anchors.cas if ca in wosign}
    others = anchors.without(own_roots)
    ways, truncated = _ways_in(graph, wosign, others, rules, "CAs operated by WoSign")
    still: dict[str, list[str]] = {}
    unreachable = []
    for ca in sorted(wosign, key=lambda c: graph.label(c)):
        one = Target(ca, frozenset([ca]), None, graph.label(ca))
        reached = find_reach(graph, one, others, rules)
        if reached.reached:
            still[ca] = [r.ca for r in reached.reached]
        else:
            unreachable.append(ca)
    snapshot = snapshot_at(db, STORE, rules.at)
    return DateStory(
        rules.at, snapshot, len(anchors), sorted(own_roots), ways, truncated, still, unreachable
    )


def _ways_in(
    graph: TrustGraph,
    cas: frozenset[str],
    anchors: AnchorSet,
    rules: PathRules,
    description: str,
) -> tuple[list[WayIn], dict[str, str]]:
    """Paths from ``anchors`` that end at the first of ``cas`` they reach."""
    target = Target(description, cas, None, description)
    chains = find_chains(graph, target, anchors, rules, max_paths=1000)
    ways = [WayIn(p, p.edges[-1].subject_ca) for p in chains.paths if p.edges]
    return ways, chains.truncated


def _named_wosign(graph: TrustGraph, ca: str) -> bool:
    info = graph.ca(ca)
    text = fold(info.subject) if info else ""
    return "wosign" in text or "沃通" in text


def _fate(fate: AnchorFate, ca: Any) -> dict[str, Any]:
    """A program's fate of Entrust's roots, with labels for its CAs."""
    found = fate.as_dict()
    found["listed"] = [ca(c) for c in sorted(fate.listed)]
    found["still_listed"] = [ca(c) for c in sorted(fate.still_listed)]
    for item in found["constraints"]:
        item["ca"] = ca(item["ca"])
    for removal in found["removals"]:
        removal["cas"] = [ca(c) for c in removal["cas"]]
    return found


def as_document(result: DemoResult) -> dict[str, Any]:
    """The story as data (the JSON of ``trustgraph demo --format json``)."""
    graph = result.graph
    assert graph is not None and result.owners is not None
    owners = result.owners

    def ca(ca_id: str) -> dict[str, Any]:
        operator = owners.operator(ca_id)
        return {
            "ca": ca_id,
            "label": graph.label(ca_id),
            "operator": operator.as_dict() if operator else None,
        }

    def way(w: WayIn) -> dict[str, Any]:
        return {
            "anchor": ca(w.path.anchor_ca),
            "entry_certificate": w.entry,
            "entry_issuer": ca(w.path.edges[-1].issuer_ca),
            "entered": ca(w.entered),
            "edge_kind": w.path.edges[-1].kind,
            "weakest_edge": w.path.weakest_edge,
            "certificates": w.path.certificates,
            "entry_not_after": w.path.edges[-1].not_after,
        }

    dates = []
    for story in result.dates:
        dates.append(
            {
                "at": story.at,
                "snapshot": story.snapshot.as_dict(),
                "anchors": story.anchors,
                "wosign_roots_in_store": [ca(c) for c in story.wosign_roots],
                "ways_in": [way(w) for w in story.ways_in],
                "ways_into_lookalikes": [way(w) for w in story.lookalikes],
                "truncated": story.truncated,
                "reachable_without_wosign_roots": [
                    {**ca(c), "anchors": [ca(a) for a in anchors]}
                    for c, anchors in story.still_reachable.items()
                ],
                "unreachable_without_wosign_roots": [ca(c) for c in story.unreachable],
                "other_programs": [view.as_dict(ca) for view in story.programs],
            }
        )
    closings = {}
    for fingerprint, line in result.closings.items():
        edge = graph.edges[fingerprint]
        closings[fingerprint] = [
            {
                "from": interval.start,
                "until": interval.end,
                "issuer": graph.label(edge.issuer_ca),
                "subject": graph.label(edge.subject_ca),
                "opened_by": [e.as_dict() for e in interval.opened_by],
                "closed_by": [e.as_dict() for e in interval.closed_by],
            }
            for interval in line.intervals
        ]
    with Database(result.database, readonly=True) as db:
        provenance = db.provenance()
    return envelope(
        "demo",
        {"case": "wosign-2016", "mirror": result.mirror},
        provenance,
        {
            "case": "wosign-2016",
            "map": str(result.map_path) if result.map_path else None,
            "owner": result.owner,
            "database": str(result.database),
            "mirror": result.mirror,
            "edges": result.edge_kinds,
            "dates": dates,
            "entry_certificate_timelines": closings,
            "entrust_2024": [_fate(fate, ca) for fate in result.entrust],
        },
    )
