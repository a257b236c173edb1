"""Worker processes for the CPU-bound parts of a load: parsing and signature checks.

Python runs one thread of Python at a time, so a load uses every core only with processes.
Work goes out in chunks and comes back in order, so results do not depend on the number of
workers. Small amounts run inline: starting workers is not worth it below
:data:`MIN_PARALLEL` items. ``TRUSTGRAPH_JOBS`` sets the number of workers (default: the CPUs
this process may use; 1 turns parallelism off).

Workers start by ``forkserver`` where the platform has it (Linux, macOS), else by ``spawn``
(Windows), never by plain ``fork``: forking a process that runs threads (a progress bar, a
database driver) can copy a held lock into the child, and macOS does not support it safely.
Workers ignore Ctrl-C: the terminal sends it to the whole process group, and the main
process alone decides what an interruption means (it stops the workers). Ctrl-C is blocked
while the pool (and the fork server, the first time) starts, so that no worker can be hit
before it has set itself to ignore it; the main process receives it right after.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Sequence
from multiprocessing.context import BaseContext
from multiprocessing.pool import AsyncResult, Pool
from typing import Generic, TypeVar

from trustgraph.errors import UsageError

MIN_PARALLEL = 1000
PRELOAD = ("trustgraph.ingest.loader", "trustgraph.ingest.ct.leaves")
"""Modules the fork server imports once, so that each worker starts with them loaded."""

In = TypeVar("In")
Out = TypeVar("Out")


JOBS_VARIABLE = "TRUSTGRAPH_JOBS"


def process_context() -> BaseContext:
    """The multiprocessing context workers start from (see the module docstring)."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(list(PRELOAD))
        return context
    return multiprocessing.get_context("spawn")


def job_count() -> int:
    """Workers to use: ``TRUSTGRAPH_JOBS`` (at most the CPUs available: more would only
    wait for each other and cost their memory), else the CPUs available to this process.

    Raises:
        UsageError: the variable is set to something other than a whole number from 1.
    """
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    configured = os.environ.get(JOBS_VARIABLE, "").strip()
    if not configured:
        return cpus
    if not configured.isdecimal() or int(configured) < 1:
        raise UsageError(f"{JOBS_VARIABLE}={configured[:40]!r}: give a whole number from 1")
    return min(int(configured), cpus)


def _ignore_interrupts() -> None:
    """In a worker: leave Ctrl-C to the main process (see the module docstring)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _started(jobs: int) -> Pool:
    """A pool of ``jobs`` workers, started with Ctrl-C blocked (see the module docstring):
    processes inherit the signal mask, so a worker cannot be interrupted before it ignores
    Ctrl-C; a Ctrl-C that came meanwhile reaches the main process when it is unblocked."""
    if not hasattr(signal, "pthread_sigmask"):  # Windows: no process groups to fear
        return process_context().Pool(jobs, initializer=_ignore_interrupts)
    before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        return process_context().Pool(jobs, initializer=_ignore_interrupts)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


class Pending(Generic[Out]):
    """Results being computed; :meth:`get` waits for them, in input order."""

    def __init__(self, ready: list[Out] | None, waiting: AsyncResult[list[list[Out]]] | None):
        self._ready = ready
        self._waiting = waiting

    def get(self) -> list[Out]:
        if self._ready is not None:
            return self._ready
        assert self._waiting is not None
        return [item for chunk in self._waiting.get() for item in chunk]


class Workers:
    """A pool of worker processes, started on first use. Use as a context manager."""

    def __init__(self, jobs: int | None = None) -> None:
        self.jobs = jobs if jobs is not None else job_count()
        self._pool: Pool | None = None

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None

    def submit(
        self,
        func: Callable[[list[In]], list[Out]],
        items: Sequence[In],
        least: int = MIN_PARALLEL,
    ) -> Pending[Out]:
        """Start ``func`` over ``items`` (it maps a list to a list of the same length):
        inline for fewer than ``least`` items or one job, else in chunks across the
        workers."""
        if self.jobs <= 1 or len(items) < least:
            return Pending(func(list(items)), None)
        if self._pool is None:
            self._pool = _started(self.jobs)
        size = -(-len(items) // (self.jobs * 4))
        chunks = [list(items[start : start + size]) for start in range(0, len(items), size)]
        return Pending(None, self._pool.map_async(func, chunks))
