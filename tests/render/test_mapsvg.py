"""Static pictures of maps: the opening view as SVG and PNG, with its legend, text escaped,
labels that never overlap."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from tests.factories.pki import PKI, write_pem
from tests.fuzzing import fuzz
from tests.process import trustgraph
from trustgraph.render.mapstyle import (
    CLOSED,
    HIGHLIGHT,
    OPERATOR_PALETTE,
    OTHER_OPERATORS,
    STATES,
    UNKNOWN_OPERATOR,
    Label,
    operator_colours,
    place_labels,
    text_width,
)
from trustgraph.render.mapsvg import FONT, LEGEND, WIDTH
from trustgraph.stored import StoredRecords

SVG = "{http://www.w3.org/2000/svg}"


def test_operators_drawn_together_get_distinct_colours() -> None:
    """Ranked by CAs drawn (then name), the first twelve take the palette's twelve colours;
    the rest share the "other operators" grey; no colour is a highlight or a state."""
    counts = {f"operator {i:02d}": 100 - i for i in range(15)} | {"?": 50}
    colours = operator_colours(counts, "?")
    ranked = [f"operator {i:02d}" for i in range(15)]
    assert [colours[key] for key in ranked[:12]] == list(OPERATOR_PALETTE)
    assert {colours[key] for key in ranked[12:]} == {OTHER_OPERATORS}
    assert colours["?"] == UNKNOWN_OPERATOR
    assert operator_colours(dict(reversed(counts.items())), "?") == colours
    assert not set(colours.values()) & {HIGHLIGHT, CLOSED, *STATES.values()}


def test_wosign_and_startcom_are_told_apart_on_the_demo_map(tmp_path: Path) -> None:
    from trustgraph import api
    from trustgraph.analysis.maps import plan_map
    from trustgraph.graph.trustgraph import TrustGraph
    from trustgraph.render.maps import map_data
    from trustgraph.storage.database import Database

    with Database(api.demo(tmp_path), readonly=True) as db:
        whole = TrustGraph.from_database(db)
        rules = api.make_rules("2016-10-21")
        request = plan_map(
            StoredRecords(db), whole, targets=[], anchors=api.anchors_for(db), rules=rules,
            highlight=None, owner_names=["WoSign", "StartCom"], depth=1, store=None,
        )  # fmt: skip
        groups = {g["name"]: g["colour"] for g in map_data(whole, request)["groups"]}
    wosign = next(c for name, c in groups.items() if "WoSign" in name)
    startcom = next(c for name, c in groups.items() if "StartCom" in name)
    assert wosign != startcom


@fuzz(100)
@given(
    st.lists(
        st.tuples(
            st.floats(0, 600), st.floats(0, 400), st.text(min_size=1, max_size=30), st.floats(0, 9)
        ),
        max_size=80,
    )
)
def test_placed_labels_never_overlap(items: list[tuple[float, float, str, float]]) -> None:
    labels = [Label(str(i), text, x, y, w) for i, (x, y, text, w) in enumerate(items)]
    placed = place_labels(labels, 12, 640, 420)
    boxes = [box for _label, box in placed]
    for i, a in enumerate(boxes):
        assert min(a[0], a[1]) >= 0 and a[2] <= 640 and a[3] <= 420
        for b in boxes[i + 1 :]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])


def _estate(tmp_path: Path, names: list[str], org: str = "Org P") -> Path:
    pki = PKI()
    root = pki.ca(names[0], org=org)
    pki.root(root)
    for name in names[1:]:
        pki.issue(root, pki.ca(name, org=org))
    db = tmp_path / "p.db"
    done = trustgraph("load", str(write_pem(tmp_path / "p.pem", pki.certs)), "--db", str(db))
    assert done.returncode == 0, done.stderr
    return db


def test_svg_of_the_opening_view(tmp_path: Path) -> None:
    names = ["Picture Root", '<script>alert("x")</script> & Co', "Plain CA"]
    db = _estate(tmp_path, names)
    out = tmp_path / "map.svg"
    done = trustgraph("render", "--at", "2020-01-01", "--out", str(out), "--db", str(db))
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="utf-8")
    assert "<script>" not in text
    tree = ET.fromstring(text)
    shown = [t.text for t in tree.iter(f"{SVG}text")]
    assert "trustgraph map: the whole graph on 2020-01-01" in shown
    assert names[1] in shown and "Org P (3)" in shown
    coloured = [c for c in tree.iter(f"{SVG}circle") if c.get("fill") == OPERATOR_PALETTE[0]]
    assert len(coloured) == 4  # three CAs and the legend's swatch


def test_the_legend_stays_inside_the_picture(tmp_path: Path) -> None:
    long = "Asseco Data Systems S.A. (previously Unizeto Certum) Qualified Services Unit"
    db = _estate(tmp_path, ["Picture Root", "Plain CA"], org=long)
    out = tmp_path / "map.svg"
    done = trustgraph("render", "--at", "2020-01-01", "--out", str(out), "--db", str(db))
    assert done.returncode == 0, done.stderr
    tree = ET.fromstring(out.read_text(encoding="utf-8"))
    legend = [t for t in tree.iter(f"{SVG}text") if float(t.get("x", 0)) > WIDTH - LEGEND]
    assert legend
    for text in legend:
        assert float(text.get("x", 0)) + text_width(text.text or "", FONT) <= WIDTH, text.text
    assert any("not usable (expired," in (t.text or "") for t in legend)
    assert any("Asseco Data Systems" in (t.text or "") for t in legend)


def test_png_and_the_format_from_the_suffix(tmp_path: Path) -> None:
    db = _estate(tmp_path, ["Picture Root", "Plain CA"])
    png = tmp_path / "map.png"
    done = trustgraph("render", "--at", "2020-01-01", "--out", str(png), "--db", str(db))
    assert done.returncode == 0, done.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    forced = tmp_path / "picture"
    done = trustgraph(
        "render", "--at", "2020-01-01", "--out", str(forced), "--format", "svg", "--db", str(db)
    )
    assert done.returncode == 0 and forced.read_text().startswith("<svg")
