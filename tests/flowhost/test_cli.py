"""flowhost run."""

from __future__ import annotations

import subprocess
import sys

from .conftest import FLOWS, ROOT


def flowhost(*args: str, cwd=ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flowhost", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def test_run_evaluates_a_script_with_the_flows_loaded():
    r = flowhost("run", str(ROOT / "examples/order-demo.scm"), "--flows", str(FLOWS))
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0] == "started:   (flow-suspended 1 reserve)"
    assert "fulfilled: (flow-done 1 fulfilled)" in r.stdout


def test_run_keeps_flows_in_the_store_between_runs(tmp_path):
    db = tmp_path / "s.db"
    start = tmp_path / "start.scm"
    start.write_text('(display (flow/start order-lifecycle "o9"))')
    later = tmp_path / "later.scm"
    later.write_text("(display (flow/resume 1 'reserved)) (write (flow-host-requests))")
    assert (
        flowhost("run", str(start), "--store", str(db), "--flows", str(FLOWS)).stdout
        == "(flow-suspended 1 reserve)"
    )
    r = flowhost("run", str(later), "--store", str(db), "--flows", str(FLOWS))
    assert r.stdout == '(flow-suspended 1 payment)((1 payment "o9"))'


def test_run_reports_scheme_errors_with_location_and_caret(tmp_path):
    bad = tmp_path / "bad.scm"
    bad.write_text("(display 1)\n(flow/resume 42 'x)\n")
    r = flowhost("run", str(bad), "--flows", str(FLOWS))
    assert r.returncode == 1
    assert r.stdout == "1"
    assert r.stderr.startswith(f"flowhost: {bad}:2:1: flow/resume: no flow with id 42")
    assert "(flow/resume 42 'x)\n  ^" in r.stderr
    assert "Traceback" not in r.stderr


def test_usage_errors_exit_2_and_help_shows_an_example():
    assert flowhost("run").returncode == 2
    r = flowhost("run", "--help")
    assert r.returncode == 0 and "Example:" in r.stdout
    r = flowhost("run", "missing.scm")
    assert r.returncode == 1 and "cannot read missing.scm" in r.stderr
