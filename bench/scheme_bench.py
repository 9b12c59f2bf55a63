"""Interpreter benchmarks: CPU time, and ratios against plain Python measured in this run.

    .venv/bin/python bench/scheme_bench.py [--repeat N]

Every figure is CPU time (`time.process_time`, so other load on a shared machine counts
less), the median of N rounds (default 5); the rounds are interleaved -- each round runs
every case once -- so a slow spell hits all cases alike.
Targets (issue 14): fib(25) and tak(18 12 6) at most 15x plain Python; ctak within 3x of
tak (capturing a continuation is O(1)); interpreter start (import plus the prelude, wall
time) under 150 ms. Also reported: the 10^6 tail loop, the 10^6-deep non-tail recursion,
and Gabriel benchmarks written for this project (bench/gabriel/*.scm): deriv, nqueens,
primes, destruc and a small meta-circular interpreter.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

GABRIEL = Path(__file__).with_name("gabriel")
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


def interleaved(cases: dict, repeat: int) -> dict:
    """name -> median CPU seconds over `repeat` rounds, each round running every case once."""
    times: dict = {name: [] for name in cases}
    for _ in range(repeat):
        for name, fn in cases.items():
            t = time.process_time()
            fn()
            times[name].append(time.process_time() - t)
    return {name: statistics.median(ts) for name, ts in times.items()}


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
    ap.add_argument("--repeat", type=int, default=5, help="rounds; the median is reported")
    args = ap.parse_args()
    sys.setrecursionlimit(10_000)
    from scheme import Interpreter

    interp = Interpreter()
    for src in (FIB, TAK, CTAK, LOOP, DEEP):
        interp.eval_string(src)
    for path in sorted(GABRIEL.glob("*.scm")):
        interp.load_file(path)
    assert interp.eval_string("(fib 25)") == py_fib(25) == 75025
    assert interp.eval_string("(tak 18 12 6)") == interp.eval_string("(ctak 18 12 6)") == 7
    assert interp.eval_string("(queens 8)") == 92
    assert interp.eval_string("(length (primes<= 1000))") == 168
    assert interp.eval_string("(run-meta)") == 987

    def scheme(text: str):
        return lambda: interp.eval_string(text)

    cases = {
        "fib_py": lambda: py_fib(25),
        "fib": scheme("(fib 25)"),
        "tak_py": lambda: py_tak(18, 12, 6),
        "tak": scheme("(tak 18 12 6)"),
        "ctak": scheme("(ctak 18 12 6)"),
        "loop": scheme("(count-up 1000000)"),
        "deep": scheme("(deep 1000000)"),
        "deriv": scheme("(run-deriv 5000)"),
        "nqueens": scheme("(queens 8)"),
        "primes": scheme("(run-primes 10 1000)"),
        "destruc": scheme("(run-destruc 4)"),
        "meta": scheme("(run-meta)"),
    }
    t = interleaved(cases, args.repeat)
    start = startup_ms(3)

    def ms(name: str) -> float:
        return t[name] * 1000

    rows = [
        ("fib(25) plain Python", ms("fib_py"), ""),
        ("fib(25) Scheme", ms("fib"), f"{t['fib'] / t['fib_py']:5.1f}x Python  (target <= 15x)"),
        ("tak(18 12 6) plain Python", ms("tak_py"), ""),
        (
            "tak(18 12 6) Scheme",
            ms("tak"),
            f"{t['tak'] / t['tak_py']:5.1f}x Python  (target <= 15x)",
        ),
        (
            "ctak(18 12 6) Scheme",
            ms("ctak"),
            f"{t['ctak'] / t['tak']:5.2f}x tak     (target <= 3x)",
        ),
        ("10^6 tail loop", ms("loop"), ""),
        ("10^6-deep non-tail recursion", ms("deep"), ""),
        ("deriv x 5000", ms("deriv"), ""),
        ("nqueens 8", ms("nqueens"), ""),
        ("primes <= 1000 x 10", ms("primes"), ""),
        ("destruc 600 50 x 4", ms("destruc"), ""),
        ("meta-interpreter fib(16)", ms("meta"), ""),
        ("start: import + prelude (wall)", start, "(target < 150 ms)"),
    ]
    gabriel = ("deriv", "nqueens", "primes", "destruc", "meta")
    ratios = (t["fib"] / t["fib_py"], t["tak"] / t["tak_py"])
    print(f"CPU time, median of {args.repeat} interleaved rounds")
    for name, value, note in rows:
        print(f"{name:32} {value:9.1f} ms  {note}")
    print(f"{'geometric mean, fib and tak':32} {statistics.geometric_mean(ratios):9.1f} x Python")
    gm = statistics.geometric_mean([ms(n) for n in gabriel])
    print(f"{'geometric mean, Gabriel five':32} {gm:9.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
