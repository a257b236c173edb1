"""How maps scale: for the WoSign case (about 50 CAs), DigiCert's CAs and neighbours
(about 1,800) and the whole CCADB graph (about 8,200), the time ``trustgraph render``
takes, the file's size, and the time until the page is interactive in headless Debian
chromium (software WebGL: no GPU), median of three openings.

    python benchmarks/maps.py [--work DIR]

Prints a table and writes ``DIR/maps.json``. Needs the shared corpus and chromium.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from tests.conftest import CHROMIUM, corpus_path  # noqa: E402


def trustgraph(*args: str) -> float:
    """Run the command; its wall-clock seconds."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "trustgraph", *args, "--quiet"], check=True, capture_output=True
    )
    return time.perf_counter() - started


def open_seconds(page: Any, path: Path) -> float:
    started = time.perf_counter()
    page.goto(path.resolve().as_uri())
    page.wait_for_selector("body[data-ready=yes]", state="attached", timeout=120_000)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--work", type=Path, default=PROJECT / "benchmarks" / "work")
    work = parser.parse_args().work
    work.mkdir(parents=True, exist_ok=True)
    corpus = corpus_path()
    db = work / "maps-ccadb.db"
    if not db.exists():
        for source in (
            "ccadb/AllCertificatePEMsCSVFormat_crtsh_2026-08-20.csv.gz",
            "ccadb/Mozilla_AllCertificateRecordsReport_2021-04-05.csv.gz",
        ):
            trustgraph("load", str(corpus / source), "--db", str(db))
        trustgraph(
            "owners", "load", str(corpus / "owners/ca-relations-hiller2020.csv"), "--db", str(db)
        )
    demo = work / "maps-demo"
    maps = {
        "WoSign demo": (["demo", "--out", str(demo)], demo / "wosign-2016-map.html"),
        "DigiCert and neighbours": (
            ["render", "--owner", "DigiCert", "--at", "2021-01-01", "--db", str(db)],
            work / "digicert.html",
        ),
        "whole CCADB graph": (["render", "--at", "2021-01-01", "--db", str(db)], work / "all.html"),
    }
    from playwright.sync_api import sync_playwright

    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--enable-unsafe-swiftshader", "--use-angle=swiftshader"],
        )
        for name, (args, out) in maps.items():
            render = trustgraph(*args, *([] if args[0] == "demo" else ["--out", str(out)]))
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            opened = [open_seconds(page, out) for _ in range(3)]
            cas = page.evaluate("window.trustgraphMap.data.nodes.length")
            page.close()
            results.append(
                {
                    "map": name,
                    "cas": cas,
                    "render_s": round(render, 2),
                    "megabytes": round(out.stat().st_size / 1e6, 2),
                    "open_s": round(statistics.median(opened), 2),
                }
            )
        browser.close()
    print(f"{'map':26} {'CAs':>6} {'render s':>9} {'MB':>6} {'open s':>7}")
    for row in results:
        print(
            f"{row['map']:26} {row['cas']:>6} {row['render_s']:>9} {row['megabytes']:>6} "
            f"{row['open_s']:>7}"
        )
    (work / "maps.json").write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
