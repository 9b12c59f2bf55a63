"""Flows that loop, recurse, capture continuations, misbehave or run away."""

from __future__ import annotations

from flowhost import Done, Failed, FlowHost, Suspended
from scheme import Symbol


def test_a_flow_that_loops_ten_thousand_times_through_request(host):
    host.on("tick", lambda fid, i: i * 2)
    assert host.start("looper", 10_000) == Done(1, sum(i * 2 for i in range(10_000)))
    assert len(host.steps(1)) == 10_000


def test_deep_recursion_between_requests(host):
    assert host.start("deep", 100_000) == Suspended(1, "bottom", 100_000)
    assert host.resume(1, 5) == Done(1, 100_005)


def test_call_cc_inside_a_flow_across_a_suspension(host):
    # The continuation captured before the first request is re-entered after each
    # resume, so the flow asks again with the value it was resumed with.
    host.load_source(
        """(defflow again
             (lambda ()
               (let ((k #f) (n 0))
                 (let ((v (call/cc (lambda (c) (set! k c) 0))))
                   (set! n (+ n 1))
                   (let ((r (request 'step v)))
                     (if (< n 3) (k r) (list n r)))))))"""
    )
    assert host.start("again") == Suspended(1, "step", 0)
    assert host.resume(1, 10) == Suspended(1, "step", 10)
    assert host.resume(1, 20) == Suspended(1, "step", 20)
    assert host.resume(1, 30) == Done(1, [3, 30])


def test_call_cc_flow_survives_replay_from_the_log(host):
    host.load_source(
        """(defflow gen
             (lambda ()
               (let ((k #f) (acc '()))
                 (let ((v (call/cc (lambda (c) (set! k c) 'start))))
                   (set! acc (cons v acc))
                   (if (< (length acc) 3) (k (request 'next (length acc))) (reverse acc))))))"""
    )
    host.start("gen")
    host.resume(1, Symbol("a"))
    data = host.export()
    host.reset()
    host.load_source(
        """(defflow gen
             (lambda ()
               (let ((k #f) (acc '()))
                 (let ((v (call/cc (lambda (c) (set! k c) 'start))))
                   (set! acc (cons v acc))
                   (if (< (length acc) 3) (k (request 'next (length acc))) (reverse acc))))))"""
    )
    host.import_(data)
    assert host.resume(1, Symbol("b")) == Done(1, [Symbol("start"), Symbol("a"), Symbol("b")])


def test_a_failing_flow_does_not_stop_the_host_or_other_flows(host):
    host.start("order-lifecycle", "ok")
    host.start("boom")
    assert isinstance(host.resume(2, 1), Failed)
    assert host.resume(1, Symbol("reserved")) == Suspended(1, "payment", "ok")


def test_a_runaway_flow_is_stopped_by_the_step_budget(tmp_path):
    host = FlowHost(step_limit=50_000)
    host.load_source("(defflow spin (lambda () (let loop () (loop))))")
    r = host.start("spin")
    assert isinstance(r, Failed) and "step budget of 50000" in r.message
    host.load_source("(defflow fine (lambda () 1))")
    assert host.start("fine") == Done(2, 1)


def test_runaway_recursion_is_stopped_by_the_depth_cap():
    host = FlowHost(max_depth=10_000)
    host.load_source("(defflow sink (lambda () (let f ((n 0)) (+ 1 (f n)))))")
    r = host.start("sink")
    assert isinstance(r, Failed) and "deeper than 10000 frames" in r.message


def test_flow_code_has_no_io_and_cannot_change_globals(host):
    host.load_source(
        """(define counter 0)
           (defflow chatty (lambda () (display "hello") 1))
           (defflow counting (lambda () (set! counter (+ counter 1)) counter))
           (defflow defining (lambda () (eval '(define sneaky 1)) 1))"""
    )
    r = host.start("chatty")
    assert isinstance(r, Failed) and "flow code cannot do I/O" in r.message
    r = host.start("counting")
    assert isinstance(r, Failed) and "cannot change global variables" in r.message
    r = host.start("defining")
    assert isinstance(r, Failed) and "define sneaky" in r.message
    assert host.eval("counter") == 0


def test_the_flow_environment_has_no_clock_or_randomness(host):
    for name in (
        "current-second",
        "current-jiffy",
        "random",
        "open-input-file",
        "load",
        "system",
        "exit",
    ):
        assert host.eval(f"(guard (e (#t 'unbound)) {name})") == Symbol("unbound"), name


def test_host_code_outside_flows_can_still_print(host, capsys):
    host.eval('(display "from the host")')
    assert capsys.readouterr().out == "from the host"


def test_payloads_must_be_plain_data(host):
    host.load_source("(defflow leak (lambda () (request 'x (list 1 car))))")
    r = host.start("leak")
    assert isinstance(r, Failed)
    assert "request payload must be plain data" in r.message and "[1]" in r.message


def test_request_kind_must_be_a_symbol(host):
    host.load_source('(defflow badkind (lambda () (request "x" 1)))')
    r = host.start("badkind")
    assert isinstance(r, Failed) and "request: expected a symbol" in r.message
