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
    STATES,
    Label,
    operator_colour,
    place_labels,
)

SVG = "{http://www.w3.org/2000/svg}"


def test_operator_colours_are_stable_and_never_a_state() -> None:
    assert operator_colour("digicert") == operator_colour("digicert")
    assert not set(OPERATOR_PALETTE) & {HIGHLIGHT, CLOSED, *STATES.values()}
    assert {operator_colour(f"operator {i}") for i in range(200)} == set(OPERATOR_PALETTE)


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


def _estate(tmp_path: Path, names: list[str]) -> Path:
    pki = PKI()
    root = pki.ca(names[0], org="Org P")
    pki.root(root)
    for name in names[1:]:
        pki.issue(root, pki.ca(name, org="Org P"))
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
    coloured = [c for c in tree.iter(f"{SVG}circle") if c.get("fill") == operator_colour("org p")]
    assert len(coloured) == 4  # three CAs and the legend's swatch


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
