"""The coverage picture: one row per store, one cell per month, each month coloured by the
age of the snapshot standing for the store on its first day, red in a gap, grey before the
first."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from typer.testing import CliRunner

from tests.factories.pki import PKI, write_pem
from trustgraph.cli import app
from trustgraph.core.records import Snapshot
from trustgraph.policy.coverage import coverage
from trustgraph.render.coveragesvg import AGEING, BEFORE, FRESH, GAP, OLD, coverage_svg, months

SVG = "{http://www.w3.org/2000/svg}"


def _snapshot(store: str, as_of: str) -> Snapshot:
    return Snapshot(0, store, f"{as_of}T00:00:00Z", "pem", "x.pem", None, None, "day", None)


def _month_colours(svg: str, store: str) -> dict[str, str]:
    """Month (YYYY-MM) -> colour of ``store``'s row, read back from the picture's cells."""
    colours = {}
    for rect in ET.fromstring(svg).iter(f"{SVG}rect"):
        title = rect.find(f"{SVG}title")
        if title is None or not (title.text or "").startswith(f"{store}, "):
            continue
        first, last = re.findall(r"\d{4}-\d{2}", title.text or "")[:2]
        for month in months(f"{first}-01", f"{last}-01"):
            colours[month[:7]] = rect.attrib["fill"]
    return colours


def test_each_month_has_the_colour_of_its_snapshots_age() -> None:
    """Snapshots of 2020-01-01 and 2022-03-01: 2019 is before the first; 2020-01 to
    2021-02 age (the first stands for 400 days, to 2021-02-04); then a gap to 2022-03."""
    item = coverage("s", [_snapshot("s", "2020-01-01"), _snapshot("s", "2022-03-01")])
    colours = _month_colours(
        coverage_svg([item], "2019-11-01T00:00:00Z", "2022-05-15T00:00:00Z"), "s"
    )
    assert len(colours) == len(months("2019-11-01", "2022-05-01"))
    expected = {
        "2019-12": BEFORE,
        "2020-01": FRESH,
        "2020-03": FRESH,
        "2020-04": AGEING,  # on 2020-04-01 the snapshot is 91 days old
        "2020-07": AGEING,  # 182 days
        "2020-08": OLD,
        "2021-02": OLD,
        "2021-03": GAP,
        "2022-02": GAP,
        "2022-03": FRESH,
    }
    assert {month: colours[month] for month in expected} == {
        month: band.colour for month, band in expected.items()
    }


def test_store_names_are_escaped() -> None:
    name = '<script>alert(1)</script>&"'
    item = coverage(name, [_snapshot(name, "2020-01-01")])
    svg = coverage_svg([item], "2020-01-01T00:00:00Z", "2020-03-01T00:00:00Z")
    ET.fromstring(svg)  # well-formed: nothing of the name broke out
    assert "<script>" not in svg


def test_cli_writes_the_picture_atomically_and_refuses_out_for_tables(tmp_path: Path) -> None:
    pki = PKI()
    bundle = write_pem(tmp_path / "roots.pem", [pki.root("Pictured Root")])
    db = str(tmp_path / "c.db")
    runner = CliRunner()
    for day in ("2020-01-01", "2021-06-01"):
        done = runner.invoke(app, ["store", "add", "s", str(bundle), "--as-of", day, "--db", db])
        assert done.exit_code == 0, done.output
    out = tmp_path / "coverage.svg"
    args = ["store", "coverage", "--db", db, "--at", "2022-01-01", "--format", "svg"]
    done = runner.invoke(app, [*args, "--out", str(out)])
    assert done.exit_code == 0, done.output
    colours = _month_colours(out.read_text(), "s")
    assert min(colours) == "2020-01" and max(colours) == "2022-01"
    assert colours["2021-06"] == FRESH.colour
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]
    png = runner.invoke(app, [*args[:-1], "png", "--out", str(tmp_path / "c.png")])
    assert png.exit_code == 0 and (tmp_path / "c.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    table = runner.invoke(app, ["store", "coverage", "--db", db, "--out", str(tmp_path / "t.txt")])
    assert table.exit_code == 2 and "--out is for pictures" in table.stderr
