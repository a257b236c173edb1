"""In-process query latencies through the public API, for comparing two versions.

    python benchmarks/latency.py DB [--store synth] [--at 2024-06-01]

Uses only calls every version since the second round has (``api.chains``, ``api.reach``,
``api.impact``, ``api.serials`` with an open database, with and without a whole graph), so
that the same script measures a change's before and after on the same database. Prints one
JSON object: median and p95 milliseconds of each query.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

PROJECT = Path.cwd()
sys.path.insert(0, str(PROJECT))

from trustgraph import api  # noqa: E402
from trustgraph.graph.trustgraph import TrustGraph  # noqa: E402
from trustgraph.storage.database import Database  # noqa: E402

TARGETS = 20


def pick_targets(path: Path, at: str) -> list[str]:
    """CAs and leaves with a verified certificate valid at ``at``, chosen at random (fixed
    seed): what a reviewer or researcher would ask about."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        rows = connection.execute(
            "SELECT c.sha256, c.ca_id, c.is_ca FROM certificates c JOIN edges e "
            "ON e.certificate = c.sha256 WHERE e.kind = 'verified' AND e.issuer_ca <> c.ca_id "
            "AND c.not_before <= ? AND c.not_after >= ? ORDER BY c.sha256",
            (at, at),
        ).fetchall()
    rng = random.Random(1)
    cas = [ca for _fp, ca, is_ca in rows if is_ca]
    leaves = [fp for fp, _ca, is_ca in rows if not is_ca]
    chosen = rng.sample(cas, min(len(cas), TARGETS // 2))
    return chosen + rng.sample(leaves, min(len(leaves), TARGETS - len(chosen)))


def _timed(call: Callable[[], Any], repeat: int = 3) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def _summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--store", default="synth")
    parser.add_argument("--at", default="2024-06-01")
    args = parser.parse_args()
    moment = api.as_iso(args.at)
    targets = pick_targets(args.db, moment)
    found: dict[str, Any] = {"targets": len(targets)}
    with Database(args.db, readonly=True) as db:
        anchors = api.anchors_for(db, store=args.store, at=args.at)
        rules = api.with_revocations(db, api.make_rules(args.at))
        whole = TrustGraph.from_database(db)
        for label, graph in (("region", None), ("whole_graph", whole)):
            asked: dict[str, Any] = {"anchors": anchors, "rules": rules, "graph": graph}
            chains = [
                sample
                for target in targets
                for sample in _timed(partial(api.chains, db, target, max_paths=100, **asked))
            ]
            reach = [
                sample
                for target in targets
                for sample in _timed(partial(api.reach, db, target, **asked))
            ]
            first = api.chains(db, targets[0], anchors=anchors, rules=rules, max_paths=1)
            anchor = first.paths[0].anchor_ca if first.paths else sorted(anchors.cas)[0]
            scenario = api.Scenario(distrust_roots=[anchor])
            impact = _timed(
                partial(api.impact, db, args.store, args.at, scenario, rules, graph=graph)
            )
            found[f"{label}_chains"] = _summary(chains)
            found[f"{label}_reach"] = _summary(reach)
            found[f"{label}_impact"] = _summary(impact)
        found["serials"] = _summary(_timed(lambda: api.serials(db)))
    print(json.dumps(found, indent=1))


if __name__ == "__main__":
    main()
