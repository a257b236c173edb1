"""Running the ``trustgraph`` command in a process of its own, as a user does: to kill it at
a chosen moment, to measure its memory, or to feed it files a test cannot fake in-process.

``python -m tests.process [--kill-at N --when before|after] [--interrupt] [--rss FILE] --
ARGS`` runs the command line with ARGS; ``--kill-at`` sends SIGKILL to itself at the N-th
commit of a top-level database transaction (just before or just after it), ``--interrupt``
sends SIGINT to its whole process group (as Ctrl-C in a terminal does) once worker
processes have work, ``--rss`` writes the peak resident memory (KiB) of the command and of
its largest worker to FILE.
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]


@dataclass
class Completed:
    returncode: int
    stdout: str
    stderr: str


def trustgraph(
    *args: str,
    env: dict[str, str] | None = None,
    kill_at: int | None = None,
    when: str = "after",
    rss: Path | None = None,
    timeout: float = 600,
    interrupt: bool = False,
) -> Completed:
    """Run ``trustgraph ARGS`` in a child process (see the module docstring); with
    ``interrupt``, in a session of its own, so that its Ctrl-C reaches nothing else."""
    command = [sys.executable, "-m", "tests.process"]
    if kill_at is not None:
        command += ["--kill-at", str(kill_at), "--when", when]
    if interrupt:
        command += ["--interrupt"]
    if rss is not None:
        command += ["--rss", str(rss)]
    done = subprocess.run(
        [*command, "--", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=PROJECT,
        env={**os.environ, "COLUMNS": "200", **(env or {})},
        start_new_session=interrupt,
    )
    return Completed(done.returncode, done.stdout, done.stderr)


def _kill_at(target: int, when: str) -> None:
    from trustgraph.storage import database

    original = database.Database.transaction
    commits = [0]

    @contextmanager
    def transaction(self: Any) -> Iterator[Any]:
        outermost = self._depth == 0
        with original(self) as handle:
            yield handle
            if outermost and when == "before":
                _count(commits, target)
        if outermost and when == "after":
            _count(commits, target)

    database.Database.transaction = transaction  # type: ignore[method-assign]


def _interrupt_when_workers_start() -> None:
    from trustgraph.ingest import parallel

    original = parallel.Workers.submit

    def submit(self: Any, func: Any, items: Any, least: int = parallel.MIN_PARALLEL) -> Any:
        pending = original(self, func, items, least)
        if self._pool is not None:
            os.killpg(os.getpgid(0), signal.SIGINT)
        return pending

    parallel.Workers.submit = submit  # type: ignore[method-assign]


def _count(commits: list[int], target: int) -> None:
    commits[0] += 1
    if commits[0] == target:
        os.kill(os.getpid(), signal.SIGKILL)


def _own_peak() -> int:
    """This process's peak resident memory (KiB) since it started its program. Not
    ``ru_maxrss``: Linux keeps that across exec, so a child of a large test process would
    report the test process's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kill-at", type=int)
    parser.add_argument("--when", choices=("before", "after"), default="after")
    parser.add_argument("--rss", type=Path)
    parser.add_argument("--interrupt", action="store_true")
    parser.add_argument("args", nargs="*")
    options = parser.parse_args()
    if options.kill_at is not None:
        _kill_at(options.kill_at, options.when)
    if options.interrupt:
        # As in a terminal: a shell runs background jobs with Ctrl-C ignored, and Python
        # keeps an ignored SIGINT ignored, which would leave nothing to interrupt.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        _interrupt_when_workers_start()
    from trustgraph.cli import app

    code = 0
    try:
        app(options.args, prog_name="trustgraph")
    except SystemExit as exc:
        code = int(exc.code or 0) if not isinstance(exc.code, str) else 1
    finally:
        if options.rss is not None:
            peak = max(_own_peak(), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
            options.rss.write_text(str(peak))
    sys.exit(code)


if __name__ == "__main__":
    main()
