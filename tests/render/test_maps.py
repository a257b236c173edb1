"""HTML maps in a real browser (Debian's chromium, headless, network blocked): drawing,
hover, details, grouping, filters, search, the date control against ``chains``, labels, and
the page's safety with hostile certificate text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser import Opened
from tests.factories.pki import PKI, when, write_pem
from trustgraph import api
from trustgraph.analysis.maps import MapRequest, plan_map
from trustgraph.graph.trustgraph import TrustGraph
from trustgraph.ingest.loader import load_paths
from trustgraph.policy.anchors import database_roots
from trustgraph.render.maps import render_map, script_json, write_map
from trustgraph.storage.database import Database
from trustgraph.stored import StoredRecords


def _map(
    db: Database,
    tmp_path: Path,
    targets: list[str],
    at: str = "2020-01-01",
    highlight: str | None = "chains",
    depth: int = 2,
) -> tuple[Path, MapRequest]:
    graph = TrustGraph.from_database(db)
    rules = api.with_revocations(db, api.make_rules(at))
    request = plan_map(
        StoredRecords(db),
        graph,
        targets=targets,
        anchors=database_roots(db),
        rules=rules,
        highlight=highlight if targets else None,
        depth=depth,
    )
    path = tmp_path / "map.html"
    write_map(path, render_map(graph, request))
    return path, request


def _ca(db: Database, fingerprint: str) -> str:
    row = db.conn.execute("SELECT ca_id FROM certificates WHERE sha256 = ?", (fingerprint,))
    return str(row.fetchone()[0])


@pytest.fixture
def cross_pki(db: Database, pki: PKI, tmp_path: Path) -> dict[str, Any]:
    """Roots A and B; B cross-signs A until 2021; A issues I (from 2019, revoked
    2022-03-01), I issues J."""
    from trustgraph.ingest import facts

    a, b = pki.ca("Map Root A", org="Org A"), pki.ca("Map Root B", org="Org B")
    certs = {
        "a": pki.root(a),
        "b": pki.root(b),
        "cross": pki.issue(b, a, not_after=when("2021-01-01")),
        "i": pki.issue(a, "Map Intermediate", not_before=when("2019-01-01")),
    }
    certs["j"] = pki.issue(certs["i"].subject, "Map Issuing CA")
    load_paths(db, [write_pem(tmp_path / "pki.pem", pki.certs)])
    facts.record_revocations(
        db, [(certs["i"].sha256, None, None, "2022-03-01T00:00:00Z", None, "test", None)]
    )
    return certs


def test_offline_and_drawn(
    browser: Any, db: Database, cross_pki: dict[str, Any], tmp_path: Path
) -> None:
    path, _request = _map(db, tmp_path, ["Map Issuing CA"])
    text = path.read_text(encoding="utf-8")
    assert "<script src" not in text and "<link" not in text
    opened = Opened(browser, path)
    assert opened.requests == [path.resolve().as_uri()]
    assert opened.errors == []
    shot = opened.shot("small-map.png")
    assert shot.stat().st_size > 10_000
    assert opened.js("window.trustgraphMap.graph.order") == 4  # CAs: two roots, I, J


DAYS = ["2018-06-01", "2019-06-01", "2020-06-01", "2021-06-01", "2022-06-01"]


def test_the_date_control_gives_what_chains_gives(
    browser: Any, db: Database, cross_pki: dict[str, Any], tmp_path: Path
) -> None:
    path, _request = _map(db, tmp_path, ["Map Issuing CA"])
    opened = Opened(browser, path)
    anchors = database_roots(db)
    for day in DAYS:
        opened.set_day(day)
        shown = {tuple(p) for p in opened.js("window.trustgraphMap.highlightedPaths()")}
        found = api.chains(db, "Map Issuing CA", anchors=anchors, rules=api.make_rules(day))
        expected = {(p.anchor_ca, *(e.certificate for e in p.edges)) for p in found.paths}
        assert shown == expected, day
        assert opened.page.locator("#title").inner_text().endswith(f"on {day}")
    opened.set_day("2022-06-01")
    assert opened.js(f"window.trustgraphMap.edgeState('{cross_pki['i'].sha256}')") == "revoked"
    assert opened.js(f"window.trustgraphMap.edgeColour('{cross_pki['i'].sha256}')") == "#cc3311"
    assert "on 2022-06-01" in opened.page.locator("#status").inner_text()


def test_hover_tells_what_a_ca_and_a_certificate_are(
    browser: Any, db: Database, cross_pki: dict[str, Any], tmp_path: Path
) -> None:
    path, _request = _map(db, tmp_path, ["Map Issuing CA"])
    opened = Opened(browser, path)
    key = opened.js(f"window.trustgraphMap.nodeKey('{_ca(db, cross_pki['a'].sha256)}')")
    opened.page.mouse.move(*opened.point(key))
    tooltip = opened.page.locator("#tooltip")
    tooltip.wait_for(state="visible")
    lines = tooltip.inner_text().splitlines()
    assert lines[:2] == ["Map Root A", "operator: Org A (guess)"]
    assert "trust anchor of the map" in lines and "on a highlighted path" in lines
    opened.page.mouse.click(*opened.point(key))
    details = opened.page.locator("#details").inner_text()
    assert "CN=Map Root A,O=Org A" in details and "Org A (guess)" in details


@pytest.fixture
def two_operators(db: Database, tmp_path: Path) -> dict[str, Any]:
    """450 CAs: root R of Org Big with 300 subordinates (20 of them expired), root S of
    Org Small with 148, and one cross-certificate S -> R."""
    pki = PKI()
    big, small = pki.ca("Big Root", org="Org Big"), pki.ca("Small Root", org="Org Small")
    pki.root(big)
    pki.root(small)
    for index in range(300):
        expired = {"not_after": when("2019-01-01")} if index < 20 else {}
        pki.issue(big, pki.ca(f"Big CA {index:03d}", org="Org Big"), **expired)
    for index in range(148):
        pki.issue(small, pki.ca(f"Small CA {index:03d}", org="Org Small"))
    cross = pki.issue(small, big)
    load_paths(db, [write_pem(tmp_path / "two.pem", pki.certs)])
    path, request = _map(db, tmp_path, [], highlight=None)
    return {"path": path, "request": request, "cross": cross.sha256}


def test_big_maps_open_grouped_and_expand_on_click(
    browser: Any, two_operators: dict[str, Any]
) -> None:
    opened = Opened(browser, two_operators["path"])
    assert opened.js("window.trustgraphMap.data.collapsed") is True
    assert opened.js("window.trustgraphMap.groupShown('org big')") is True
    assert opened.js("window.trustgraphMap.graph.order") == 2
    labels = [label["text"] for label in opened.js("window.trustgraphMap.labels()")]
    assert "Org Big (301 CAs)" in labels and "Org Small (149 CAs)" in labels
    opened.page.mouse.click(*opened.point(opened.js("window.trustgraphMap.groupKey('org big')")))
    assert opened.js("window.trustgraphMap.isExpanded('org big')") is True, opened.errors
    assert opened.js("window.trustgraphMap.graph.order") == 302, opened.errors
    assert opened.js(f"window.trustgraphMap.edgeShown('{two_operators['cross']}')") is False
    opened.page.click("#expand-all")
    assert opened.js(f"window.trustgraphMap.edgeShown('{two_operators['cross']}')") is True
    opened.shot("grouped-map.png")


def test_filters_hide_what_they_say(browser: Any, two_operators: dict[str, Any]) -> None:
    opened = Opened(browser, two_operators["path"])
    opened.page.click("#expand-all")
    order = opened.js("window.trustgraphMap.graph.order")
    opened.page.locator("input[data-group='org small']").uncheck()
    assert opened.js("window.trustgraphMap.graph.order") == order - 149
    opened.page.locator("input[data-group='org small']").check()
    edges = opened.js("window.trustgraphMap.graph.size")
    opened.page.locator("#usable-only").check()
    assert opened.js("window.trustgraphMap.graph.size") == edges - 20
    opened.page.locator("input[data-kind='verified']").uncheck()
    assert opened.js("window.trustgraphMap.graph.size") == 0


def test_search_expands_and_zooms_to_a_ca(browser: Any, two_operators: dict[str, Any]) -> None:
    opened = Opened(browser, two_operators["path"])
    opened.page.fill("#search", "Small CA 077")
    opened.page.press("#search", "Enter")
    opened.settle()
    assert opened.js("window.trustgraphMap.isExpanded('org small')") is True
    key = opened.js(
        "(() => { const g = window.trustgraphMap.graph;"
        " return g.nodes().find(k => g.getNodeAttribute(k, 'label') === 'Small CA 077'); })()"
    )
    x, y = opened.point(key)
    box = opened.page.locator("#network").bounding_box()
    assert (
        abs(x - (box["x"] + box["width"] / 2)) < 40 and abs(y - (box["y"] + box["height"] / 2)) < 40
    )
    assert "Small CA 077" in opened.page.locator("#details").inner_text()


def test_labels_never_overlap(browser: Any, two_operators: dict[str, Any]) -> None:
    opened = Opened(browser, two_operators["path"])
    for action in ("#expand-all", "#fit"):
        opened.page.click(action)
        opened.settle()
        boxes = [label["box"] for label in opened.js("window.trustgraphMap.labels()")]
        assert len(boxes) > 20
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (a, b)


HOSTILE = [
    '<img src=x onerror="window.__pwned=1">',
    "</script><script>window.__pwned=2</script>",
    '<a href="javascript:window.__pwned=3">click</a>',
    "[link=https://evil.example]x[/link] \u2028 & <!--",
]


def test_hostile_names_stay_text(browser: Any, db: Database, pki: PKI, tmp_path: Path) -> None:
    root = pki.ca(HOSTILE[0])
    pki.root(root)
    child = pki.ca(HOSTILE[1], org=HOSTILE[2])
    pki.issue(root, child)
    pki.issue(child, HOSTILE[3])
    load_paths(db, [write_pem(tmp_path / "h.pem", pki.certs)])
    path, _request = _map(db, tmp_path, [], highlight=None)
    text = path.read_text(encoding="utf-8")
    for payload in HOSTILE:
        assert payload not in text  # only ever present in escaped form
    assert text.count("</script>") == 3  # the data block and the two scripts of the page
    opened = Opened(browser, path)
    for ca in opened.js("window.trustgraphMap.data.nodes.map(n => n.id)"):
        opened.js(f"window.trustgraphMap.select('{ca}')")
        opened.page.mouse.move(*opened.point(opened.js(f"window.trustgraphMap.nodeKey('{ca}')")))
        assert opened.js("window.__pwned") is None
    labels = opened.js("window.trustgraphMap.data.nodes.map(n => n.label)")
    assert sorted(labels) == sorted(HOSTILE[i] for i in (0, 1, 3))
    drawn = [label["text"] for label in opened.js("window.trustgraphMap.labels()")]
    assert sorted(drawn) == sorted(labels)
    target = opened.js(
        "window.trustgraphMap.data.nodes.find(n => n.label.startsWith('</script>')).id"
    )
    opened.js(f"window.trustgraphMap.select('{target}')")
    assert HOSTILE[1] in opened.page.locator("#details").inner_text()
    assert opened.dialogs == [] and opened.js("window.__pwned") is None and not opened.errors


def test_script_json_cannot_close_its_element() -> None:
    text = script_json({"x": "</script><!-- \u2028 & >"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text


WOSIGN_G2 = "Certification Authority of WoSign G2"
STARTCOM_SHA1 = (
    "8b97f276e45686ce8990bb21e4498f34a4aaaaf0e183933ed5a2476f4809b3cc",
    "e81e53747e2e060d4623974b9efdd1da4bebdcaed456efc63d0d5058c8b25597",
)
CERTUM_TO_G2 = (
    "1092c43d57bcda0af70291e37fdde88b02de83e3f4013272d4ca2ae3c7498fe4",
    "7bda50131ea7e55c8fdda63563d12314a7159d5621333ba8bcdad0b8a3a50e6c",
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from trustgraph.demo.story import run_demo

    return run_demo(tmp_path_factory.mktemp("demo") / "demo")


def test_the_wosign_demo_map_at_its_dates(browser: Any, demo: Any) -> None:
    opened = Opened(browser, demo.map_path)
    assert opened.requests == [demo.map_path.resolve().as_uri()] and not opened.errors
    opened.set_day("2017-06-01")
    used = {fp for path in opened.js("window.trustgraphMap.highlightedPaths()") for fp in path}
    assert not used & set(STARTCOM_SHA1)
    for fingerprint in STARTCOM_SHA1:
        assert opened.js(f"window.trustgraphMap.edgeState('{fingerprint}')") == "hash refused"
    opened.set_day("2016-12-01")
    used = {fp for path in opened.js("window.trustgraphMap.highlightedPaths()") for fp in path}
    for fingerprint in CERTUM_TO_G2:
        assert fingerprint not in used
        assert opened.js(f"window.trustgraphMap.edgeState('{fingerprint}')") == "revoked"
        assert opened.js(f"window.trustgraphMap.edgeColour('{fingerprint}')") == "#cc3311"
    opened.set_day("2016-06-01")
    used = {fp for path in opened.js("window.trustgraphMap.highlightedPaths()") for fp in path}
    assert set(CERTUM_TO_G2) <= used and set(STARTCOM_SHA1) <= used
    opened.shot("wosign-demo-map.png")


CASE_DAYS = ["2015-06-01", "2016-06-01", "2016-12-01", "2017-06-01", "2018-01-01"]


def test_a_wosign_map_agrees_with_chains_at_five_dates(
    browser: Any, demo: Any, tmp_path: Path
) -> None:
    with Database(demo.database, readonly=True) as db:
        graph = TrustGraph.from_database(db)
        request = plan_map(
            StoredRecords(db),
            graph,
            targets=[WOSIGN_G2],
            anchors=api.anchors_for(db, store="mozilla", at="2016-06-01"),
            rules=api.with_revocations(db, api.make_rules("2016-06-01")),
            highlight="chains",
            store="mozilla",
        )
        path = tmp_path / "g2.html"
        write_map(path, render_map(graph, request))
        opened = Opened(browser, path)
        for day in CASE_DAYS:
            opened.set_day(day)
            shown = {tuple(p) for p in opened.js("window.trustgraphMap.highlightedPaths()")}
            found = api.chains(
                db,
                WOSIGN_G2,
                anchors=api.anchors_for(db, store="mozilla", at=day),
                rules=api.make_rules(day),
            )
            assert shown == {
                (p.anchor_ca, *(e.certificate for e in p.edges)) for p in found.paths
            }, day


def test_impact_maps_mark_the_distrusted_and_the_closed(
    browser: Any, db: Database, cross_pki: dict[str, Any], tmp_path: Path
) -> None:
    """Distrusting root A at 2020-06-01: A is ringed as distrusted, the way in through B's
    cross-certificate survives (highlighted), the paths from A are closed."""
    from trustgraph.analysis.impact import Scenario
    from trustgraph.ingest import stores

    stores.add_snapshot(
        db, "s", write_pem(tmp_path / "s.pem", [cross_pki["a"], cross_pki["b"]]),
        "2015-01-01T00:00:00Z",
    )  # fmt: skip
    graph = TrustGraph.from_database(db)
    request = plan_map(
        StoredRecords(db),
        graph,
        targets=[],
        anchors=api.anchors_for(db, store="s", at="2020-06-01"),
        rules=api.with_revocations(db, api.make_rules("2020-06-01")),
        highlight="impact",
        scenario=Scenario(distrust_roots=[cross_pki["a"].sha256]),
        store="s",
    )
    path = tmp_path / "impact.html"
    write_map(path, render_map(graph, request))
    opened = Opened(browser, path)
    legend = opened.page.locator("#legend").inner_text()
    for entry in ("anchor the scenario distrusts", "surviving way in", "path the scenario closes"):
        assert entry in legend
    root_a = _ca(db, cross_pki["a"].sha256)
    assert opened.js(f"window.trustgraphMap.data.nodes.find(n => n.id === '{root_a}').distrusted")
    ways = opened.js("window.trustgraphMap.highlightedPaths()")
    assert [cross_pki["cross"].sha256] in [path[1:2] for path in ways]
    closed = opened.js("window.trustgraphMap.closedPaths()")
    assert closed == [[root_a, cross_pki["i"].sha256]]
    assert opened.js(f"window.trustgraphMap.edgeColour('{cross_pki['i'].sha256}')") == "#cc3311"
    assert "closed by the scenario" in opened.page.locator("#status").inner_text()
    opened.shot("impact-map.png")
