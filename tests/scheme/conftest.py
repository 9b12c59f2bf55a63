"""The golden programs, the evaluator table and the control and tail suites run twice:
on the fast machine and on the reference evaluator (scheme/run/reference.py), which defines
what the language means. A test in those modules that builds `Interpreter(...)` gets
`Interpreter(..., reference=True)` in its reference run.
"""

from __future__ import annotations

import functools

import pytest

from scheme import Interpreter

BOTH = {"test_golden", "test_eval", "test_control", "test_tail"}
# Scale tests of primitives, the reader and the printer (deep data, not deep evaluation),
# and the million-step runs whose smaller versions (max_depth=1000) already show tail
# calls and deep recursion on the reference: the machine alone keeps CI time down.
MACHINE_ONLY = {
    "test_a_million_iteration_tail_loop",
    "test_million_deep_non_tail_recursion",
    "test_equal_on_deep_structures",
    "test_reading_deep_structures_through_a_string_port",
    "test_write_and_display_of_deep_structures",
}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    module = metafunc.module.__name__.rsplit(".", 1)[-1]
    if module in BOTH and metafunc.function.__name__ not in MACHINE_ONLY:
        metafunc.fixturenames.append("evaluator")
        metafunc.parametrize("evaluator", ["machine", "reference"])


@pytest.fixture(autouse=True)
def _use_evaluator(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    callspec = getattr(request.node, "callspec", None)
    if callspec is not None and callspec.params.get("evaluator") == "reference":
        monkeypatch.setattr(
            request.module, "Interpreter", functools.partial(Interpreter, reference=True)
        )
