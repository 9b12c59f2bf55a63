"""Racing real processes: each job runs in a forked process and all of them are released
at once by a barrier. The race suites of flowhost and commerce share this."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable

CTX = multiprocessing.get_context("fork")


def race_processes(jobs: list[tuple[Callable[..., None], tuple]], timeout: float = 120) -> list:
    """Run each fn(*args, barrier, out) of `jobs` in its own process: fn waits on the
    barrier before the part that races and puts what it met on the queue `out` (once).
    Returns those, in the order the processes put them; every process must exit 0."""
    barrier, out = CTX.Barrier(len(jobs)), CTX.Queue()
    procs = [CTX.Process(target=fn, args=(*args, barrier, out)) for fn, args in jobs]
    for p in procs:
        p.start()
    results = [out.get(timeout=timeout) for _ in procs]
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    return results
