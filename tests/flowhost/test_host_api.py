"""The Python FlowHost API: results, values across the boundary, handlers, eval."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest

from flowhost import (
    Done,
    Dotted,
    Failed,
    FlowStateError,
    NoSuchFlowError,
    PlainDataError,
    Suspended,
    UnknownFlowError,
)
from scheme import Char, Symbol


def test_start_and_resume_return_typed_results(host):
    assert host.start("order-lifecycle", "o1") == Suspended(1, "reserve", "o1")
    assert host.resume(1, Symbol("reserved")) == Suspended(1, "payment", "o1")
    assert host.resume(1, Symbol("paid")) == Suspended(1, "fulfil", "o1")
    assert host.resume(1, Symbol("fulfilled")) == Done(1, Symbol("fulfilled"))
    assert host.status(1) == "done" and host.result(1) == Symbol("fulfilled")


def test_status_pending_requests_cancel(host):
    host.start("order-lifecycle", "a")
    host.start("refund-lifecycle", "r")
    assert host.status(3) is None
    assert host.pending() == [1, 2]
    assert host.requests() == [Suspended(1, "reserve", "a"), Suspended(2, "approve", "r")]
    host.cancel(1)
    assert host.status(1) == "cancelled" and host.pending() == [2]
    with pytest.raises(FlowStateError, match="only a suspended flow can be cancelled"):
        host.cancel(1)


@pytest.mark.parametrize(
    "value",
    [
        "a string",
        "",
        42,
        -7,
        10**40,
        Fraction(1, 3),
        2.5,
        float("inf"),
        True,
        False,
        Symbol("sym"),
        Char("λ"),
        [],
        [1, "two", Symbol("three"), [4, [5]]],
        (1, 2, (3,)),
        Dotted([1, 2], 3),
    ],
)
def test_plain_values_cross_the_boundary_unchanged(host, value):
    host.start("echo", value)
    assert host.requests()[0].payload == value
    assert type(host.requests()[0].payload) is type(value)
    result = host.resume(1, value)
    assert result == Done(1, value) and type(result.result) is type(value)


def test_str_comes_back_as_the_same_str_and_symbols_stay_symbols(host):
    r = host.start("echo", "o1")
    assert type(r.payload) is str and r.payload == "o1"
    done = host.resume(1, Symbol("o1"))
    assert type(done.result) is Symbol and done.result != "o1"


def test_booleans_are_not_integers(host):
    host.start("echo", 1)
    assert host.resume(1, True) == Done(1, True)
    assert host.result(1) is True


@pytest.mark.parametrize("bad", [None, {"a": 1}, object(), {1, 2}, b"bytes"])
def test_non_plain_values_are_rejected_with_a_clear_error(host, bad):
    with pytest.raises(PlainDataError, match="must be plain data"):
        host.start("echo", bad)
    host.start("echo", 1)
    with pytest.raises(PlainDataError, match="resume value must be plain data"):
        host.resume(1, bad)
    assert host.status(1) == "suspended"


def test_unknown_names_and_ids(host):
    with pytest.raises(UnknownFlowError, match="no flow named nope"):
        host.start("nope")
    with pytest.raises(NoSuchFlowError, match="no flow with id 9"):
        host.resume(9, 1)
    with pytest.raises(FlowStateError, match="not done"):
        host.start("echo", 1) and host.result(1)


def test_handlers_answer_their_kinds_at_once(host):
    calls = []
    host.on("reserve", lambda fid, oid: calls.append(("reserve", fid, oid)) or Symbol("reserved"))
    host.on("fulfil", lambda fid, oid: calls.append(("fulfil", fid, oid)) or Symbol("fulfilled"))
    assert host.start("order-lifecycle", "o7") == Suspended(1, "payment", "o7")
    assert calls == [("reserve", 1, "o7")]
    assert host.resume(1, Symbol("paid")) == Done(1, Symbol("fulfilled"))
    assert calls[-1] == ("fulfil", 1, "o7")
    assert [s.kind for s in host.steps(1)] == ["reserve", "payment", "fulfil"]


def test_service_answers_pending_requests_after_handlers_are_registered(host):
    host.start("order-lifecycle", "a")
    host.start("order-lifecycle", "b")
    host.on("reserve", lambda fid, oid: Symbol("reserved"))
    results = host.service()
    assert results == [Suspended(1, "payment", "a"), Suspended(2, "payment", "b")]


def test_eval_runs_guest_code_and_returns_python_values(host):
    assert host.eval('(flow/start order-lifecycle "a")') == [
        Symbol("flow-suspended"),
        1,
        Symbol("reserve"),
    ]
    assert host.eval("(flow/status 1)") == Symbol("suspended")
    assert host.eval('(string-append "a" "b")') == "ab"
    assert host.eval("(define x 1)") is None


def test_export_is_json_serialisable(host):
    host.start("order-lifecycle", "a")
    host.resume(1, Symbol("reserved"))
    host.start("echo", [1, (2, 3), Fraction(1, 2), float("nan")])
    text = json.dumps(host.export())
    data = json.loads(text)
    assert data["format"] == "commerce-flows/flow-store" and data["version"] == 2
    assert data["flows"][0]["steps"] == [
        {"kind": "reserve", "payload": "a", "value": {"$symbol": "reserved"}}
    ]
    assert data["flows"][1]["pending"]["payload"][1] == {"$vector": [2, 3]}


def test_failed_flows_keep_message_and_source_location(host):
    host.start("boom")
    r = host.resume(1, 0)
    assert isinstance(r, Failed)
    assert r.message == "car: expected a pair, got ()"
    assert r.where.startswith("test-flows.scm:")
    assert host.status(1) == "failed"
    host.start("echo", 1)
    assert host.resume(2, 2) == Done(2, 2)


def test_find_locates_a_flow_by_its_arguments(host):
    host.start("order-lifecycle", "a")
    host.start("order-lifecycle", "b")
    assert host.find("order-lifecycle", "b") == [2]
    assert host.find("order-lifecycle", "zzz") == []
