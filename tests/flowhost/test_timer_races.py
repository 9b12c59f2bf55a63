"""Timers under concurrency, with real processes on one store (an SQLite file, or the
run's PostgreSQL database): two workers running run_due at once fire each timer once,
and a timer racing a resume has exactly one winner."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowhost import FlowConflictError, FlowHost
from flowhost.records import TIMEOUT
from scheme import Symbol

from ..pgtest import pg_url
from ..processes import race_processes

FLOWS = """(defflow waiter
  (lambda (s) (let ((v (request/timeout 'answer 'q s))) (if (flow/timeout? v) 'timed-out v))))"""
N = 30
TRIALS = 3


def _host(target: str, now: float) -> FlowHost:
    host = FlowHost.open(target, clock=lambda: now)
    host.load_source(FLOWS)
    return host


def _run_due(target: str, barrier, out) -> None:
    host = _host(target, 5000.0)
    barrier.wait()
    out.put(("due", sorted(r.id for r in host.run_due())))
    host.close()


def _resume_all(target: str, ids: list[int], barrier, out) -> None:
    host = _host(target, 1000.5)
    barrier.wait()
    won = []
    for i in ids:
        try:
            host.resume(i, 7, kind="answer")
            won.append(i)
        except FlowConflictError:
            pass  # the timer fired first (AlreadyAnsweredError is one)
    out.put(("resume", won))
    host.close()


@pytest.fixture(params=["sqlite", "postgres"])
def fresh(request, tmp_path: Path):
    """fresh(trial) -> a new store's target with N flows waiting, and their ids."""

    def make(trial: int) -> tuple[str, list[int]]:
        target = pg_url() if request.param == "postgres" else str(tmp_path / f"race{trial}.db")
        return target, _setup(target)

    return make


def _setup(target: str) -> list[int]:
    host = _host(target, 1000.0)
    ids = [host.start("waiter", 0.5 if i % 2 else 1).id for i in range(N)]
    host.close()
    return ids


def _race(workers) -> list:
    return race_processes([(fn, tuple(args)) for fn, *args in workers])


def test_two_workers_running_run_due_fire_each_timer_once(fresh):
    for trial in range(TRIALS):
        target, ids = fresh(trial)
        results = _race([(_run_due, target), (_run_due, target)])
        a, b = (set(r[1]) for r in results)
        assert not a & b and a | b == set(ids)
        host = _host(target, 5000.0)
        for i in ids:
            assert [s.event for s in host.steps(i)] == [TIMEOUT]
            assert host.result(i) == Symbol("timed-out")
        host.close()


def test_a_timer_racing_a_resume_has_exactly_one_winner(fresh):
    for trial in range(TRIALS):
        target, ids = fresh(trial)
        results = dict(_race([(_run_due, target), (_resume_all, target, ids)]))
        fired, resumed = set(results["due"]), set(results["resume"])
        assert not fired & resumed and fired | resumed == set(ids)
        host = _host(target, 5000.0)
        for i in ids:
            steps = host.steps(i)
            assert len(steps) == 1
            assert (steps[0].event == TIMEOUT) == (i in fired)
            assert host.result(i) == (Symbol("timed-out") if i in fired else 7)
        host.close()
