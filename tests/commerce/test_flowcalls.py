"""Services retry work that raced another worker, and report it as one kind of conflict."""

from __future__ import annotations

import pytest

from commerce.errors import (
    ConflictError,
    FlowServiceError,
    InsufficientStockError,
    LedgerConflictError,
)
from commerce.orders.flowcalls import handler_failure, retrying, run_flow_step
from flowhost import HandlerError, StoreBusyError


def test_a_conflict_that_clears_is_retried_until_the_work_succeeds():
    tries = []

    def work():
        tries.append(1)
        if len(tries) == 1:
            raise StoreBusyError("busy")  # a plain read met a locked database
        if len(tries) == 2:
            raise LedgerConflictError("moved")
        return "done"

    assert retrying(work) == "done" and len(tries) == 3


def test_a_conflict_that_does_not_clear_is_a_conflict_error():
    def work():
        raise StoreBusyError("still busy")

    with pytest.raises(ConflictError, match="still busy"):
        retrying(work, attempts=3)


def test_other_errors_are_not_retried():
    tries = []

    def work():
        tries.append(1)
        raise ValueError("bad input")

    with pytest.raises(ValueError):
        retrying(work)
    assert len(tries) == 1


def _handler_failed(cause: BaseException) -> HandlerError:
    try:
        raise HandlerError(7, "reserve", cause) from cause
    except HandlerError as e:
        return e


def test_a_handler_that_met_another_workers_lock_is_a_conflict_that_is_retried():
    tries = []

    def step():
        tries.append(1)
        if len(tries) == 1:
            raise _handler_failed(StoreBusyError("database is locked"))
        return "answered"

    assert retrying(lambda: run_flow_step("order flow", step)) == "answered"
    assert len(tries) == 2


def test_a_handlers_commerce_error_comes_out_as_itself_and_a_defect_as_a_flow_failure():
    shortage = InsufficientStockError("MUG: 0 on hand, 1 wanted")

    def short():
        raise _handler_failed(shortage)

    with pytest.raises(InsufficientStockError) as caught:
        run_flow_step("order flow", short)
    assert caught.value is shortage and caught.value.__cause__ is None  # not its own cause

    def broken():
        raise _handler_failed(KeyError("sku"))

    with pytest.raises(FlowServiceError, match="order flow: the reserve handler failed"):
        run_flow_step("order flow", broken)
    assert handler_failure(_handler_failed(KeyError("sku"))) is None
    busy = StoreBusyError("x")
    conflict = handler_failure(_handler_failed(busy))
    assert isinstance(conflict, ConflictError) and conflict.__cause__ is busy
