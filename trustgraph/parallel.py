"""Worker processes for the CPU-bound parts of a load: parsing and signature checks.

Python runs one thread of Python at a time, so a load uses every core only with processes.
Work goes out in chunks and comes back in order, so results do not depend on the number of
workers. Small amounts run inline: forking is not worth it below :data:`MIN_PARALLEL` items.
``TRUSTGRAPH_JOBS`` sets the number of workers (default: the CPUs this process may use; 1
turns parallelism off).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from multiprocessing.pool import AsyncResult, Pool
from typing import Generic, TypeVar

MIN_PARALLEL = 1000

In = TypeVar("In")
Out = TypeVar("Out")


def job_count() -> int:
    """Workers to use: ``TRUSTGRAPH_JOBS``, else the CPUs available to this process."""
    configured = os.environ.get("TRUSTGRAPH_JOBS", "")
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


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

    def submit(self, func: Callable[[list[In]], list[Out]], items: Sequence[In]) -> Pending[Out]:
        """Start ``func`` over ``items`` (it maps a list to a list of the same length):
        inline for few items or one job, else in chunks across the workers."""
        if self.jobs <= 1 or len(items) < MIN_PARALLEL:
            return Pending(func(list(items)), None)
        if self._pool is None:
            # fork: the workers inherit the loaded modules instead of importing them again.
            self._pool = multiprocessing.get_context("fork").Pool(self.jobs)
        size = -(-len(items) // (self.jobs * 4))
        chunks = [list(items[start : start + size]) for start in range(0, len(items), size)]
        return Pending(None, self._pool.map_async(func, chunks))
