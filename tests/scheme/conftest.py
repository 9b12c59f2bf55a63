"""The golden programs, the evaluator table and the control and tail suites run twice:
on the fast machine and on the reference evaluator (scheme/reference.py), which defines
what the language means. A test in those modules that builds `Interpreter(...)` gets
`Interpreter(..., reference=True)` in its reference run.
"""

from __future__ import annotations

import functools

import pytest

from scheme import Interpreter

BOTH = {"test_golden", "test_eval", "test_control", "test_tail"}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if metafunc.module.__name__.rsplit(".", 1)[-1] in BOTH:
        metafunc.fixturenames.append("evaluator")
        metafunc.parametrize("evaluator", ["machine", "reference"])


@pytest.fixture(autouse=True)
def _use_evaluator(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    callspec = getattr(request.node, "callspec", None)
    if callspec is not None and callspec.params.get("evaluator") == "reference":
        monkeypatch.setattr(
            request.module, "Interpreter", functools.partial(Interpreter, reference=True)
        )
