"""string-set!, string-fill! and read: figures and ratios against references measured in
this run (CPU time; the machine is shared).

    .venv/bin/python bench/strings_read_bench.py [--repeat N] [--elements N]

Targets (issue 15): string-set! and string-fill! O(1) per character (10^4 string-set!
calls on a string of length 10^7 took 22.5 s when each one rebuilt the string); read at
least 5 MB/s on a large list (about 1 MB/s before: 6.6 s for 6.9 MB, 10^6 elements).
The references: the grammar-only reader (`read_spanned_lark`, what read did before) on
the same text, and rebuilding a Python str per change (what string-set! did before).
Each figure is the best of N runs (default 3).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scheme import Interpreter, MString  # noqa: E402
from scheme.read.reader import read_datum, read_spanned_lark  # noqa: E402


def cpu(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.process_time()
        fn()
        best = min(best, time.process_time() - t)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--elements", type=int, default=1_000_000)
    args = ap.parse_args()
    interp = Interpreter()

    # -- string-set! / string-fill! on a string of length 10^7 -----------------------------
    interp.eval_string("(define s (make-string 10000000 #\\a))")
    calls = 10_000
    set_loop = f"(do ((k 0 (+ k 1))) ((= k {calls})) (string-set! s k #\\b))"
    fill_loop = f"(do ((k 0 (+ k 1))) ((= k {calls})) (string-fill! s #\\c k (+ k 1)))"
    empty_loop = f"(do ((k 0 (+ k 1))) ((= k {calls})) (string-length s))"
    t_set = cpu(lambda: interp.eval_string(set_loop), args.repeat)
    t_fill = cpu(lambda: interp.eval_string(fill_loop), args.repeat)
    t_empty = cpu(lambda: interp.eval_string(empty_loop), args.repeat)
    big = "a" * 10_000_000
    rebuilds = 20

    def rebuild() -> None:
        text = big
        for i in range(rebuilds):
            text = text[:i] + "b" + text[i + 1 :]

    t_ref = cpu(rebuild, args.repeat) / rebuilds * calls
    assert interp.eval_string("(string-ref s 9999)").ch == "c"
    print(
        f"string-set!  x{calls} on length 10^7: {t_set:7.3f} s ({t_set / calls * 1e6:.1f} us/call)"
    )
    print(f"string-fill! x{calls} on length 10^7: {t_fill:7.3f} s")
    print(f"  the same loop calling string-length: {t_empty:7.3f} s")
    print(f"  reference, rebuilding the str per call (before): {t_ref:7.1f} s (extrapolated)")
    print(f"  ratio string-set! / reference: 1/{t_ref / t_set:.0f}")
    s2 = MString("x" * 100)
    s2.fill(3, 4, "y")
    assert s2.s[3] == "y"

    # -- read ----------------------------------------------------------------------------
    text = "(" + " ".join(str(i) for i in range(args.elements)) + ")"
    mb = len(text.encode()) / 1e6
    interp.define("big-text", MString(text))
    t_read = cpu(lambda: read_datum(text, 0, "bench"), args.repeat)
    t_scheme = cpu(lambda: interp.eval_string("(read (open-input-string big-text))"), 1)
    t_lark = cpu(lambda: read_spanned_lark(text, "bench"), 1)
    n = interp.eval_string("(length (read (open-input-string big-text)))")
    assert n == args.elements, n
    print(f"read of a {args.elements}-element list, {mb:.1f} MB:")
    print(f"  read_datum (what read calls): {t_read:6.2f} s = {mb / t_read:5.2f} MB/s")
    print(f"  (read port) from Scheme:      {t_scheme:6.2f} s = {mb / t_scheme:5.2f} MB/s")
    print(f"  reference, the grammar alone: {t_lark:6.2f} s = {mb / t_lark:5.2f} MB/s")
    print(f"  ratio read / reference: {t_lark / t_read:.1f}x faster")


if __name__ == "__main__":
    main()
