"""flowhost repl, driven through stdin with scripted sessions."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from flowhost import FlowHost
from flowhost.repl import FlowRepl
from scheme import Symbol

from .conftest import FLOWS, ROOT

SHOP = """(defflow shop
  (lambda (oid qty)
    (let* ((total (* qty 250))
           (reserved (request 'reserve (list oid qty))))
      (let ((paid (request 'payment total)))
        (request 'ship oid)
        (list reserved paid total)))))"""


@pytest.fixture
def host():
    h = FlowHost()
    h.load_file(FLOWS / "order.scm")
    h.load_source(SHOP, "shop.scm")
    h.start("shop", "o1", 3)
    h.resume(1, Symbol("held"))
    h.resume(1, 750)
    return h


def session(host: FlowHost, text: str) -> list[str]:
    out = io.StringIO()
    FlowRepl(host, io.StringIO(text), out).run()
    return out.getvalue().splitlines()


def test_replay_step_by_step_with_locals_and_eval(host):
    lines = session(host, ",replay 1\n,locals\n,step\n,locals\n,eval (* total 2)\n,step\n")
    assert lines[0] == "replaying flow 1 (shop) from its log of 2 steps; the store is not touched"
    assert lines[1] == (
        'stopped at request 1 (shop.scm:4:22): (reserve ("o1" 3)) -> the log answered held'
    )
    assert lines[2:5] == ["total = 750", 'oid = "o1"', "qty = 3"]
    assert lines[5] == "stopped at request 2 (shop.scm:5:19): (payment 750) -> the log answered 750"
    assert lines[6:10] == ["reserved = held", "total = 750", 'oid = "o1"', "qty = 3"]
    assert lines[10] == "1500"
    assert lines[11] == (
        'stopped at request 3 (shop.scm:6:9): (ship "o1") -- the flow is '
        "suspended here now; the log has no answer yet"
    )


def test_continue_runs_to_the_current_suspension_and_the_store_is_untouched(host):
    before = host.export()
    lines = session(host, ",replay 1\n,eval (set! qty 99)\n,continue\n,locals\n")
    assert lines[2].startswith("stopped at request 3")
    assert lines[3:] == [
        "paid = 750",
        "reserved = held",
        "total = 750",
        'oid = "o1"',
        "qty = 99",
    ]  # the scratch copy changed ...
    assert host.export() == before  # ... the store did not
    assert host.resume(1, Symbol("shipped")).result == [Symbol("held"), 750, 750]


def test_resume_and_fork_write_to_the_store(host):
    lines = session(host, ",fork 1 1\n,resume 2 999\n,show 2\n")
    assert lines[0] == "forked: flow 2 suspended on (payment 750)"
    assert lines[1] == 'flow 2 suspended on (ship "o1")'
    assert "    2. (payment 750) -> 999" in lines
    assert [s.value for s in host.steps(2)] == [Symbol("held"), 999]


def test_flows_show_export_import(host, tmp_path):
    path = tmp_path / "x.json"
    lines = session(host, f",flows\n,show 1\n,export {path}\n,import {path}\n")
    assert lines[0].split() == ["id", "flow", "status", "waiting", "on", "steps"]
    assert lines[1].split()[:3] == ["1", "shop", "suspended"]
    assert lines[2] == "defined: order-lifecycle, shop"
    assert 'state:     suspended, waiting on (ship "o1")' in lines
    assert lines[-2:] == [f"exported 1 flows to {path}", f"imported 1 flows from {path}"]


def test_scheme_multiline_entries_errors_and_unknown_commands(host):
    lines = session(
        host,
        "(define (sq x)\n  (* x x))\n(sq 12)\n(car 1)\n,nope\n,step\n"
        "(flow/status 1)\n,quit\n(sq 2)\n",
    )
    assert lines[0] == "144"
    assert lines[1] == "<repl:3>:1:1: car: expected a pair, got 1"
    assert lines[4] == "unknown command ,nope (,help lists them)"
    assert lines[5] == "no replay: start one with ,replay ID"
    assert lines[6] == "suspended"
    assert len(lines) == 7  # nothing after ,quit


def test_help_lists_every_command(host):
    text = "\n".join(session(host, ",help\n"))
    for cmd in (
        ",flows",
        ",show",
        ",replay",
        ",step",
        ",continue",
        ",locals",
        ",eval",
        ",resume",
        ",fork",
        ",export",
        ",import",
        ",help",
        ",quit",
    ):
        assert cmd in text


def test_replay_of_a_changed_flow_shows_where_it_diverges(host):
    host.load_source(SHOP.replace("'payment", "'charge"), "shop2.scm")
    lines = session(host, ",replay 1\n,step\n,step\n")
    assert lines[2] == (
        "stopped at request 2 (shop2.scm:5:19): (charge 750) -- but the log "
        "recorded (payment 750): the flow no longer replays"
    )
    assert lines[3] == "request 2 differs from the log: cannot answer it from the log"


def test_repl_works_with_piped_stdin(tmp_path):
    db = tmp_path / "s.db"
    host = FlowHost.open(db)
    host.load_file(FLOWS / "order.scm")
    host.start("order-lifecycle", "o5")
    host.close()
    r = subprocess.run(
        [sys.executable, "-m", "flowhost", "repl", "--store", str(db), "--flows", str(FLOWS)],
        input=",replay 1\n,locals\n,resume 1 reserved\n(flow/status 1)\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "replaying flow 1 (order-lifecycle) from its log of 0 steps; the store is not touched",
        f'stopped at request 1 ({FLOWS / "order.scm"}:21:9): (reserve "o5") -- the flow is '
        "suspended here now; the log has no answer yet",
        "guard-k = #<continuation>",
        'oid = "o5"',
        "terms = ()",
        'flow 1 suspended on (payment "o5")',
        # plain input during a replay runs in the stopped flow's scope, and the replay
        # follows the store, which the real ,resume moved on
        "flow 1 moved on in the store since the replay read it (its log has 1 steps now, "
        "the flow is suspended); the replay follows it",
        "suspended",
    ]


def test_resume_with_a_value_that_is_not_plain_data_says_why(host):
    lines = session(host, ",resume 1 #<x>\n,resume 1 (a . b . c)\n(+ 1 1)\n")
    assert lines[0].startswith("VALUE '#<x>' is not a Scheme datum:")
    assert lines[1].startswith("VALUE '(a . b . c)' is not a Scheme datum:")
    assert lines[2] == "2"  # the REPL carries on
    assert [r.kind for r in host.requests()] == ["ship"]  # nothing was resumed
