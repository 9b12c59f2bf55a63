"""flowhost repl: command arguments, one-line errors, replays that never touch the store,
replay state that follows the store, the step budget. Scripted sessions through stdin."""

from __future__ import annotations

import io
import json

import pytest

from flowhost import FlowHost
from flowhost.repl import FlowRepl
from scheme import Symbol

from .conftest import FLOWS
from .test_repl import SHOP


@pytest.fixture
def host():
    h = FlowHost()
    h.load_file(FLOWS / "order.scm")
    h.load_source(SHOP, "shop.scm")
    h.start("shop", "o1", 3)
    h.resume(1, Symbol("held"))
    return h


def session(host: FlowHost, text: str, **options) -> tuple[int, list[str]]:
    out = io.StringIO()
    code = FlowRepl(host, io.StringIO(text), out, **options).run()
    return code, out.getvalue().splitlines()


def test_a_bad_resume_value_is_refused_and_does_not_swallow_the_next_lines(host):
    before = host.export()
    code, lines = session(host, ",resume 1 (unclosed\n,flows\n(+ 1 2)\n")
    assert lines[0].startswith("VALUE '(unclosed' is not a Scheme datum:")
    assert lines[1].startswith("id  flow")  # ,flows ran: it was not read as data
    assert lines[-1] == "3"
    assert host.export() == before  # nothing written
    assert code == 1  # piped input that hit an error


def test_command_errors_are_one_line_and_the_session_goes_on(host, tmp_path):
    code, lines = session(
        host,
        f",export {tmp_path}/missing/dir/x.json\n,import {tmp_path}/nope.json\n"
        f',export "unclosed\n,show x\n,show 99\n(+ 2 2)\n',
    )
    assert lines[0] == f"{tmp_path}/missing/dir/x.json: no such directory: {tmp_path}/missing/dir"
    assert lines[1] == f",import: {tmp_path}/nope.json: No such file or directory"
    assert lines[2] == ",export FILE: No closing quotation"
    assert lines[3] == ",show ID must be a number, got 'x'"
    assert lines[4].startswith("no flow with id 99") or "99" in lines[4]
    assert lines[5] == "4"
    assert len(lines) == 6
    assert list(tmp_path.iterdir()) == []  # nothing left behind


def test_import_of_json_nested_too_deeply_is_one_line(host, tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100000)
    _, lines = session(host, f",import {deep}\n1\n")
    assert lines[0] == f",import: {deep}: JSON nested too deeply"
    assert lines[1] == "1"


def test_export_writes_the_file_and_nothing_else(host, tmp_path):
    target = tmp_path / "x.json"
    _, lines = session(host, f",export {target}\n")
    assert lines == [f"exported 1 flows to {target}"]
    assert json.loads(target.read_text()) == host.export()
    assert list(tmp_path.iterdir()) == [target]


def test_replay_refuses_effects_so_the_store_is_untouched(host):
    before = host.export()
    code, lines = session(
        host,
        ',replay 1\n,eval (flow/start \'shop "o2" 1)\n(flow/cancel 1)\n'
        '(define (sneak) (flow/start \'shop "o3" 1))\n(sneak)\n,end\n(flow/status 1)\n',
    )
    assert host.export() == before
    refused = [ln for ln in lines if "refused during a replay" in ln]
    assert len(refused) == 3
    assert refused[0].startswith("<repl:2>:1:1: flow/start: refused during a replay")
    assert lines[-2:] == ["replay of flow 1 ended", "suspended"]
    assert code == 1
    # after ,end the guest procedures work again
    _, lines = session(host, "(flow/cancel 1)\n(flow/status 1)\n")
    assert lines == ["#t", "cancelled"]


def test_plain_input_during_a_replay_sees_the_flow_variables(host):
    _, lines = session(host, ",replay 1\n,step\n(list oid qty reserved)\n(car oid)\n")
    assert lines[3] == '("o1" 3 held)'
    assert lines[4] == '<repl:4>:1:1: car: expected a pair, got "o1"'
    assert lines[5] == "  (car oid)"  # the caret is under what was typed


def test_replay_follows_the_store_after_a_real_resume(host):
    _, lines = session(host, ",replay 1\n,step\n,resume 1 750\n,continue\n")
    assert lines[2] == "stopped at request 2 (shop.scm:5:19): (payment 750) -- the flow is " + (
        "suspended here now; the log has no answer yet"
    )
    assert lines[3] == 'flow 1 suspended on (ship "o1")'
    assert lines[4].startswith("flow 1 moved on in the store since the replay read it")
    assert lines[5] == (
        'stopped at request 3 (shop.scm:6:9): (ship "o1") -- the flow is suspended here now; '
        "the log has no answer yet"
    )


def test_a_replay_whose_log_was_replaced_says_it_is_stale(host, tmp_path):
    other = FlowHost()
    other.load_source(SHOP, "shop.scm")
    other.start("shop", "zz", 1)
    dump = tmp_path / "other.json"
    dump.write_text(json.dumps(other.export()))
    _, lines = session(host, f",replay 1\n,step\n,import {dump}\n,replay 1\n,step\n")
    assert lines[3].startswith("imported 1 flows")
    host.resume(1, Symbol("other"))
    # a replay open while the store changes under it
    repl = FlowRepl(host, io.StringIO(""), io.StringIO())
    repl.handle(",replay 1")
    host.import_(json.loads(dump.read_text()))
    assert not repl.handle(",step")
    assert "stale" in repl.out.getvalue().splitlines()[-1]
    assert repl.replay is None
    # plain input while the replay is stale: said once, then run at the top level
    repl.handle(",replay 1")
    host.resume(1, Symbol("held"))
    assert repl.handle("(+ 1 1)")  # the log grew: the replay follows
    host.import_(json.loads(dump.read_text()))  # and now it is shorter again
    assert repl.handle("(+ 1 2)")
    said = repl.out.getvalue().splitlines()
    assert "stale" in said[-2] and said[-1] == "3"
    assert repl.replay is None


def test_an_endless_loop_typed_at_the_repl_hits_the_step_budget(host):
    code, lines = session(host, "(let loop () (loop))\n(+ 1 1)\n", step_limit=10_000)
    assert "step budget of 10000 closure calls used up" in lines[0]
    assert lines[-1] == "2"
    assert code == 1


def test_exit_and_quit_leave(host):
    assert session(host, "(exit)\n(+ 1 1)\n") == (0, [])
    assert session(host, ",quit\n(+ 1 1)\n") == (0, [])
    assert session(host, "(+ 1 1)\n") == (0, ["2"])


def test_a_command_with_more_lines_is_refused(host):
    repl = FlowRepl(host, io.StringIO(""), io.StringIO())
    assert not repl.handle(",resume 1 paid\n(junk")
    said = repl.out.getvalue()
    assert said == ",resume: its arguments must be on its own line; nothing was done\n"
    assert [r.kind for r in host.requests()] == ["payment"]


def test_an_interrupted_flow_leaves_the_session_usable():
    import _thread
    import threading

    host = FlowHost(step_limit=10**12)  # the flow would run on: only Ctrl-C stops it
    host.load_source("(defflow spin (lambda () (let loop () (loop))))", "spin.scm")
    timer = threading.Timer(0.5, _thread.interrupt_main)
    timer.start()
    code, lines = session(
        host, "(flow/start 'spin)\n(define after 5)\n(* after 2)\n", step_limit=None
    )
    timer.join()
    assert lines[0] == "interrupted"
    assert lines[1:] == ["10"]  # globals are not left locked by the interrupted flow code
    m = host.interp.machine
    assert (m.globals_locked, m.winds, m.depth) == (None, None, 0)
    assert code == 1
