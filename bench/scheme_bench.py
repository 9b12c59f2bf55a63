"""Interpreter benchmarks: figures and ratios against plain Python measured in this run.

    .venv/bin/python bench/scheme_bench.py [--repeat N]

Targets (issue 2): fib(25) and tak(18 12 6) within 40x of plain Python; ctak within 3x
of tak (capturing a continuation is O(1)); interpreter start (import plus the prelude)
under 150 ms. The 10^6 tail loop and the 10^6-deep non-tail recursion are reported.
Each figure is the best of N runs (default 3).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

FIB = "(define (fib n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2)))))"
TAK = """(define (tak x y z)
  (if (not (< y x)) z
      (tak (tak (- x 1) y z) (tak (- y 1) z x) (tak (- z 1) x y))))"""
CTAK = """(define (ctak x y z)
  (call/cc (lambda (k) (ctak-aux k x y z))))
(define (ctak-aux k x y z)
  (if (not (< y x))
      (k z)
      (call/cc
       (lambda (k)
         (ctak-aux k
                   (call/cc (lambda (k) (ctak-aux k (- x 1) y z)))
                   (call/cc (lambda (k) (ctak-aux k (- y 1) z x)))
                   (call/cc (lambda (k) (ctak-aux k (- z 1) x y))))))))"""
LOOP = "(define (count-up n) (let loop ((i 0)) (if (< i n) (loop (+ i 1)) i)))"
DEEP = "(define (deep n) (if (= n 0) 0 (+ 1 (deep (- n 1)))))"


def py_fib(n: int) -> int:
    return n if n < 2 else py_fib(n - 1) + py_fib(n - 2)


def py_tak(x: int, y: int, z: int) -> int:
    if not y < x:
        return z
    return py_tak(py_tak(x - 1, y, z), py_tak(y - 1, z, x), py_tak(z - 1, x, y))


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def startup_ms(repeat: int) -> float:
    """Fresh process: import scheme and build the standard environment (prelude included)."""
    code = (
        "import time; t = time.perf_counter(); from scheme import Interpreter; Interpreter(); "
        "print((time.perf_counter() - t) * 1000)"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    out = []
    for _ in range(repeat + 1):  # the first run may write bytecode and parser caches
        r = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
        )
        out.append(float(r.stdout.strip()))
    return min(out[1:])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    sys.setrecursionlimit(10_000)
    from scheme import Interpreter

    interp = Interpreter()
    for src in (FIB, TAK, CTAK, LOOP, DEEP):
        interp.eval_string(src)
    assert interp.eval_string("(fib 25)") == py_fib(25) == 75025
    assert interp.eval_string("(tak 18 12 6)") == interp.eval_string("(ctak 18 12 6)") == 7

    r = args.repeat
    fib_py = best(lambda: py_fib(25), r)
    tak_py = best(lambda: py_tak(18, 12, 6), r)
    fib_s = best(lambda: interp.eval_string("(fib 25)"), r)
    tak_s = best(lambda: interp.eval_string("(tak 18 12 6)"), r)
    ctak_s = best(lambda: interp.eval_string("(ctak 18 12 6)"), r)
    loop_s = best(lambda: interp.eval_string("(count-up 1000000)"), r)
    deep_s = best(lambda: interp.eval_string("(deep 1000000)"), max(1, r - 1))
    start = startup_ms(r)

    rows = [
        ("fib(25) plain Python", fib_py * 1000, ""),
        ("fib(25) Scheme", fib_s * 1000, f"{fib_s / fib_py:5.1f}x Python  (target <= 40x)"),
        ("tak(18 12 6) plain Python", tak_py * 1000, ""),
        ("tak(18 12 6) Scheme", tak_s * 1000, f"{tak_s / tak_py:5.1f}x Python  (target <= 40x)"),
        ("ctak(18 12 6) Scheme", ctak_s * 1000, f"{ctak_s / tak_s:5.2f}x tak     (target <= 3x)"),
        ("10^6 tail loop", loop_s * 1000, ""),
        ("10^6-deep non-tail recursion", deep_s * 1000, ""),
        ("start: import + prelude", start, "(target < 150 ms)"),
    ]
    for name, ms, note in rows:
        print(f"{name:32} {ms:9.1f} ms  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
