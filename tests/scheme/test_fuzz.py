"""The fuzzer of tools/fuzz.py, run for a bounded number of examples in the suite.

Every registered target (the Scheme reader, compiler, evaluator and file decoder, and any
target another module registers) runs EXAMPLES derandomized inputs; the property is that
each input is accepted or refused with the target's own error class, in bounded time.
`tools/fuzz.py --examples N` runs the same targets longer, with fresh randomness.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))

import fuzz  # noqa: E402

EXAMPLES = 80


@pytest.mark.parametrize("name", sorted(fuzz.load_targets()))
def test_fuzz_target_finds_nothing(name: str) -> None:
    report = fuzz.run_target(fuzz.TARGETS[name], EXAMPLES, seed=0)
    assert report.examples >= EXAMPLES // 2
    assert report.failures == {}, report.failures


def test_the_runner_reports_a_failure() -> None:
    # The property can fail: a target whose check raises a non-allowed error is caught.
    from hypothesis import strategies as st

    def check(x: int) -> None:
        if x > 5:
            raise KeyError(x)

    bad = fuzz.Target("always-bad", st.integers(0, 100), check, (ValueError,))
    report = fuzz.run_target(bad, 30, seed=0)
    assert report.examples > 0
    assert list(report.failures) == ["KeyError: N"]
