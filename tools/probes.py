"""The exhaustion probes of issue 16, each run in a child process under default limits.

    .venv/bin/python tools/probes.py [--timeout S] [--only NAME]

Prints one row per probe: how it ended (the error class and message, or `TIMEOUT`), the
CPU time it took and the child's peak memory (ru_maxrss). Every probe must end with a
Scheme error in seconds; the child runs with a 4 GiB address-space cap so a probe that
escapes its budget cannot take the machine down with it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CIRCULAR = "(define l (list 1 2)) (set-cdr! (cdr l) l) "

# name -> (kind, text): kind "eval" (Interpreter(step_limit=10_000).eval_string),
# "read" (scheme.read_all) or "flow" (flowhost load_source).
PROBES: dict[str, tuple[str, str]] = {
    "make-vector x1000": (
        "eval",
        "(let loop ((i 0)) (if (< i 1000) (begin (make-vector 33554432) (loop (+ i 1)))))",
    ),
    "vector-fill! loop": (
        "eval",
        "(define v (make-vector 1000000 0)) (let loop () (vector-fill! v 1) (loop))",
    ),
    "make-string huge": ("eval", "(make-string 4000000000 #\\a)"),
    "make-list huge": ("eval", "(length (make-list 100000000 0))"),
    "string-append doubling": (
        "eval",
        '(let loop ((s "ab")) (loop (string-append s s)))',
    ),
    "list-tail circular": ("eval", CIRCULAR + "(list-tail l (expt 10 18))"),
    "list-ref circular": ("eval", CIRCULAR + "(list-ref l (expt 10 18))"),
    "length circular": ("eval", CIRCULAR + "(length l)"),
    "append circular": ("eval", CIRCULAR + "(append l '(1))"),
    "assoc circular": ("eval", CIRCULAR + "(assoc 9 l)"),
    "list-copy circular": ("eval", CIRCULAR + "(list-copy l)"),
    "eval circular": ("eval", CIRCULAR + "(eval l (interaction-environment))"),
    "string->number 10^7 digits": (
        "eval",
        "(string->number (make-string 10000000 #\\7))",
    ),
    "number->string 10^16000000": ("eval", "(number->string (expt 10 16000000))"),
    "expt 10^10^9": ("eval", "(expt 10 1000000000)"),
    "squaring loop": ("eval", "(let loop ((x 3)) (loop (* x x)))"),
    "self-expanding macro": ("eval", "(define-syntax m (syntax-rules () ((_) (m)))) (m)"),
    "exponential macro": (
        "eval",
        "(define-syntax m (syntax-rules () ((_ x) (m (x x))))) (m 1)",
    ),
    "doubly recursive macro": (
        "eval",
        "(define-syntax m (syntax-rules () ((_ x) (begin (m (x)) (m (x)))))) (m 1)",
    ),
    "20,000 nested lambdas": ("eval", "(lambda () " * 20000 + "x" + ")" * 20000),
    "read 80 KB of nested #;(": ("read", "#;(" * 20000 + ")" * 20000 + " 1"),
    "eval 80 KB of nested #;(": ("eval", "#;(" * 20000 + ")" * 20000 + " 1"),
    "eval 8000-deep quasiquote": ("eval", "`#(" * 8000 + "x" + ")" * 8000),
    "eval 8000-deep quasiquote list": ("eval", "(quote " + "`(" * 8000 + "x" + ")" * 8000 + ")"),
    "read 10^5-deep nesting": ("read", "(" * 100000 + ")" * 100000),
    "eval 10^5-deep nesting": ("eval", "(" * 100000 + ")" * 100000),
    "flow load endless loop": ("flow", "(let loop () (loop))"),
    "scheme REPL endless loop": ("repl", "(let loop () (loop))\n"),
}

# Probes that are fine programs, there to show the reader and compiler are fast on them.
EXPECTED_TO_EVALUATE = {
    "eval 80 KB of nested #;(",
    "eval 8000-deep quasiquote",
    "eval 8000-deep quasiquote list",
    "read 80 KB of nested #;(",
    "read 10^5-deep nesting",
}

CHILD = r"""
import json, sys, time
kind, text = json.loads(sys.stdin.read())
t0 = time.process_time()
try:
    if kind == "read":
        from scheme import read_all
        read_all(text)
    elif kind == "repl":
        import io
        from scheme import Interpreter
        from scheme.repl import run_repl
        out = io.StringIO()
        run_repl(Interpreter(output=out), stdin=io.StringIO(text), out=out)
        raise __import__("scheme").StepLimitError(out.getvalue().strip().splitlines()[0])
    elif kind == "flow":
        from flowhost.host import FlowHost
        FlowHost().load_source(text, "probe.scm")
    else:
        from scheme import Interpreter
        limit = None if kind == "eval-unlimited" else 10_000
        Interpreter(step_limit=limit).eval_string(text, "probe")
    outcome = "evaluated"
except Exception as e:
    mod = type(e).__module__
    outcome = f"{type(e).__name__}: {str(e)[:70]}"
    if not isinstance(e, __import__("scheme").SchemeError):
        outcome = "PYTHON " + outcome
import resource
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps([outcome, time.process_time() - t0, peak]))
"""


def run(kind: str, text: str, timeout: float) -> tuple[str, float, float]:
    """(outcome, cpu seconds, peak MiB) of one probe in a fresh child process."""
    cap = 4 << 30

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    t0 = time.monotonic()
    try:
        p = subprocess.run(
            [sys.executable, "-c", CHILD],
            input=json.dumps([kind, text]),
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=ROOT,
            preexec_fn=limit,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
    except subprocess.TimeoutExpired:
        return "TIMEOUT", time.monotonic() - t0, float("nan")
    try:
        outcome, cpu, peak = json.loads(p.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        last = (p.stderr.strip().splitlines() or ["?"])[-1]
        return f"CRASH {last[:70]}", time.monotonic() - t0, float("nan")
    return outcome, cpu, peak


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--only", default=None, help="run the probes whose name contains this")
    a = ap.parse_args(argv)
    bad = 0
    print(f"{'probe':32} {'cpu s':>7} {'peak MiB':>9}  outcome")
    for name, (kind, text) in PROBES.items():
        if a.only and a.only not in name:
            continue
        outcome, cpu, peak = run(kind, text, a.timeout)
        ok = not outcome.startswith(("TIMEOUT", "CRASH", "PYTHON")) and (
            outcome != "evaluated" or name in EXPECTED_TO_EVALUATE
        )
        bad += not ok
        print(f"{name:32} {cpu:7.2f} {peak:9.0f}  {outcome}", flush=True)
    print(f"{bad} probe(s) not stopped by a Scheme error")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
