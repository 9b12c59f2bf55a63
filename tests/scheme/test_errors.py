"""Errors: one root, subclasses named for what went wrong, each with a span and a short
Scheme backtrace; limits that stop runaway programs; a guest that cannot reach the host."""

import pytest

from scheme import (
    ArityError,
    DepthLimitError,
    Interpreter,
    ReadError,
    SchemeError,
    SchemeRaise,
    SchemeSyntaxError,
    StepLimitError,
    UnboundVariableError,
    WrongTypeError,
    write_string,
)

# (program in prog.scm, error class, line, col, message fragment)
FAILURES = [
    ("(display 1)\n(car\n", ReadError, 2, 1, "never closed"),
    ("(define x 1)\n  (if x)\n", SchemeSyntaxError, 2, 3, "if: bad syntax: "),
    ("(let ((x 1)\n      (y))\n  x)", SchemeSyntaxError, 2, 7, "let: bad syntax: "),
    ("(define (f)\n  (lambda))", SchemeSyntaxError, 2, 3, "lambda: bad syntax: "),
    ("(display 1)\nnope\n", UnboundVariableError, 2, 1, "unbound variable: nope"),
    ("(define (f) (g 1))\n(f)", UnboundVariableError, 1, 13, "unbound variable: g"),
    ("(define (f) (+ 1 zork))\n(f)", UnboundVariableError, 1, 18, "unbound variable: zork"),
    ("(set! undefined-var 1)", UnboundVariableError, 1, 1, "set!: unbound variable"),
    ("(define (f a b) a)\n(list\n  (f 1))", ArityError, 3, 3, "f: expected 2 arguments, got 1"),
    ("((lambda (x . r) x))", ArityError, 1, 1, "expected at least 1 argument, got 0"),
    ("(car 1 2)", ArityError, 1, 1, "car: expected 1 argument, got 2"),
    ("(define (g y)\n  (* 2 (car y)))\n(g 5)", WrongTypeError, 2, 8, "car: expected a pair, got 5"),
    ("(vector-ref (vector 1 2)\n 10)", WrongTypeError, 1, 1, "index 10 out of range"),
    ('(+ 1 "2")', WrongTypeError, 1, 1, "+"),
    ("(define (f) (5 1))\n(f)", WrongTypeError, 1, 13, "not a procedure: 5"),
    ("(let ((x 1))\n  (raise (list 'bad x)))", SchemeRaise, 2, 3, "uncaught raise: (bad 1)"),
    (
        '(define (check x)\n  (if (< x 0) (error "negative:" x) x))\n(check -5)',
        SchemeError,
        2,
        15,
        "negative: -5",
    ),
    (
        "(guard (e ((string? e) e))\n  (list 1\n    (raise 'oops)))",
        SchemeRaise,
        3,
        5,
        "uncaught raise: oops",
    ),
]


@pytest.mark.parametrize("program, kind, line, col, fragment", FAILURES)
def test_error_kind_span_and_rendering(
    program: str, kind: type, line: int, col: int, fragment: str
) -> None:
    interp = Interpreter()
    with pytest.raises(SchemeError) as info:
        interp.eval_string(program, "prog.scm")
    err = info.value
    assert type(err) is kind
    assert (err.span.source.name, err.span.line, err.span.col) == ("prog.scm", line, col)
    assert fragment in str(err)
    rendered = err.render().split("\n")
    assert rendered[0] == f"prog.scm:{line}:{col}: {err}"
    assert rendered[1] == "  " + program.split("\n")[line - 1]
    assert rendered[2] == "  " + " " * (col - 1) + "^"


def test_every_error_is_a_scheme_error() -> None:
    for cls in (
        ReadError,
        SchemeSyntaxError,
        UnboundVariableError,
        ArityError,
        WrongTypeError,
        SchemeRaise,
        StepLimitError,
        DepthLimitError,
    ):
        assert issubclass(cls, SchemeError)


def test_syntax_error_message_format() -> None:
    interp = Interpreter()
    with pytest.raises(SchemeSyntaxError) as info:
        interp.eval_string("(let ((x)) x)")
    assert str(info.value) == "let: bad syntax: each binding must be (name value), in (let ((x)) x)"


def test_user_raise_of_any_object_keeps_the_object() -> None:
    interp = Interpreter()
    for payload, written in [
        ("42", "42"),
        ("'sym", "sym"),
        ('"text"', '"text"'),
        ("(vector 1 2)", "#(1 2)"),
        ("(list 'a (list 'b))", "(a (b))"),
        ("#f", "#f"),
    ]:
        with pytest.raises(SchemeRaise) as info:
            interp.eval_string(f"(raise {payload})")
        assert write_string(info.value.payload) == written
        assert info.value.continuable is False
    with pytest.raises(SchemeRaise) as info:
        interp.eval_string("(raise-continuable 'c)")
    assert info.value.continuable is True


def test_raised_record_stays_the_same_object() -> None:
    interp = Interpreter()
    interp.eval_string("(define-record-type oops (make-oops why) oops? (why oops-why))")
    interp.eval_string("(define it (make-oops 'stock))")
    with pytest.raises(SchemeRaise) as info:
        interp.eval_string("(raise it)")
    assert info.value.payload is interp.lookup("it")


# -- backtraces --------------------------------------------------------------------------

NESTED = """\
(define (outer x)
  (+ 1 (middle x)))
(define (middle y)
  (* 2 (inner y)))
(define (inner z)
  (car z))
(outer 5)
"""


def test_backtrace_lists_the_waiting_frames_innermost_first() -> None:
    interp = Interpreter()
    with pytest.raises(WrongTypeError) as info:
        interp.eval_string(NESTED, "nested.scm")
    err = info.value
    assert str(err.span) == "nested.scm:6:3"
    assert [str(s) for s in err.backtrace] == ["nested.scm:4:3", "nested.scm:2:3"]
    rendered = err.render()
    assert rendered.endswith("backtrace (innermost first):\n  nested.scm:4:3\n  nested.scm:2:3")
    assert "backtrace" not in err.render(backtrace=False)


def test_backtrace_stays_short_in_deep_recursion() -> None:
    interp = Interpreter()
    interp.eval_string("(define (down n) (if (= n 0) (car '()) (+ 1 (down (- n 1)))))", "d.scm")
    with pytest.raises(WrongTypeError) as info:
        interp.eval_string("(down 5000)")
    assert 1 <= len(info.value.backtrace) <= 12
    assert all(s.source.name == "d.scm" for s in info.value.backtrace)


def test_error_objects_caught_by_guard_still_carry_their_span() -> None:
    interp = Interpreter()
    err = interp.eval_string("(guard (e (#t e))\n  (vector-ref (vector) 0))", "g.scm")
    assert isinstance(err, WrongTypeError)
    assert str(err.span) == "g.scm:2:3"


def test_no_python_traceback_text_in_rendered_errors() -> None:
    interp = Interpreter()
    interp.define_primitive("host-boom", lambda: 1 / 0)
    with pytest.raises(SchemeError) as info:
        interp.eval_string("(host-boom)", "h.scm")
    rendered = info.value.render()
    assert rendered.startswith("h.scm:1:1: host-boom: division by zero")
    assert "Traceback" not in rendered


# -- limits ------------------------------------------------------------------------------

RUNAWAY = [
    "(define (loop) (loop)) (loop)",
    "(let lp () (lp))",
    "(do () (#f))",
    "(define (g) (call/cc (lambda (k) (g)))) (g)",
    "(define (f n) (f (+ n 1))) (f 0)",
    "(define (m n) (map (lambda (x) x) (list n)) (m n)) (m 1)",
]


@pytest.mark.parametrize("program", RUNAWAY)
def test_step_limit_of_the_interpreter_stops_a_runaway_loop(program: str) -> None:
    interp = Interpreter(step_limit=20_000)
    with pytest.raises(StepLimitError, match="step budget of 20000"):
        interp.eval_string(program)


def test_step_limit_per_evaluation() -> None:
    interp = Interpreter()
    interp.eval_string("(define (count n) (if (= n 0) 'done (count (- n 1))))")
    with pytest.raises(StepLimitError) as info:
        interp.eval_string("(count 100000)", step_limit=1000)
    assert info.value.span is not None
    # the budget is per evaluation: a later one without a limit runs to the end
    assert write_string(interp.eval_string("(count 100000)")) == "done"
    assert write_string(interp.eval_string("(count 500)", step_limit=1000)) == "done"


def test_step_limit_cannot_be_caught_by_the_guest() -> None:
    interp = Interpreter(step_limit=10_000)
    for program in [
        "(guard (e (#t 'caught)) (let lp () (lp)))",
        "(with-exception-handler (lambda (e) 'h) (lambda () (let lp () (lp))))",
        "(call/cc (lambda (k) (with-exception-handler (lambda (e) (k 'h))"
        " (lambda () (let lp () (lp))))))",
    ]:
        with pytest.raises(StepLimitError):
            interp.eval_string(program)
    assert interp.eval_string("(+ 1 1)") == 2


def test_depth_cap_stops_runaway_recursion() -> None:
    interp = Interpreter(max_depth=5000)
    with pytest.raises(DepthLimitError, match="deeper than 5000") as info:
        interp.eval_string("(define (f n)\n  (+ 1 (f n)))\n(f 0)", "r.scm")
    assert str(info.value.span) == "r.scm:2:3"
    assert info.value.backtrace
    # the interpreter is usable afterwards, and a recursion under the cap completes
    interp.eval_string("(define (deep n) (if (= n 0) 0 (+ 1 (deep (- n 1)))))")
    assert interp.eval_string("(deep 4000)") == 4000


# Recursion that grows the continuation with control-primitive frames (not the machine's
# own) must hit the cap too.
CONTROL_RUNAWAY = [
    "(define (f) (call-with-values f list)) (f)",
    "(define (f) (dynamic-wind (lambda () #f) f (lambda () #f))) (f)",
    "(define (f) (with-exception-handler (lambda (e) e) f)) (f)",
    "(define (f) (force (delay (f)))) (f)",
    "(define p (make-parameter 1)) (define (f) (parameterize ((p 2)) (f))) (f)",
    "(define (f) (guard (e (#f 1)) (f))) (f)",
    "(define (f) (apply + 1 (list (f)))) (f)",
]


@pytest.mark.parametrize("program", CONTROL_RUNAWAY)
def test_depth_cap_counts_control_frames(program: str) -> None:
    interp = Interpreter(max_depth=1000)
    with pytest.raises(DepthLimitError):
        interp.eval_string(program, step_limit=5_000_000)


def test_depth_cap_cannot_be_caught_by_the_guest() -> None:
    interp = Interpreter(max_depth=500)
    with pytest.raises(DepthLimitError):
        interp.eval_string("(define (f) (+ 1 (f))) (guard (e (#t 'caught)) (f))")


def test_depth_does_not_drift_over_many_control_transfers() -> None:
    # each of these pushes and pops control frames; 2,000 rounds under a cap of 60
    interp = Interpreter(max_depth=60)
    program = """
      (define p (make-parameter 0))
      (let loop ((i 0))
        (if (< i 2000)
            (begin
              (call-with-values (lambda () (values 1 2)) +)
              (dynamic-wind (lambda () 1) (lambda () 2) (lambda () 3))
              (force (delay-force (delay 1)))
              (with-exception-handler (lambda (e) 1) (lambda () (raise-continuable 1)))
              (guard (e (#t 1)) (car 1))
              (guard (e ((string? e) 1)) (guard (e2 ((number? e2) 2)) (raise "s")))
              (parameterize ((p i)) (p))
              (call/cc (lambda (k) (dynamic-wind (lambda () 1) (lambda () (k 1)) (lambda () 2))))
              (apply + 1 2 '(3))
              (eval '(+ 1 2))
              (loop (+ i 1)))
            'ok))"""
    assert write_string(interp.eval_string(program)) == "ok"


# -- the guest cannot reach the host -----------------------------------------------------

HOST_ACCESS = [
    "open-input-file",
    "open-output-file",
    "open-binary-input-file",
    "call-with-input-file",
    "call-with-output-file",
    "with-input-from-file",
    "with-output-to-file",
    "file-exists?",
    "delete-file",
    "load",
    "system",
    "exit",
    "emergency-exit",
    "command-line",
    "get-environment-variable",
    "get-environment-variables",
    "current-second",
    "current-jiffy",
    "jiffies-per-second",
    "python",
    "py-eval",
    "__import__",
    "open",
]


@pytest.mark.parametrize("name", HOST_ACCESS)
def test_no_host_access_is_bound(name: str) -> None:
    interp = Interpreter()
    with pytest.raises(UnboundVariableError):
        interp.eval_string(name)
    # nor in the environments eval can reach
    with pytest.raises(UnboundVariableError):
        interp.eval_string(f"(eval '{name} (environment '(scheme base) '(scheme write)))")
    with pytest.raises(UnboundVariableError):
        interp.eval_string(f"(eval '{name} (scheme-report-environment 5))")


def test_current_input_port_is_not_the_host_stdin(monkeypatch) -> None:
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.StringIO("secret from the host\n"))
    interp = Interpreter()
    assert write_string(interp.eval_string("(list (read-line) (read-char) (read))")) == (
        "(#<eof> #<eof> #<eof>)"
    )


def test_host_primitive_installed_by_the_embedder_is_reachable() -> None:
    # the other half of the rule: access exists exactly when the host grants it
    interp = Interpreter()
    seen = []
    interp.define_primitive("host-log", lambda x: seen.append(write_string(x)))
    interp.eval_string("(host-log '(order 1))")
    assert seen == ["(order 1)"]
    # and only in the interpreter it was installed in
    with pytest.raises(UnboundVariableError):
        Interpreter().eval_string("(host-log 1)")
