"""Maps of the real Web PKI: the whole CCADB graph (about 8,200 CAs) and a 360-CA
neighbourhood open offline, spread over the canvas, with labels that never overlap.
Screenshots land in ``test-artifacts/`` to be looked at; the timings are measured by
``benchmarks/maps.py``, not asserted here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser import Opened
from tests.corpus.conftest import run

pytestmark = [pytest.mark.corpus, pytest.mark.slow]

CERTUM = "Certum Trusted Network CA"
MAPS = {
    "whole-ccadb": ["render", "--at", "2021-01-01"],
    "certum-depth-2": [
        "render",
        CERTUM,
        "--depth",
        "2",
        "--store",
        "mozilla",
        "--at",
        "2016-10-01",
    ],
}


@pytest.mark.parametrize("name", sorted(MAPS))
def test_large_maps_are_legible(browser: Any, ccadb_db: Path, tmp_path: Path, name: str) -> None:
    out = tmp_path / f"{name}.html"
    done = run(*MAPS[name], "--out", str(out), "--db", str(ccadb_db), "--quiet")
    assert done.exit_code == 0, done.output
    opened = Opened(browser, out)
    assert opened.requests == [out.resolve().as_uri()] and not opened.errors
    for action in ("#fit", "#expand-all", "#fit"):
        opened.page.click(action)
        opened.settle()
        left, top, right, bottom = opened.js("window.trustgraphMap.drawnBox()")
        width, height = right - left, bottom - top
        assert max(width, height) <= 3 * min(width, height), (action, width, height)
        canvas = opened.page.locator("#network").bounding_box()
        assert width > 0.6 * canvas["width"] or height > 0.6 * canvas["height"]
        boxes = [label["box"] for label in opened.js("window.trustgraphMap.labels()")]
        assert len(boxes) > 20
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])
        opened.shot(f"{name}{'-expanded' if action == '#expand-all' else ''}.png")
