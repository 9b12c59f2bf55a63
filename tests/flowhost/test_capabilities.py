"""A flow is deterministic and sandboxed: none of the embedder's capabilities (clock,
files, command line, exit, environment variables) reach it, whatever it tries."""

from __future__ import annotations

import pytest

from flowhost import FlowHost
from scheme import SchemeError

NAMES = [
    ("current-second", "(scheme time)"),
    ("current-jiffy", "(scheme time)"),
    ("jiffies-per-second", "(scheme time)"),
    ("open-input-file", "(scheme file)"),
    ("with-output-to-file", "(scheme file)"),
    ("delete-file", "(scheme file)"),
    ("load", "(scheme load)"),
    ("command-line", "(scheme process-context)"),
    ("exit", "(scheme process-context)"),
    ("emergency-exit", "(scheme process-context)"),
    ("get-environment-variable", "(scheme process-context)"),
    ("get-environment-variables", "(scheme process-context)"),
]


@pytest.mark.parametrize(("name", "library"), NAMES)
def test_a_flow_cannot_reach_a_capability(name: str, library: str) -> None:
    host = FlowHost()
    host.load_source(
        f"""
        (defflow direct (lambda () (procedure? {name})))
        (defflow via-eval (lambda () (eval '{name} (environment '(scheme base)))))
        (defflow via-environment (lambda () (environment '{library})))
        (defflow via-cond-expand
          (lambda () (cond-expand ((library {library}) 'reachable) (else 'sandboxed))))
        """
    )
    expected = {
        "direct": f"unbound variable: {name}",
        "via-eval": f"unbound variable: {name}",
        "via-environment": f"{library} is not available",
    }
    for flow, message in expected.items():
        result = host.start(flow)
        assert type(result).__name__ == "Failed", (flow, result)
        assert message in result.message, (flow, result)
    done = host.start("via-cond-expand")
    assert type(done).__name__ == "Done" and str(done.result) == "sandboxed", done
    with pytest.raises(SchemeError, match="not available"):
        host.load_source(f"(import {library})")
    assert not host.interp.capabilities
