"""Record every command's output over fixed databases, to compare a change's before and after.

    python scripts/record_outputs.py record OUT --demo DB [--corpus DB]
    python scripts/record_outputs.py compare BEFORE AFTER

``record`` runs each command of the list below (the demo database for every command, a
corpus database, if given, for the queries where scale matters; ``--data``: the shared
data folder) and writes its exit code (a command ending in ``--no-db`` reads no database),
stdout, stderr and any file it wrote under OUT, one file per command. ``compare`` names
every command whose record differs. The databases are only read: give the same ones before
and after.
"""

from __future__ import annotations

import argparse
import hashlib
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

AT = "--at 2016-12-01"
FORMATS = ("table", "json", "csv", "markdown")
WOSIGN = "'Certification Authority of WoSign G2'"

DEMO = [
    *(f"chains {WOSIGN} {AT} --format {f}" for f in FORMATS),
    f"chains {WOSIGN} {AT} --store mozilla --format json",
    *(f"reach {WOSIGN} {AT} --format {f}" for f in FORMATS),
    f"reach {WOSIGN} {AT} --store all",
    f"reach 'StartCom Certification Authority' {AT} --store mozilla --format json",
    *(f"timeline {WOSIGN} --store mozilla --until 2017-12-01 --format {f}" for f in FORMATS),
    *(f"impact --distrust-owner WoSign --store mozilla {AT} --format {f}" for f in FORMATS),
    f"impact --distrust-owner WoSign --store mozilla {AT} --horizon 2017-12-01",
    f"impact --distrust-root {WOSIGN} --store mozilla {AT} --format json",
    f"impact --distrust-owner WoSign --store all {AT}",
    f"impact --distrust-owner WoSign --store mozilla {AT} --clients default --format json",
    *(f"cross-signs --at 2016-12-01 --format {f}" for f in FORMATS),
    "cross-signs",
    *(f"serials --format {f}" for f in FORMATS),
    "serials --scope ca",
    *(f"check --format {f}" for f in FORMATS),
    "check --scope all",
    "store list",
    "store list --format json",
    "store show mozilla --at 2016-10-01",
    "store show mozilla --at 2016-10-01 --format json",
    "store diff mozilla 2016-09-26 2017-07-27",
    "store diff mozilla 2016-09-26 2017-07-27 --format json",
    "store coverage --at 2026-01-01",
    "store coverage --at 2026-01-01 --format json",
    "status",
    "owners list",
    "owners show WoSign",
    "leaves 'StartCom Certification Authority' --at 2016-12-01",
    "leaves operator:WoSign --at 2016-12-01 --store mozilla --format json",
    "clients-list --no-db",
    "clients-list --format json --no-db",
    f"clients --ca {WOSIGN} {AT}",
    f"clients --ca {WOSIGN} {AT} --format json",
    f"timeline {WOSIGN} --store mozilla --clients default --since 2016-01-01 --until 2017-12-01",
    "export --format jsonl --out {out}/certs.jsonl",
    "export --format graphml --out {out}/graph.graphml",
    "export --format gexf --out {out}/graph.gexf",
    "export --format cytoscape --out {out}/graph.json",
    "export --format dot --out {out}/graph.dot",
    f"render {WOSIGN} {AT} --out {{out}}/map.html",
    f"render {WOSIGN} {AT} --out {{out}}/map.svg",
    f"render --distrust-owner WoSign --store mozilla {AT} --out {{out}}/impact.html",
    "render --out {out}/whole.html",
    # mistakes: the messages say which option is wrong
    "chains 'no such CA' --at 2016-12-01",
    "impact --distrust-owner WoSign --store nosuch --at 2016-12-01",
    "impact --distrust-owner WoSign --store mozilla --at 2016-12-01 --horizon 2016-01-01",
    "store show mozilla --at 2010-01-01",
    "chains StartCom --max-paths 0",
]

CORPUS = [
    "impact --distrust-owner Symantec --store mozilla --at 2017-03-01 --format json",
    "impact --distrust-owner Symantec --store mozilla --at 2017-03-01",
    "impact --distrust-owner WoSign --store all --at 2016-12-01 --format csv",
    "reach 'Entrust Root Certification Authority - G2' --at 2025-01-01 --store all",
    "timeline 'Entrust Root Certification Authority - G2' --store all --until 2026-01-01 "
    "--format json",
    "timeline 'DST Root CA X3' --store mozilla --until 2022-01-01",
    "store show mozilla --at 2025-10-24 --format json",
    "store show chrome --at 2025-12-17",
    "store coverage --at 2026-01-01",
    "store diff mozilla 2020-01-01 2025-01-01",
    "chains 'Google Internet Authority G2' --at 2017-03-01 --store mozilla --format json",
    "cross-signs --at 2020-01-01 --format csv",
    "serials --scope ca --format csv",
    "check --format json",
    "clients --ca 'Sectigo RSA Domain Validation Secure Server CA' --at 2020-06-01",
    "firefox onecrl-diff {data}/revocations/firefox-esr-140.12.0esr-onecrl.json.xz "
    "{data}/revocations/firefox-esr-153.8.0esr-onecrl.json.xz --no-db",
]


def record(out: Path, demo: str, corpus: str | None, data: Path) -> None:
    """Run every command and write its record under ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    lists = [("demo", demo, DEMO)] + ([("corpus", corpus, CORPUS)] if corpus else [])
    for name, db, commands in lists:
        for number, command in enumerate(commands, 1):
            with tempfile.TemporaryDirectory() as files:
                argv = shlex.split(command.format(out=files, data=data))
                argv = argv[:-1] if argv[-1] == "--no-db" else [*argv, "--db", db]
                done = subprocess.run(
                    [sys.executable, "-m", "trustgraph", *argv],
                    capture_output=True,
                    check=False,
                    cwd=Path(__file__).resolve().parents[1],
                )
                parts = [
                    f"$ {command}\nexit {done.returncode}\n".encode(),
                    b"--- stdout\n" + done.stdout,
                    b"--- stderr\n" + done.stderr.replace(files.encode(), b"{out}"),
                ]
                for written in sorted(Path(files).iterdir()):
                    parts.append(f"--- {written.name}\n".encode() + written.read_bytes())
            (out / f"{name}-{number:03d}.txt").write_bytes(b"\n".join(parts))
            print(f"{name} {number}: exit {done.returncode} {command}", file=sys.stderr)


def compare(before: Path, after: Path) -> int:
    """Name every record that differs; 1 if any does."""
    names = sorted({p.name for p in before.iterdir()} | {p.name for p in after.iterdir()})
    differ = 0
    for name in names:
        a, b = before / name, after / name
        if not (a.exists() and b.exists()) or _digest(a) != _digest(b):
            differ += 1
            first = (a if a.exists() else b).read_text(errors="replace").splitlines()[0]
            print(f"differs: {name} {first}")
    print(f"{len(names) - differ} of {len(names)} records identical")
    return 1 if differ else 0


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    rec = sub.add_parser("record")
    rec.add_argument("out", type=Path)
    rec.add_argument("--demo", required=True)
    rec.add_argument("--corpus")
    rec.add_argument("--data", type=Path, default=Path("../shared/data"))
    cmp = sub.add_parser("compare")
    cmp.add_argument("before", type=Path)
    cmp.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.what == "record":
        record(args.out, args.demo, args.corpus, args.data.resolve())
        return 0
    return compare(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
