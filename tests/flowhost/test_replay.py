"""Replay: recorded logs (JSON fixtures) replay through the current sources, a changed
source raises NondeterminismError with the step and the request's source line, and a
damaged export is rejected with the store unchanged."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from flowhost import (
    ExportFormatError,
    FlowHost,
    NondeterminismError,
    Suspended,
)
from scheme import Symbol

from .conftest import FLOWS

FIXTURES = Path(__file__).with_name("fixtures")


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def fresh(store: str = "memory", tmp_path: Path | None = None) -> FlowHost:
    host = FlowHost.open(tmp_path / "r.db") if store == "sqlite" else FlowHost()
    host.load_file(FLOWS / "order.scm")
    host.load_file(FLOWS / "refund.scm")
    return host


@pytest.mark.parametrize("store", ["memory", "sqlite"])
def test_recorded_log_replays_through_the_current_flows(store, tmp_path):
    host = fresh(store, tmp_path)
    host.import_(fixture("orders-v1.json"))
    exported, recorded = host.export(), fixture("orders-v1.json")
    assert (exported["version"], recorded["version"]) == (2, 1)  # v1 is read, v2 written
    assert exported["flows"] == recorded["flows"]
    assert exported["next_id"] == recorded["next_id"]
    assert host.status(2) == "done" and host.result(2) == Symbol("fulfilled")
    assert host.status(4) == "cancelled"
    assert host.requests() == [Suspended(1, "payment", "o-1001"), Suspended(3, "settle", "o-1002")]
    assert host.resume(1, Symbol("paid")) == Suspended(1, "fulfil", "o-1001")
    assert host.start("order-lifecycle", "o-2000").id == 5


CHANGED_ORDER = """
(defflow order-lifecycle
  (lambda (oid)
    (begin (request (quote reserve) oid)
           (request (quote charge) oid)
           (request (quote fulfil) oid))))
"""


def test_editing_a_flow_between_export_and_import_is_a_nondeterminism_error(tmp_path):
    host = fresh()
    host.start("order-lifecycle", "o1")
    host.resume(1, Symbol("reserved"))
    host.resume(1, Symbol("paid"))
    saved = host.export()
    host.reset()
    src = tmp_path / "order.scm"
    src.write_text(CHANGED_ORDER)
    host.load_file(src)
    host.load_file(FLOWS / "refund.scm")
    with pytest.raises(NondeterminismError) as err:
        host.import_(saved)
    e = err.value
    assert (e.flow_id, e.flow, e.step) == (1, "order-lifecycle", 2)
    assert e.recorded == '(payment "o1")'
    assert e.new == 'asks (charge "o1")'
    assert str(e.span) == f"{src}:5:12"
    rendered = e.render()
    assert "flow 1 (order-lifecycle) no longer replays: at step 2" in rendered
    assert "(request (quote charge) oid)" in rendered and rendered.endswith("^")
    assert host.pending() == []  # the store is unchanged (empty after the reset)


def test_a_changed_flow_is_also_caught_when_resuming_after_a_restart(tmp_path):
    db = tmp_path / "r.db"
    host = fresh("sqlite", tmp_path)
    host.start("order-lifecycle", "o1")
    host.close()
    other = FlowHost.open(db)
    other.load_source(CHANGED_ORDER.replace("reserve", "hold"), "edited.scm")
    with pytest.raises(NondeterminismError, match='recorded a pending \\(reserve "o1"\\)'):
        other.resume(1, Symbol("reserved"))
    assert other.status(1) == "suspended" and other.steps(1) == []


def test_a_flow_that_now_finishes_early_does_not_replay():
    host = fresh()
    host.start("order-lifecycle", "o1")
    host.resume(1, Symbol("reserved"))
    saved = host.export()
    host.reset()
    host.load_source("(defflow order-lifecycle (lambda (oid) (request 'reserve oid) 'done))")
    with pytest.raises(NondeterminismError, match="returns"):
        host.import_(saved)


def test_nondeterminism_cannot_be_swallowed_by_a_guard_in_the_flow():
    host = fresh()
    host.start("order-lifecycle", "o1")
    host.resume(1, Symbol("reserved"))
    saved = host.export()
    host.reset()
    host.load_source("""(defflow order-lifecycle
      (lambda (oid) (guard (e (#t 'swallowed)) (request 'other oid))))""")
    with pytest.raises(NondeterminismError):
        host.import_(saved)


def _damage(path: str, value: object, base: dict) -> dict:
    data = copy.deepcopy(base)
    target = data
    keys = path.split(".")
    for key in keys[:-1]:
        target = target[int(key)] if isinstance(target, list) else target[key]
    last = keys[-1]
    if value is _DELETE:
        del target[last]
    elif isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return data


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("format", "something-else", "format: expected 'commerce-flows/flow-store'"),
        ("version", 4, "version: this host reads versions 1, 2 and 3, got 4"),
        ("flows", _DELETE, "missing key 'flows'"),
        ("next_id", "5", "next_id: expected int"),
        ("next_id", 3, "next_id: must be above every flow id"),
        ("flows.0.id", 2, "flows[1].id: ids must be positive and unique, got 2"),
        ("flows.0.status", "sleeping", "flows[0].status: expected one of"),
        ("flows.0.pending", None, "flows[0]: a suspended flow needs its pending request"),
        ("flows.0.steps.0.kind", 7, "flows[0].steps[0].kind: expected str"),
        ("flows.0.steps.0.value", {"$symbol": 3}, "flows[0].steps[0].value"),
        ("flows.0.args", [{"$lambda": 1}], "flows[0].args[0]: unknown or malformed"),
        ("flows.1.result", _DELETE, "flows[1]: a done flow needs its result"),
        ("flows.0.flow", "order-lifecycle-v2", "order-lifecycle-v2, which is not defined"),
        ("flows.0.colour", "blue", "flows[0]: unknown keys ['colour']"),
    ],
)
def test_a_damaged_export_is_rejected_and_the_store_unchanged(path, value, message):
    host = fresh()
    host.start("order-lifecycle", "mine")
    before = host.export()
    with pytest.raises(
        ExportFormatError,
        match=message.replace("[", r"\[")
        .replace("]", r"\]")
        .replace("(", r"\(")
        .replace(")", r"\)"),
    ):
        host.import_(_damage(path, value, fixture("orders-v1.json")))
    assert host.export() == before


def test_a_truncated_export_is_rejected():
    host = fresh()
    host.start("order-lifecycle", "mine")
    before = host.export()
    text = (FIXTURES / "orders-v1.json").read_text()
    with pytest.raises(json.JSONDecodeError):
        json.loads(text[: len(text) // 2])
    data = fixture("orders-v1.json")
    data["flows"] = data["flows"][:1]
    data["flows"][0]["steps"] = []  # a log cut short: the flow is no longer at payment
    with pytest.raises(NondeterminismError, match="recorded a pending \\(payment"):
        host.import_(data)
    assert host.export() == before
    with pytest.raises(ExportFormatError, match="expected a JSON object"):
        host.import_([1, 2])


def test_importing_the_scheme_datum_validates_too():
    host = fresh()
    host.start("order-lifecycle", "mine")
    with pytest.raises(Exception, match="flow-store-import!: cannot import"):
        host.interp.eval_string('(flow-store-import! \'((format . "nope")))')
    assert host.pending() == [1]
