"""Issue 16, the flow host's side of the Scheme budget: loading runs under the host's step
budget, and the internal flow registration is out of the guest's reach."""

from __future__ import annotations

import pytest

from flowhost import FlowHost
from scheme import StepLimitError, UnboundVariableError


def test_an_endless_loop_at_load_stops() -> None:
    host = FlowHost(step_limit=10_000)
    with pytest.raises(StepLimitError, match="step budget of 10000 closure calls used up"):
        host.load_source("(define x 1) (let loop () (loop))", "endless.scm")
    host.load_source("(defflow ok (lambda () 1))", "after.scm")  # the host goes on working


def test_defflow_registration_cannot_be_called_or_hijacked() -> None:
    host = FlowHost(step_limit=10_000)
    with pytest.raises(UnboundVariableError, match="%defflow"):
        host.load_source('(%defflow (quote forged) (lambda () 1) "0000" #f)', "forge.scm")
    # Redefining the old internal name changes nothing: defflow does not look it up.
    host.load_source("(define (%defflow . args) args)", "hijack.scm")
    host.load_source("(defflow real (lambda () 42))", "real.scm")
    assert "forged" not in host.definitions
    assert "real" in host.definitions
