"""HTML maps in a real browser (Debian's chromium, headless, network blocked), and the
page's safety with hostile certificate text."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PROJECT
from tests.factories.pki import PKI, when, write_pem
from trustgraph import api
from trustgraph.analysis.maps import plan_map
from trustgraph.graph.trustgraph import TrustGraph
from trustgraph.ingest.loader import load_paths
from trustgraph.policy.anchors import database_roots
from trustgraph.render.maps import render_map, script_json, write_map
from trustgraph.storage.database import Database

ARTIFACTS = PROJECT / "test-artifacts"
CHROMIUM = os.environ.get("TRUSTGRAPH_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    missing = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing = "the playwright package is not installed"
    if missing is None and not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        missing = (
            f"no chromium at {CHROMIUM} (apt-get install chromium, or set TRUSTGRAPH_CHROMIUM)"
        )
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(missing)
        pytest.skip(missing)
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-gpu",
            ],
        )
        yield instance
        instance.close()


class Opened:
    """A map open in a page, with every request it made and every error it raised."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.page = browser.new_page(viewport={"width": 1400, "height": 900})
        self.requests: list[str] = []
        self.failures: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("requestfailed", lambda r: self.failures.append(r.url))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("dialog", self._dismiss)
        self.page.route(
            "**/*",
            lambda route: (
                route.continue_() if route.request.url.startswith("file:") else route.abort()
            ),
        )
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_selector("body[data-physics=stopped]", state="attached", timeout=120_000)

    def _dismiss(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def js(self, expression: str) -> Any:
        return self.page.evaluate(expression)

    def click_node(self, ca: str) -> None:
        box = self.page.locator("#network").bounding_box()
        point = self.js(f"""(() => {{ const m = window.trustgraphMap;
            const p = m.network.getPositions(['{ca}'])['{ca}'];
            return m.network.canvasToDOM(p); }})()""")
        self.page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])


def _map(
    db: Database,
    tmp_path: Path,
    targets: list[str],
    at: str = "2020-01-01",
    highlight: str | None = "chains",
) -> tuple[Path, Any]:
    graph = TrustGraph.from_database(db)
    rules = api.with_revocations(db, api.make_rules(at))
    request = plan_map(
        db,
        graph,
        targets=targets,
        anchors=database_roots(db),
        rules=rules,
        highlight=highlight if targets else None,
        depth=2,
    )
    path = tmp_path / "map.html"
    write_map(path, render_map(graph, request))
    return path, request


@pytest.fixture
def cross_pki(db: Database, pki: PKI, tmp_path: Path) -> dict[str, Any]:
    """Roots A and B; B cross-signs A until 2021; A issues I (from 2019), I issues J."""
    a, b = pki.ca("Map Root A", org="Org A"), pki.ca("Map Root B", org="Org B")
    certs = {
        "a": pki.root(a),
        "b": pki.root(b),
        "cross": pki.issue(b, a, not_after=when("2021-01-01")),
        "i": pki.issue(a, "Map Intermediate", not_before=when("2019-01-01")),
    }
    certs["j"] = pki.issue(certs["i"].subject, "Map Issuing CA")
    load_paths(db, [write_pem(tmp_path / "pki.pem", pki.certs)])
    return certs


def test_offline_and_drawn(
    browser: Any, db: Database, cross_pki: dict[str, Any], tmp_path: Path
) -> None:
    path, _request = _map(db, tmp_path, ["Map Issuing CA"])
    text = path.read_text(encoding="utf-8")
    assert "<script src" not in text and "<link" not in text
    opened = Opened(browser, path)
    assert opened.requests == [path.resolve().as_uri()]
    assert opened.failures == [] and opened.errors == []
    painted = opened.js("""(() => { const c = document.querySelector('#network canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) n++; } return n; })()""")
    assert painted > 1000


def test_highlighted_edges_are_the_paths(
    browser: Any, db: Database, cross_pki: dict[str, Any], tmp_path: Path
) -> None:
    path, request = _map(db, tmp_path, ["Map Issuing CA"])
    expected = {e.certificate for p in request.highlight for e in p.edges}
    assert expected == {cross_pki[k].sha256 for k in ("i", "j", "cross")}
    opened = Opened(browser, path)
    shown = set(
        opened.js("window.trustgraphMap.data.edges.filter(e => e.highlight).map(e => e.id)")
    )
    assert shown == expected


def test_click_shows_details(
    browser: Any, db: Database, cross_pki: dict[str, Any], tmp_path: Path
) -> None:
    path, _request = _map(db, tmp_path, ["Map Issuing CA"])
    opened = Opened(browser, path)
    ca = db.conn.execute(
        "SELECT ca_id FROM certificates WHERE sha256 = ?", (cross_pki["i"].sha256,)
    ).fetchone()[0]
    opened.click_node(ca)
    details = opened.page.locator("#details").inner_text()
    assert "CN=Map Intermediate" in details and "Certificates of this CA" in details


def test_date_control_refilters(
    browser: Any, db: Database, cross_pki: dict[str, Any], tmp_path: Path
) -> None:
    path, _request = _map(db, tmp_path, ["Map Issuing CA"], at="2020-01-01")
    opened = Opened(browser, path)
    before = set(opened.js("window.trustgraphMap.visibleEdgeIds()"))
    opened.page.fill("#date", "2018-06-01")
    opened.page.locator("#date").dispatch_event("change")
    early = set(opened.js("window.trustgraphMap.visibleEdgeIds()"))
    opened.page.fill("#date", "2022-06-01")
    opened.page.locator("#date").dispatch_event("change")
    late = set(opened.js("window.trustgraphMap.visibleEdgeIds()"))
    assert cross_pki["i"].sha256 in before and cross_pki["i"].sha256 not in early
    assert cross_pki["cross"].sha256 in before and cross_pki["cross"].sha256 not in late
    assert "valid on 2022-06-01" in opened.page.locator("#status").inner_text()


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
        opened.js(f"window.trustgraphMap.showNode('{ca}')")
        assert opened.js("window.__pwned") is None
    labels = opened.js("window.trustgraphMap.data.nodes.map(n => n.label)")
    assert sorted(labels) == sorted(HOSTILE[i] for i in (0, 1, 3))
    opened.click_node(
        opened.js("window.trustgraphMap.data.nodes.find(n => n.label.startsWith('</script>')).id")
    )
    assert HOSTILE[1] in opened.page.locator("#details").inner_text()
    assert opened.dialogs == [] and opened.js("window.__pwned") is None and not opened.errors


def test_script_json_cannot_close_its_element() -> None:
    text = script_json({"x": "</script><!-- \u2028 & >"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text


def test_physics_stops_on_2000_cas(browser: Any, db: Database, tmp_path: Path) -> None:
    pki = PKI()
    root = pki.ca("Big Root")
    pki.root(root)
    parents = [root]
    for index in range(1999):
        child = pki.ca(f"Big CA {index:04d}")
        pki.issue(parents[index // 8], child)
        parents.append(child)
    load_paths(db, [write_pem(tmp_path / "big.pem", pki.certs)])
    path, request = _map(db, tmp_path, [], highlight=None)
    assert len(request.cas) == 2000
    opened = Opened(browser, path)
    assert opened.js("window.trustgraphMap.physicsStopped") is True
    assert opened.js("window.trustgraphMap.nodes.length") == 2000
    assert not opened.errors


def test_physics_settles_then_stops(browser: Any, db: Database, tmp_path: Path) -> None:
    pki = PKI()
    root = pki.ca("Mid Root")
    pki.root(root)
    for index in range(120):
        pki.issue(root, f"Mid CA {index}")
    load_paths(db, [write_pem(tmp_path / "mid.pem", pki.certs)])
    path, _request = _map(db, tmp_path, [], highlight=None)
    opened = Opened(browser, path)
    assert opened.js("window.trustgraphMap.data.physics") is True
    assert opened.js("window.trustgraphMap.physicsStopped") is True


def test_wosign_demo_map(browser: Any, tmp_path: Path) -> None:
    from trustgraph.demo.story import run_demo

    result = run_demo(tmp_path / "demo")
    assert result.map_path is not None and result.map_path.exists()
    opened = Opened(browser, result.map_path)
    assert opened.requests == [result.map_path.resolve().as_uri()] and not opened.errors
    highlighted = set(
        opened.js("window.trustgraphMap.data.edges.filter(e => e.highlight).map(e => e.id)")
    )
    assert {
        "1092c43d57bcda0af70291e37fdde88b02de83e3f4013272d4ca2ae3c7498fe4",
        "7bda50131ea7e55c8fdda63563d12314a7159d5621333ba8bcdad0b8a3a50e6c",
    } <= highlighted
    assert "8b97f276e45686ce8990bb21e4498f34a4aaaaf0e183933ed5a2476f4809b3cc" in highlighted
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "wosign-demo-map.png"
    opened.page.screenshot(path=str(shot))
    assert shot.stat().st_size > 20_000
