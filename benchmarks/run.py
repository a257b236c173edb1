"""trustgraph's benchmark: one command, one table.

    python benchmarks/run.py [--sizes ccadb,10k,100k,1m] [--neo4j 100k,1m] [--work DIR]

For each corpus (the real CCADB certificate report, and synthetic PKIs made by
``python -m tests.factories.synthetic``): the throughput of the whole ``trustgraph load``
process and its ratio to the physical limit of the job (``benchmarks/limit.py``: every
certificate parsed once and its signature checked once, on every core) and to a bare
single-process loop that only parses the same DER with ``cryptography`` and reads the
fields the model needs (both measured in the same run); the
start-up of a second command; query latencies in-process (library calls) and per
command-line call; peak RSS. For Neo4j (a test server started from Maven Central
artifacts): bulk import and incremental push throughput, and query latencies.

Results print as a table and are written as JSON to ``DIR/results.json``. Targets are in
the README; nothing here asserts them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from benchmarks.latency import pick_targets  # noqa: E402
from benchmarks.limit import limit_rate  # noqa: E402
from tests.conftest import corpus_path  # noqa: E402
from trustgraph import api  # noqa: E402
from trustgraph.analysis.impact import Scenario  # noqa: E402
from trustgraph.backends.neo4j.backend import Neo4jBackend  # noqa: E402
from trustgraph.graph.trustgraph import TrustGraph  # noqa: E402
from trustgraph.ingest.sources import Occurrence, read_paths  # noqa: E402
from trustgraph.storage.database import Database  # noqa: E402

AT = "2024-06-01"
TARGETS = 20
CLI_CALLS = 7


@dataclass
class Corpus:
    name: str
    inputs: list[Path]
    store_setup: list[list[str]]
    store: str
    prepared_seconds: float | None = None


@dataclass
class Results:
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)

    def put(self, corpus: str, key: str, value: Any) -> None:
        self.rows.setdefault(corpus, {})[key] = value
        print(f"  {corpus} {key}: {value}", file=sys.stderr, flush=True)


# -- measuring ---------------------------------------------------------------------------


class TreeRss:
    """Peak resident memory of a process and its children (summed), sampled every 50 ms."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_kb = 0
        self.main_peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            main = _rss_kb(self.pid)
            total = main + sum(_rss_kb(child) for child in _children(self.pid))
            self.main_peak_kb = max(self.main_peak_kb, main)
            self.peak_kb = max(self.peak_kb, total)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def run_command(
    args: list[str], env: dict[str, str] | None = None, program: list[str] | None = None
) -> tuple[float, int, str]:
    """Wall seconds, peak tree RSS (KB) and stdout of one ``trustgraph`` call (or of
    ``program`` with ``args``). It runs as an installed trustgraph does, with Python's
    bytecode cache: without it (PYTHONDONTWRITEBYTECODE) every call compiles the package."""
    environment = {**os.environ, **(env or {})}
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    started = time.perf_counter()
    process = subprocess.Popen(
        [*(program or ["trustgraph"]), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
    )
    sampler = TreeRss(process.pid)
    out, err = process.communicate()
    wall = time.perf_counter() - started
    sampler.stop()
    if process.returncode not in (0, 1):
        raise RuntimeError(
            f"{' '.join(program or ['trustgraph'])} {' '.join(args)} failed: {err[-2000:]}"
        )
    return wall, sampler.peak_kb, out


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50_ms": round(statistics.median(ordered) * 1000, 2), "p95_ms": round(p95 * 1000, 2)}


def timed(call: Callable[[], Any], repeat: int = 1) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return samples


# -- the bare loop -----------------------------------------------------------------------


def bare_rate(inputs: list[Path]) -> tuple[int, float]:
    """Certificates per second of a single-process loop that parses each DER with
    ``cryptography`` and reads the fields the model needs (reading files not timed)."""
    import warnings

    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    warnings.simplefilter("ignore")
    count, seconds = 0, 0.0
    for chunk in _der_chunks(inputs):
        started = time.perf_counter()
        for der in chunk:
            try:
                cert = x509.load_der_x509_certificate(der)
                fields = [
                    hashlib.sha256(der).digest(),
                    cert.subject.public_bytes(),
                    cert.issuer.public_bytes(),
                    cert.serial_number,
                    cert.not_valid_before_utc,
                    cert.not_valid_after_utc,
                    cert.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo),
                    cert.signature_algorithm_oid,
                    cert.tbs_certificate_bytes,
                    cert.signature,
                ]
                fields += [ext.value for ext in cert.extensions]
            except Exception:  # the floor counts what cryptography can read
                pass
        seconds += time.perf_counter() - started
        count += len(chunk)
    return count, count / seconds


def _der_chunks(inputs: list[Path]) -> Iterator[list[bytes]]:
    chunk: list[bytes] = []
    for item in read_paths(inputs):
        if isinstance(item, Occurrence):
            chunk.append(item.der)
            if len(chunk) >= 20_000:
                yield chunk
                chunk = []
    if chunk:
        yield chunk


# -- corpora -----------------------------------------------------------------------------


def parse_size(text: str) -> int:
    text = text.lower()
    return int(text[:-1]) * {"k": 1000, "m": 1_000_000}[text[-1]] if text[-1] in "km" else int(text)


def prepare(name: str, work: Path) -> Corpus:
    if name == "ccadb":
        data = corpus_path() / "ccadb"
        pems = data / "AllCertificatePEMsCSVFormat_crtsh_2026-08-20.csv.gz"
        records = data / "Mozilla_AllCertificateRecordsReport_2021-04-05.csv.gz"
        if not pems.is_file():
            raise SystemExit(f"the CCADB corpus is not at {data} (set TRUSTGRAPH_CORPUS)")
        setup = [["store", "add", "mozilla", str(records), "--as-of", "2021-04-05", "-q"]]
        return Corpus(name, [pems], setup, "mozilla")
    total = parse_size(name)
    out = work / f"synthetic-{name}"
    seconds = None
    if not (out / "shape.json").is_file():
        seconds, _rss, _out = run_command(
            [str(total), "--out", str(out)],
            program=[sys.executable, "-m", "tests.factories.synthetic"],
            env={"PYTHONPATH": str(PROJECT)},
        )
    return Corpus(
        name, [out / "certs"], [["case", "apply", str(out / "case.toml"), "-q"]], "synth", seconds
    )


# -- one corpus --------------------------------------------------------------------------


def bench_corpus(corpus: Corpus, work: Path, results: Results, neo4j: bool) -> None:
    name = corpus.name
    if corpus.prepared_seconds is not None:
        results.put(name, "generate_s", round(corpus.prepared_seconds, 1))
    count, bare = bare_rate(corpus.inputs)
    results.put(name, "certificates", count)
    results.put(name, "bare_loop_per_s", round(bare))
    _count, limit, verified = limit_rate(
        [der for chunk in _der_chunks(corpus.inputs) for der in chunk]
    )
    results.put(name, "limit_per_s", round(limit))
    results.put(name, "limit_verified", verified)
    db = work / f"{name}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    wall, rss, out = run_command(
        ["load", *map(str, corpus.inputs), "--db", str(db), "-q", "--format", "json"]
    )
    loaded = json.loads(out)
    results.put(name, "load_s", round(wall, 2))
    results.put(name, "load_per_s", round(loaded["found"] / wall))
    results.put(name, "load_vs_bare", round(loaded["found"] / wall / bare, 2))
    results.put(name, "load_vs_limit", round(loaded["found"] / wall / limit, 2))
    results.put(name, "load_peak_rss_mb", round(rss / 1024))
    results.put(name, "load_edges", loaded["edges_decided"])
    for setup in corpus.store_setup:
        run_command([*setup, "--db", str(db)])
    startup = [run_command(["store", "list", "--db", str(db)])[0] for _ in range(3)]
    results.put(name, "second_command_s", round(statistics.median(startup), 2))
    with Database(db) as database:
        targets = pick_targets(db, api.as_iso(AT))
        results.put(name, "query_targets", len(targets))
        anchors = api.anchors_for(database, store=corpus.store, at=AT)
        rules = api.with_revocations(database, api.make_rules(AT))
        started = time.perf_counter()
        graph = TrustGraph.from_database(database)
        results.put(name, "whole_graph_build_s", round(time.perf_counter() - started, 2))
        for label, whole in (("memory", None), ("memory_whole_graph", graph)):
            with api.open(database, graph=whole) as session:
                latency(results, name, label, session, targets, anchors, rules, corpus.store)
        del graph
    cli_latency(results, name, db, targets, corpus.store, {})
    if neo4j:
        bench_neo4j(results, name, db, targets, corpus.store)


def latency(
    results: Results,
    name: str,
    label: str,
    session: api.Session,
    targets: list[str],
    anchors: Any,
    rules: Any,
    store: str,
) -> None:
    """Query latencies of one session (its backend, its graph if given one): chains and
    reach of each target, an impact, the serial groups."""
    chains = [
        s
        for t in targets
        for s in timed(partial(session.chains, t, anchors=anchors, rules=rules, max_paths=100), 3)
    ]
    reach = [
        s
        for t in targets
        for s in timed(partial(session.reach, t, anchors=anchors, rules=rules), 3)
    ]
    results.put(name, f"{label}_chains", percentiles(chains))
    results.put(name, f"{label}_reach", percentiles(reach))
    found = (
        session.chains(targets[0], anchors=anchors, rules=rules, max_paths=1) if targets else None
    )
    anchor = found.paths[0].anchor_ca if found and found.paths else sorted(anchors.cas)[0]
    scenario = Scenario(distrust_roots=[anchor])
    results.put(
        name,
        f"{label}_impact",
        percentiles(timed(lambda: session.impact(store, rules.at, scenario, rules), 3)),
    )
    results.put(name, f"{label}_serials", percentiles(timed(lambda: session.serials("all"), 3)))


def cli_latency(
    results: Results, name: str, db: Path, targets: list[str], store: str, env: dict[str, str]
) -> None:
    backend = ["--backend", "neo4j"] if env else []
    common = ["--db", str(db), "-q", "--format", "json", *backend]
    label = "cli_neo4j" if env else "cli"
    for query, extra in (("chains", ["--max-paths", "100"]), ("reach", [])):
        samples = [
            run_command([query, t, "--store", store, "--at", AT, *extra, *common], env)[0]
            for t in targets[:CLI_CALLS]
        ]
        results.put(name, f"{label}_{query}", percentiles(samples))
    anchor = _first_anchor(db, store)
    impact = ["impact", "--store", store, "--at", AT, "--distrust-root", anchor, *common]
    results.put(
        name, f"{label}_impact", percentiles([run_command(impact, env)[0] for _ in range(3)])
    )
    serials = ["serials", "--db", str(db), "--format", "json", *backend]
    results.put(
        name, f"{label}_serials", percentiles([run_command(serials, env)[0] for _ in range(3)])
    )


def _first_anchor(db: Path, store: str) -> str:
    with Database(db) as database:
        return sorted(api.anchors_for(database, store=store, at=AT).cas)[0]


@contextmanager
def neo4j_server() -> Iterator[Any]:
    """A fresh test server with benchmark memory (the bulk import needs its home)."""
    from tests import neo4j_server as server_module

    server = server_module.start(heap="2g", page_cache_mb=1024)
    try:
        yield server
    finally:
        server.stop()


def _cpu_seconds(pid: int) -> float:
    """User and system CPU seconds a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _timed_push(
    args: list[str], env: dict[str, str], server_pid: int
) -> tuple[float, float, float, str]:
    """Wall seconds, client CPU seconds, server CPU seconds and stdout of one command."""
    import resource

    client_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_before = _cpu_seconds(server_pid)
    wall, _rss, out = run_command(args, env)
    client_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    client = (client_after.ru_utime + client_after.ru_stime) - (
        client_before.ru_utime + client_before.ru_stime
    )
    return wall, client, _cpu_seconds(server_pid) - server_before, out


PARITY_TARGETS = 5


def parity(db: Path, targets: list[str], store: str, env: dict[str, str]) -> str:
    """Whether the memory and Neo4j backends print the same JSON for chains and reach of
    the first targets, impact and serials: "N/N identical", else the commands that differ."""
    common = ["--db", str(db), "-q", "--format", "json"]
    at = ["--store", store, "--at", AT]
    commands = [[query, t, *at] for t in targets[:PARITY_TARGETS] for query in ("chains", "reach")]
    commands.append(["impact", *at, "--distrust-root", _first_anchor(db, store)])
    commands.append(["serials"])
    differing = []
    for command in commands:
        outputs = [
            run_command([*command, *common, "--backend", backend], env)[2]
            for backend in ("memory", "neo4j")
        ]
        if outputs[0] != outputs[1]:
            differing.append(" ".join(command[:2]))
    same = len(commands) - len(differing)
    return f"{same}/{len(commands)} identical" + (f"; differ: {differing}" if differing else "")


def bench_neo4j(results: Results, name: str, db: Path, targets: list[str], store: str) -> None:
    """Bulk import into the stopped server, the push that follows it (constraints, nothing
    else to send), an incremental push that merges every row again (``--restart``: the
    most an incremental push can have to do), with its time split between client and
    server, then query latencies."""
    import shlex

    from tests import neo4j_server as server_module
    from trustgraph.backends.neo4j.connection import Neo4jGraph, Neo4jSettings

    with neo4j_server() as server:
        env = {
            "NEO4J_URI": server.uri,
            "TRUSTGRAPH_NEO4J_ADMIN": shlex.join(server_module.admin_command()),
        }
        server.halt()
        bulk = ["neo4j", "push", "--bulk", "--overwrite", "--neo4j-home", str(server.home)]
        wall, _rss, out = run_command([*bulk, "--db", str(db), "-q", "--format", "json"], env)
        bulk_report = json.loads(out)
        imported = bulk_report["imported"]["certificates"]
        parts = bulk_report["seconds"]
        results.put(
            name,
            "neo4j_bulk_split",
            f"files {parts['files']:.1f} s, neo4j-admin import {parts['import']:.1f} s",
        )
        results.put(name, "neo4j_bulk_s", round(wall, 2))
        results.put(name, "neo4j_bulk_per_s", round(imported / wall))
        server.resume()
        push = ["neo4j", "push", "--db", str(db), "-q", "--format", "json"]
        wall, _client, _server, out = _timed_push(push, env, server.process.pid)
        results.put(name, "neo4j_after_bulk_s", round(wall, 2))
        results.put(name, "neo4j_after_bulk_pushed", json.loads(out)["pushed"])
        results.put(name, "neo4j_bulk_parity", parity(db, targets, store, env))
        wall, client, server_cpu, out = _timed_push([*push, "--restart"], env, server.process.pid)
        pushed = json.loads(out)["pushed"]["certificates"]
        results.put(name, "neo4j_incremental_per_s", round(pushed / wall))
        results.put(
            name,
            "neo4j_incremental_split",
            f"wall {wall:.1f} s: client CPU {client:.1f} s, server CPU {server_cpu:.1f} s",
        )
        with Database(db) as database, Neo4jGraph(Neo4jSettings(server.uri)) as neo:
            anchors = api.anchors_for(database, store=store, at=AT)
            rules = api.with_revocations(database, api.make_rules(AT))
            with api.open(database, backend=Neo4jBackend(neo)) as session:
                latency(results, name, "neo4j", session, targets, anchors, rules, store)
        cli_latency(results, name, db, targets, store, env)


# -- the table ---------------------------------------------------------------------------

ROWS = [
    ("certificates", "certificates"),
    ("generate_s", "synthetic generation (s)"),
    ("bare_loop_per_s", "bare cryptography loop (certs/s, 1 process)"),
    ("load_per_s", "trustgraph load (certs/s, whole process)"),
    ("limit_per_s", "limit: parse + find issuer + verify once, every core (certs/s)"),
    ("limit_verified", "limit: certificates whose signature verified"),
    ("load_vs_bare", "load / bare loop"),
    ("load_vs_limit", "load / limit (target >= 0.7)"),
    ("load_s", "load wall time (s)"),
    ("load_peak_rss_mb", "load peak RSS, all processes (MB)"),
    ("second_command_s", "second command start-up, `store list` (s, target <= 3 at 100k)"),
    ("whole_graph_build_s", "whole graph build, in-process (s)"),
    ("memory_chains", "chains --max-paths 100, in-process"),
    ("memory_reach", "reach, in-process (target p50 <= 50 ms; chains <= 100 ms)"),
    ("memory_impact", "impact, in-process"),
    ("memory_serials", "serials, in-process"),
    ("memory_whole_graph_chains", "chains on a prebuilt whole graph"),
    ("memory_whole_graph_reach", "reach on a prebuilt whole graph"),
    ("cli_chains", "chains, per CLI call"),
    ("cli_reach", "reach, per CLI call"),
    ("cli_impact", "impact, per CLI call"),
    ("cli_serials", "serials, per CLI call"),
    ("neo4j_bulk_per_s", "Neo4j push --bulk, whole command (certs/s, target >= 50k at 1M)"),
    ("neo4j_bulk_s", "Neo4j push --bulk (s)"),
    ("neo4j_bulk_split", "Neo4j push --bulk: time split"),
    ("neo4j_after_bulk_s", "Neo4j push after --bulk: constraints, nothing to send (s)"),
    ("neo4j_bulk_parity", "after --bulk, memory and Neo4j backends print the same"),
    ("neo4j_incremental_per_s", "Neo4j incremental push of every row (certs/s, target >= 10k)"),
    ("neo4j_incremental_split", "Neo4j incremental push: time split"),
    ("neo4j_chains", "Neo4j chains, in-process"),
    ("neo4j_reach", "Neo4j reach, in-process"),
    ("neo4j_impact", "Neo4j impact, in-process"),
    ("neo4j_serials", "Neo4j serials, in-process"),
    ("cli_neo4j_chains", "Neo4j chains, per CLI call"),
    ("cli_neo4j_reach", "Neo4j reach, per CLI call"),
]


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict) and "p50_ms" in value:
        return f"p50 {value['p50_ms']} / p95 {value['p95_ms']} ms"
    return str(value)


def print_table(results: Results) -> None:
    corpora = list(results.rows)
    header = ["measure", *corpora]
    lines = [header, ["---"] * len(header)]
    for key, label in ROWS:
        values = [results.rows[c].get(key) for c in corpora]
        if any(v is not None for v in values):
            lines.append([label, *map(cell, values)])
    for line in lines:
        print("| " + " | ".join(line) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="ccadb,10k,100k,1m", help="corpora, comma-separated")
    parser.add_argument(
        "--neo4j",
        default="100k,1m",
        help="corpora also imported and pushed into Neo4j ('' for none)",
    )
    parser.add_argument("--work", type=Path, default=PROJECT / "benchmarks" / "work")
    options = parser.parse_args()
    options.work.mkdir(parents=True, exist_ok=True)
    with_neo4j = {s for s in options.neo4j.split(",") if s}
    results = Results()
    machine = {
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "date": time.strftime("%Y-%m-%d"),
    }
    for name in options.sizes.split(","):
        print(f"== {name}", file=sys.stderr, flush=True)
        bench_corpus(prepare(name, options.work), options.work, results, name in with_neo4j)
        (options.work / "results.json").write_text(
            json.dumps({"machine": machine, "results": results.rows}, indent=2) + "\n"
        )
    print(f"trustgraph benchmark, {machine}")
    print_table(results)


if __name__ == "__main__":
    main()
