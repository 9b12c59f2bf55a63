"""The guest-side API: every call and the shape it returns (FLOWS.md)."""

from __future__ import annotations

import pytest

from scheme import SchemeError
from scheme.printer import write_string


def ev(host, text: str) -> str:
    """Evaluate guest code and give the written result."""
    return write_string(host.interp.eval_string(text))


def test_start_returns_suspended_shape_and_flow_reference_works_unquoted(host):
    assert ev(host, '(flow/start order-lifecycle "o1")') == "(flow-suspended 1 reserve)"
    assert ev(host, '(flow/start \'order-lifecycle "o2")') == "(flow-suspended 2 reserve)"
    assert ev(host, "order-lifecycle") == "#<flow order-lifecycle>"


def test_resume_walks_the_order_lifecycle_to_done(host):
    ev(host, '(flow/start order-lifecycle "o1")')
    assert ev(host, "(flow/resume 1 'reserved)") == "(flow-suspended 1 payment)"
    assert ev(host, "(flow/resume 1 'paid)") == "(flow-suspended 1 fulfil)"
    assert ev(host, "(flow/resume 1 'fulfilled)") == "(flow-done 1 fulfilled)"
    assert ev(host, "(flow/status 1)") == "done"
    assert ev(host, "(flow/result 1)") == "fulfilled"


def test_done_on_start_and_failed_shape(host):
    host.load_source("(defflow quick (lambda (x) (* x 2)))")
    assert ev(host, "(flow/start quick 21)") == "(flow-done 1 42)"
    assert ev(host, "(flow/start boom)") == "(flow-suspended 2 first)"
    assert ev(host, "(flow/resume 2 0)") == '(flow-failed 2 "car: expected a pair, got ()")'
    assert ev(host, "(flow/status 2)") == "failed"


def test_status_of_unknown_id_is_false(host):
    assert ev(host, "(flow/status 99)") == "#f"


def test_pending_lists_suspended_ids_ascending(host):
    for oid in ("a", "b", "c"):
        ev(host, f'(flow/start order-lifecycle "{oid}")')
    ev(host, "(flow/resume 2 'reserved)")
    ev(host, "(flow/cancel 1)")
    assert ev(host, "(flow/pending)") == "(2 3)"


def test_host_requests_lists_id_kind_payload(host):
    ev(host, '(flow/start order-lifecycle "a")')
    ev(host, '(flow/start refund-lifecycle "r")')
    ev(host, "(flow/resume 1 'reserved)")
    assert ev(host, "(flow-host-requests)") == '((1 payment "a") (2 approve "r"))'


def test_cancel_makes_the_flow_cancelled_and_not_resumable(host):
    ev(host, '(flow/start order-lifecycle "a")')
    assert ev(host, "(flow/cancel 1)") == "#t"
    assert ev(host, "(flow/status 1)") == "cancelled"
    with pytest.raises(SchemeError, match="flow/resume: flow 1 is cancelled"):
        ev(host, "(flow/resume 1 'reserved)")


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("(flow/resume 5 'x)", "flow/resume: no flow with id 5"),
        ("(flow/result 1)", "flow/result: flow 1 is suspended, not done"),
        ("(flow/start no-such-flow)", "unbound variable: no-such-flow"),
        ("(flow/start 'no-such-flow)", "flow/start: no flow named no-such-flow"),
        ("(flow/start order-lifecycle car)", "flow argument 1 must be plain data"),
        ("(flow/resume 1 (lambda () 1))", "resume value must be plain data"),
        ("(flow/resume 'one 'x)", "flow/resume: expected a flow id"),
        ("(request 'x 1)", "request: only valid while a flow runs"),
    ],
)
def test_errors_are_scheme_errors_with_clear_messages(host, code, message):
    ev(host, '(flow/start order-lifecycle "a")')
    with pytest.raises(SchemeError, match=message.replace("(", r"\(").replace(")", r"\)")):
        ev(host, code)


def test_guest_errors_are_catchable_with_guard(host):
    out = ev(host, "(guard (e ((error-object? e) 'caught)) (flow/resume 42 'x))")
    assert out == "caught"


def test_export_is_a_plain_datum_and_import_restores_it(host):
    ev(host, '(flow/start order-lifecycle "a")')
    ev(host, "(flow/resume 1 'reserved)")
    text = ev(host, "(flow-store-export)")
    assert text.startswith(
        '((format . "commerce-flows/flow-store") (version . 2) (next-id . 2) (store . "'
    )
    assert '(steps #(reserve "a" reserved))' in text
    assert '(pending . #(payment "a"))' in text


def test_defining_a_flow_again_replaces_it(host):
    host.load_source("(defflow twice (lambda (x) (* x 2)))")
    host.load_source("(defflow twice (lambda (x) (* x 3)))")
    assert ev(host, "(flow/start twice 5)") == "(flow-done 1 15)"


def test_defflow_needs_a_procedure_and_top_level(host):
    with pytest.raises(SchemeError, match="defflow bad: expected a procedure"):
        host.load_source("(defflow bad 42)")
    with pytest.raises(SchemeError, match="defflow: only allowed at top level"):
        host.load_source("(define (f) (defflow inner (lambda () 1)))")


def test_flow_reset_forgets_definitions_and_instances_but_keeps_globals(host):
    ev(host, "(define keep 7)")
    ev(host, '(flow/start order-lifecycle "a")')
    ev(host, "(flow-reset!)")
    assert ev(host, "(flow/pending)") == "()"
    assert ev(host, "(flow/status 1)") == "#f"
    assert ev(host, "keep") == "7"
    with pytest.raises(SchemeError, match="no flow named order-lifecycle"):
        ev(host, '(flow/start order-lifecycle "b")')


def test_ids_are_never_reused_after_reset(host):
    ev(host, '(flow/start order-lifecycle "a")')
    ev(host, "(flow-reset!)")
    host.load_source("(defflow again (lambda () (request (quote x) 1)))")
    assert ev(host, "(flow/start again)") == "(flow-suspended 2 x)"


def test_flows_cannot_manage_flows(host):
    host.load_source('(defflow meddler (lambda () (flow/start order-lifecycle "x")))')
    assert "flow code cannot manage flows" in ev(host, "(caddr (flow/start meddler))")
