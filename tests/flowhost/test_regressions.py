"""Regressions found in review of the flow host."""

from __future__ import annotations

import pytest

from flowhost import (
    ExportFormatError,
    FlowHost,
    HandlerError,
    NondeterminismError,
    Suspended,
)
from scheme import SchemeError, Symbol
from scheme.printer import write_string

from .conftest import FLOWS


def test_a_continuation_kept_before_another_process_imported_is_not_reused(tmp_path):
    db = tmp_path / "s.db"
    a = FlowHost.open(db)
    a.load_file(FLOWS / "order.scm")
    a.start("order-lifecycle", "o1")  # a keeps the live continuation of flow 1 (o1)
    b = FlowHost.open(db)
    b.load_file(FLOWS / "order.scm")
    other = FlowHost()
    other.load_file(FLOWS / "order.scm")
    other.start("order-lifecycle", "o9")
    other.resume(1, Symbol("reserved"))
    b.import_(other.export())  # flow 1 is now o9, waiting on payment
    assert a.resume(1, Symbol("paid")) == Suspended(1, "fulfil", "o9")
    assert [(s.kind, s.payload) for s in a.steps(1)] == [("reserve", "o9"), ("payment", "o9")]
    fresh = FlowHost.open(db)
    fresh.load_file(FLOWS / "order.scm")
    assert fresh.resume(1, Symbol("fulfilled")).result == Symbol("fulfilled")
    for h in (a, b, fresh):
        h.close()


def test_scheme_side_import_needs_every_top_level_key(mem_host):
    mem_host.start("order-lifecycle", "o1")
    with pytest.raises(SchemeError, match="missing key 'flows'"):
        mem_host.interp.eval_string(
            '(flow-store-import! \'((format . "commerce-flows/flow-store") (version . 1)'
            " (next-id . 5)))"
        )
    assert mem_host.pending() == [1]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"next_id": 0}, "next_id: ids start at 1"),
        ({"result": 42}, "flows[0].result: a suspended flow has no result"),
        ({"where": 7}, "flows[0].where: only a failed flow has 'where'"),
    ],
)
def test_more_export_fields_are_checked(mem_host, change, message):
    mem_host.start("order-lifecycle", "o1")
    data = mem_host.export()
    if "next_id" in change:
        data["flows"] = []
        data.update(change)
    else:
        data["flows"][0].update(change)
    with pytest.raises(ExportFormatError, match=message.replace("[", r"\[").replace("]", r"\]")):
        mem_host.import_(data)


def test_the_step_named_is_where_the_new_source_diverges(mem_host):
    mem_host.start("order-lifecycle", "o1")
    mem_host.resume(1, Symbol("reserved"))
    data = mem_host.export()
    mem_host.reset()
    mem_host.load_source("(defflow order-lifecycle (lambda (oid) 'changed-my-mind))")
    with pytest.raises(NondeterminismError) as e:
        mem_host.import_(data)
    assert e.value.step == 1 and e.value.new == "returns"


def test_a_replayed_loop_gets_one_budget_not_one_per_logged_step(tmp_path):
    host = FlowHost(step_limit=20_000)
    host.load_source(
        "(defflow ticker (lambda () (let loop ((i 0)) (request 'tick i) (loop (+ i 1)))))"
    )
    host.start("ticker")
    for i in range(50):
        host.resume(1, i)
    data = host.export()
    host.reset()
    host.load_source("(defflow ticker (lambda () (let spin () (spin))))")
    with pytest.raises(NondeterminismError, match="step budget of 20000"):
        host.import_(data)
    # while a long log of cheap steps replays within the per-step budget
    host.reset()
    host.load_source(
        "(defflow ticker (lambda () (let loop ((i 0)) (request 'tick i) "
        "(let burn ((n 0)) (if (< n 15000) (burn (+ n 1)))) (loop (+ i 1)))))"
    )
    host.import_(data)
    assert host.requests() == [Suspended(1, "tick", 50)]


def test_error_messages_name_the_procedure_once(mem_host):
    mem_host.load_source('(defflow meddler (lambda () (flow/start order-lifecycle "x")))')
    message = write_string(mem_host.interp.eval_string("(caddr (flow/start meddler))"))
    assert message.count("flow/start:") == 1


def test_a_failing_handler_reports_the_flow_it_left_suspended(mem_host):
    def reserve(flow_id, oid):
        raise RuntimeError("warehouse unreachable")

    mem_host.on("reserve", reserve)
    with pytest.raises(HandlerError) as e:
        mem_host.start("order-lifecycle", "o1")
    assert (e.value.flow_id, e.value.kind) == (1, "reserve")
    assert "warehouse unreachable" in str(e.value)
    assert mem_host.requests() == [Suspended(1, "reserve", "o1")]
    mem_host.on("reserve", lambda flow_id, oid: Symbol("reserved"))
    assert mem_host.service() == [Suspended(1, "payment", "o1")]


def test_a_bad_argument_is_named_by_position(mem_host):
    with pytest.raises(Exception, match="flow argument 2 must be plain data"):
        mem_host.start("order-lifecycle", "o1", object())


def test_a_store_without_a_stamp_counter_starts_above_its_versions(tmp_path):
    from dataclasses import replace

    from flowhost import FlowConflictError, Step
    from flowhost.sqlite_store import SQLiteStore

    db = tmp_path / "old.db"
    host = FlowHost.open(db)
    host.load_file(FLOWS / "order.scm")
    host.start("order-lifecycle", "o1")
    host.close()
    first = SQLiteStore(db)
    first.db.execute("DELETE FROM flow_meta WHERE key = 'next_version'")  # an older store
    stale = first.get(1)
    second = SQLiteStore(db)
    second.update(replace(second.get(1), status="cancelled", pending=None), stale.version)
    assert second.get(1).version > stale.version
    with pytest.raises(FlowConflictError):
        first.update(stale, stale.version, Step("reserve", "o1", Symbol("x")))
    assert first.get(1).status == "cancelled"
    first.close()
    second.close()


def test_guest_side_arguments_are_named_by_position(mem_host):
    with pytest.raises(SchemeError, match="flow argument 2 must be plain data"):
        mem_host.interp.eval_string('(flow/start order-lifecycle "o1" car)')
