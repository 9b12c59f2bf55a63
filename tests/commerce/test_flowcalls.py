"""Services retry work that raced another worker, and report it as one kind of conflict."""

from __future__ import annotations

import pytest

from commerce.errors import ConflictError, LedgerConflictError
from commerce.orders.flowcalls import retrying
from flowhost import StoreBusyError


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
