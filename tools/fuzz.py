"""Property fuzzing of everything that takes hostile input, with hypothesis.

    .venv/bin/python tools/fuzz.py [--examples N] [--target NAME ...] [--seed S]

The property of every target: any input either is accepted or is refused with the
target's own error class (a SchemeError for the Scheme targets) -- never another Python
exception, and never slower than SLOW seconds. Prints one row per target (examples run,
failures found, slowest example) and the failures, each with its shrunk input; exits 1
when any target failed. tests/scheme/test_fuzz.py runs every target for a few dozen
examples inside ./conformance.sh.

Targets live in a registry; another module adds its own with

    from fuzz import register              # tools/ on sys.path
    register(Target("import", strategy, check, allowed=(ImportError_,)))

where `strategy` is a hypothesis strategy of inputs and `check(x)` runs one input (any
exception of a class in `allowed` counts as a clean refusal). `load_targets()` imports the
modules named in EXTRA_TARGET_MODULES (each registers on import), so the runner and the
suite see them.
"""

from __future__ import annotations

import argparse
import importlib
import io
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

SLOW = 10.0  # seconds: an example slower than this is a failure (a budget did not bite)
# Modules whose import registers more targets (the store and import fuzzers of issue 16).
EXTRA_TARGET_MODULES: list[str] = []


@dataclass
class Target:
    """One fuzz target: inputs, how to run one, and the errors that count as refusals."""

    name: str
    strategy: Any
    check: Callable[[Any], Any]
    allowed: tuple[type[BaseException], ...] = ()


@dataclass
class Report:
    """What one run of a target found."""

    name: str
    examples: int = 0
    slowest: float = 0.0
    failures: dict[str, Any] = field(default_factory=dict)  # signature -> smallest input


TARGETS: dict[str, Target] = {}
_DIGITS = re.compile(r"\d+")  # failures differing only in numbers are one failure


def register(target: Target) -> Target:
    """Add a target to the registry (a later one of the same name replaces it)."""
    TARGETS[target.name] = target
    return target


def load_targets() -> dict[str, Target]:
    """The registry with every module in EXTRA_TARGET_MODULES imported."""
    for name in EXTRA_TARGET_MODULES:
        importlib.import_module(name)
    return TARGETS


def run_target(target: Target, examples: int, seed: int | None = 0) -> Report:
    """Run target for `examples` inputs; every failure is recorded, none stops the run."""
    report = Report(target.name)

    def one(x: Any) -> None:
        report.examples += 1
        t0 = time.process_time()
        try:
            target.check(x)
        except target.allowed:
            pass
        except Exception as e:  # noqa: BLE001 -- exactly what the fuzzer looks for
            sig = f"{type(e).__name__}: {_DIGITS.sub('N', str(e))[:120]}"
            old = report.failures.get(sig)
            if old is None or len(repr(x)) < len(repr(old)):
                report.failures[sig] = x
        spent = time.process_time() - t0
        report.slowest = max(report.slowest, spent)
        if spent > SLOW:
            report.failures.setdefault(f"slow: {spent:.1f} s", x)

    test = settings(
        max_examples=examples,
        database=None,
        deadline=None,
        derandomize=seed is not None,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )(given(target.strategy)(one))
    test()
    return report


# -- the Scheme targets --------------------------------------------------------------------

TOKENS = [
    "(",
    ")",
    "(",
    ")",
    "[",
    "]",
    "'",
    "`",
    ",",
    ",@",
    "#(",
    "#u8(",
    ".",
    "#;",
    "#|",
    "|#",
    "#t",
    "#f",
    "#\\a",
    "#\\x41",
    '"s"',
    '"\\x41;"',
    "0",
    "1",
    "-1",
    "1.5",
    "1/2",
    "+i",
    "#e1e400",
    "#x-ff",
    "1e308",
    "x",
    "y",
    "lambda",
    "define",
    "let",
    "let*",
    "letrec",
    "if",
    "cond",
    "case",
    "else",
    "=>",
    "begin",
    "set!",
    "quote",
    "quasiquote",
    "unquote",
    "define-syntax",
    "syntax-rules",
    "...",
    "_",
    "define-record-type",
    "let-values",
    "call/cc",
    "dynamic-wind",
    "guard",
    "raise",
    "error",
    "make-vector",
    "vector-fill!",
    "list-tail",
    "string->number",
    "number->string",
    "expt",
    "*",
    "+",
    "apply",
    "eval",
    "(interaction-environment)",
    "delay",
    "force",
    "parameterize",
    "make-parameter",
    "do",
    "case-lambda",
    "define-values",
    "import",
    "(scheme base)",
    "include",
    "string-append",
    "make-string",
    "set-cdr!",
    "list",
    "car",
    "cdr",
    "#0=",
    "#0#",
    "with-exception-handler",
    "exit",
    "values",
    "call-with-values",
    "%defflow",
]


def _golden_programs() -> list[str]:
    return [p.read_text() for p in sorted((ROOT / "tests/scheme/golden").glob("*.scm"))] or [
        "(define (f x) (* x x)) (f 3)"
    ]


@st.composite
def _mutated_golden(draw: Any) -> str:
    text = draw(st.sampled_from(_golden_programs()))
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 40)))
        op = draw(st.sampled_from(["delete", "duplicate", "insert", "replace"]))
        if op == "delete":
            text = text[:i] + text[j:]
        elif op == "duplicate":
            text = text[:j] + text[i:j] + text[j:]
        else:
            token = " " + draw(st.sampled_from(TOKENS)) + " "
            text = text[:i] + token + (text[i:] if op == "insert" else text[j:])
    return text


def _nested(n: int, open_: str, close: str, core: str = "x") -> str:
    return open_ * n + core + close * n


_DEEP = st.builds(
    _nested,
    st.integers(500, 20_000),
    st.sampled_from(["(", "[", "'", "`", "#(", "(list ", "(quote ", "(lambda () ", "`(,"]),
    st.sampled_from([")", "]", "", " )"]),
    st.sampled_from(["x", "1", "", "(m)"]),
)
_HUGE = st.one_of(
    st.integers(1_000, 200_000).map(lambda n: "7" * n),
    st.integers(1_000, 200_000).map(lambda n: '"' + "a" * n + '"'),
    st.integers(1, 10**9).map(lambda n: f"#e1e{n}"),
    st.integers(1, 10**7).map(lambda n: f"(make-vector {n} 0)"),
    st.integers(1, 10**7).map(lambda n: f"(expt 7 {n})"),
    st.integers(1, 10**6).map(lambda n: f"(string->number (make-string {n} #\\9))"),
)
_SOUP = st.lists(st.sampled_from(TOKENS), max_size=60).map(" ".join)
_FORMS = [
    "define",
    "lambda",
    "let",
    "let*",
    "letrec",
    "letrec*",
    "named-lambda",
    "if",
    "cond",
    "case",
    "and",
    "or",
    "when",
    "unless",
    "do",
    "begin",
    "set!",
    "quote",
    "quasiquote",
    "define-syntax",
    "let-syntax",
    "letrec-syntax",
    "syntax-rules",
    "define-record-type",
    "let-values",
    "let*-values",
    "define-values",
    "case-lambda",
    "parameterize",
    "guard",
    "delay",
    "delay-force",
    "make-promise",
    "import",
    "define-library",
    "include",
    "cond-expand",
    "syntax-error",
    "defflow",
]
_FORM_SOUP = st.tuples(
    st.sampled_from(_FORMS),
    st.lists(st.sampled_from(TOKENS + ["()", "(x)", "((x 1))"]), max_size=12),
).map(lambda t: "(" + t[0] + " " + " ".join(t[1]) + ")")
_BYTES = st.binary(max_size=400)

SCHEME_INPUTS = st.one_of(
    _BYTES.map(lambda b: b.decode("latin-1")),
    st.text(max_size=200),
    _SOUP,
    _FORM_SOUP,
    _FORM_SOUP,
    _mutated_golden(),
    _DEEP,
    _HUGE,
)


class _Interpreters:
    """One interpreter, made afresh every `fresh_every` examples (making one takes time)."""

    def __init__(self, fresh_every: int = 40) -> None:
        self.fresh_every = fresh_every
        self.count = 0
        self.interp: Any = None

    def get(self) -> Any:
        from scheme import Interpreter

        if self.interp is None or self.count % self.fresh_every == 0:
            self.interp = Interpreter(
                output=io.StringIO(),
                error=io.StringIO(),
                step_limit=20_000,
                work_limit=2_000_000,
                memory_limit=64 << 20,
                max_depth=100_000,
            )
        self.count += 1
        self.interp.output.seek(0)
        self.interp.output.truncate()
        return self.interp


_pool = _Interpreters()


def _check_read(text: str) -> None:
    from scheme import read_all

    read_all(text)


def _check_compile(text: str) -> None:
    from scheme.read.reader import read_spanned
    from scheme.run import budget

    interp = _pool.get()
    meter = budget.start(interp.machine)
    try:
        for datum, span in read_spanned(text, "fuzz"):
            from scheme.expand.syntax import check_code

            check_code(datum, span)  # the compiler itself, without the last guard
            interp.compiler.compile_toplevel(datum, span)
    finally:
        budget.stop(meter)


def _check_eval(text: str) -> None:
    _pool.get().eval_string(text, "fuzz")


def _check_file_bytes(data: bytes) -> None:
    from scheme.interpreter import _decode

    _pool.get().eval_string(_decode(data, "fuzz.scm"), "fuzz.scm")


def _scheme_errors() -> tuple[type[BaseException], ...]:
    from scheme import ProgramExit, SchemeError

    return (SchemeError, ProgramExit)  # (exit) in the input ends the program cleanly


def _register_scheme_targets() -> None:
    allowed = _scheme_errors()
    register(Target("scheme-read", SCHEME_INPUTS, _check_read, allowed))
    register(Target("scheme-compile", SCHEME_INPUTS, _check_compile, allowed))
    register(Target("scheme-eval", SCHEME_INPUTS, _check_eval, allowed))
    utf8ish = st.one_of(_BYTES, st.text(max_size=100).map(lambda t: t.encode() + b"\xff\xc3("))
    register(Target("scheme-bytes", utf8ish, _check_file_bytes, allowed))


_register_scheme_targets()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="fuzz the hostile-input targets (issue 16)")
    ap.add_argument("--examples", type=int, default=500, help="inputs per target")
    ap.add_argument("--target", action="append", help="run only these (repeatable)")
    ap.add_argument("--seed", type=int, default=None, help="derandomize (any value)")
    a = ap.parse_args(argv)
    targets = load_targets()
    names = a.target or list(targets)
    unknown = [n for n in names if n not in targets]
    if unknown:
        print(f"unknown target(s) {', '.join(unknown)}; known: {', '.join(targets)}")
        return 2
    total = failed = 0
    print(f"{'target':18} {'examples':>8} {'failures':>8} {'slowest s':>9}")
    reports = []
    for name in names:
        r = run_target(targets[name], a.examples, a.seed)
        reports.append(r)
        total += r.examples
        failed += len(r.failures)
        print(f"{name:18} {r.examples:8} {len(r.failures):8} {r.slowest:9.2f}", flush=True)
    for r in reports:
        for sig, x in r.failures.items():
            print(f"\n[{r.name}] {sig}\n  input: {repr(x)[:300]}")
    print(f"\n{total} examples, {failed} failure(s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
