"""Two processes resuming the same flow at once: exactly one wins."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from dataclasses import replace

import pytest

from flowhost import FlowConflictError, FlowHost, Step, Suspended
from scheme import Symbol

from .conftest import FLOWS, ROOT

CHILD = """
import os, sys, time
sys.path.insert(0, {root!r})
from flowhost import FlowHost, FlowConflictError
from scheme import Symbol
host = FlowHost.open({db!r})
host.load_file({order!r})
host.record(1)  # both processes have read the flow; now meet, then race to answer it
open(os.path.join({tmp!r}, "ready-" + {me!r}), "w").close()
deadline = time.time() + 30
while len([f for f in os.listdir({tmp!r}) if f.startswith("ready-")]) < 2:
    if time.time() > deadline:
        sys.exit("the other process never arrived")
    time.sleep(0.001)
try:
    print("won", host.resume(1, Symbol({value!r}), kind="payment"))
except FlowConflictError as e:
    print("conflict", type(e).__name__, e)
"""


def test_concurrent_resumes_in_two_processes_one_wins_one_conflicts(tmp_path):
    db = tmp_path / "race.db"
    host = FlowHost.open(db)
    host.load_file(FLOWS / "order.scm")
    host.start("order-lifecycle", "o1")
    host.resume(1, Symbol("reserved"))
    host.close()

    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                textwrap.dedent(CHILD).format(
                    root=str(ROOT),
                    db=str(db),
                    order=str(FLOWS / "order.scm"),
                    tmp=str(tmp_path),
                    me=name,
                    value=value,
                ),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, value in (("a", "paid-by-a"), ("b", "paid-by-b"))
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1] for o in outs]
    lines = sorted(o[0].strip() for o in outs)
    assert lines[0].startswith(
        "conflict AlreadyAnsweredError flow 1: its payment request was answered already"
    )
    assert lines[1].startswith("won Suspended(id=1, kind='fulfil'")
    winner = "paid-by-a" if outs[0][0].startswith("won") else "paid-by-b"

    host = FlowHost.open(db)
    host.load_file(FLOWS / "order.scm")
    assert host.requests() == [Suspended(1, "fulfil", "o1")]
    assert [s.value for s in host.steps(1)] == [Symbol("reserved"), Symbol(winner)]
    assert host.record(1).nsteps == 2
    host.close()


def test_a_stale_host_in_the_same_process_gets_a_conflict_not_a_double_step(tmp_path):
    db = tmp_path / "two.db"
    a, b = FlowHost.open(db), FlowHost.open(db)
    for h in (a, b):
        h.load_file(FLOWS / "order.scm")
    a.start("order-lifecycle", "o1")
    stale = b.record(1)
    a.resume(1, Symbol("reserved"))
    # b commits on the strength of what it read before a's change: refused, nothing changed
    with pytest.raises(FlowConflictError):
        b.store.update(
            replace(stale, status="done", pending=None),
            stale.version,
            Step("reserve", "o1", Symbol("by-b")),
        )
    assert a.requests() == [Suspended(1, "payment", "o1")]
    assert [s.value for s in a.steps(1)] == [Symbol("reserved")]
    # b resuming normally reads a's step and continues from it
    assert b.resume(1, Symbol("paid")) == Suspended(1, "fulfil", "o1")
    a.close()
    b.close()
