"""The Python API for embedding: eval_string, load_file, define, lookup,
define_primitive and output capture."""

import io
from fractions import Fraction

import pytest

from scheme import (
    FALSE,
    NIL,
    TRUE,
    ArityError,
    Interpreter,
    MString,
    Pair,
    SchemeError,
    Symbol,
    UnboundVariableError,
    WrongTypeError,
    list_from,
    list_to_python,
    write_string,
)


def test_eval_string_returns_the_last_value_as_scheme_data() -> None:
    interp = Interpreter()
    assert interp.eval_string("(define (sq x) (* x x)) (sq 12)") == 144
    assert interp.eval_string("(/ 1 3)") == Fraction(1, 3)
    assert interp.eval_string("1.5") == 1.5
    assert interp.eval_string("'sym") is Symbol("sym")
    assert interp.eval_string("'()") is NIL
    assert interp.eval_string("(= 1 1)") is TRUE
    s = interp.eval_string('"text"')
    assert type(s) is MString and s.s == "text"
    lst = interp.eval_string("(list 1 2 3)")
    assert type(lst) is Pair and list_to_python(lst) == [1, 2, 3]


def test_eval_string_of_nothing_and_of_definitions() -> None:
    interp = Interpreter()
    assert interp.eval_string("") is None
    assert interp.eval_string("; just a comment") is None
    interp.eval_string("(define x 5)")
    assert interp.eval_string("x") == 5


def test_state_persists_between_calls_but_not_between_interpreters() -> None:
    a, b = Interpreter(), Interpreter()
    a.eval_string("(define counter 0) (define (tick) (set! counter (+ counter 1)) counter)")
    a.eval_string("(tick)")
    assert a.eval_string("(tick)") == 2
    with pytest.raises(UnboundVariableError):
        b.eval_string("counter")
    # redefining a standard procedure in one interpreter leaves the other alone
    a.eval_string("(define (car x) 'mine)")
    assert b.eval_string("(car '(1))") == 1


def test_eval_string_names_the_source_in_errors() -> None:
    interp = Interpreter()
    with pytest.raises(UnboundVariableError) as info:
        interp.eval_string("(+ 1\n   missing)", "config.scm")
    assert str(info.value.span) == "config.scm:2:4"


def test_load_file(tmp_path) -> None:
    path = tmp_path / "lib.scm"
    path.write_text(
        "; a small library\n(define (double x) (* 2 x))\n(define ten (double 5))\nten\n",
        encoding="utf-8",
    )
    interp = Interpreter()
    assert interp.load_file(path) == 10
    assert interp.eval_string("(double 21)") == 42
    assert interp.load_file(str(path)) == 10  # str paths too


def test_load_file_errors(tmp_path) -> None:
    interp = Interpreter()
    with pytest.raises(SchemeError, match="cannot read"):
        interp.load_file(tmp_path / "missing.scm")
    bad = tmp_path / "bad.scm"
    bad.write_text("(define x 1)\n(car x)\n", encoding="utf-8")
    with pytest.raises(WrongTypeError) as info:
        interp.load_file(bad)
    assert str(info.value.span) == f"{bad}:2:1"
    assert info.value.render().split("\n")[1:3] == ["  (car x)", "  ^"]
    # the definitions before the failing form took effect
    assert interp.lookup("x") == 1


def test_load_file_reads_utf8(tmp_path) -> None:
    path = tmp_path / "u.scm"
    path.write_text('(define greeting "grüße λ")\n(string-length greeting)', encoding="utf-8")
    assert Interpreter().load_file(path) == 7


def test_step_limit_on_load_file(tmp_path) -> None:
    from scheme import StepLimitError

    path = tmp_path / "spin.scm"
    path.write_text("(let loop () (loop))")
    with pytest.raises(StepLimitError):
        Interpreter().load_file(path, step_limit=1000)


def test_define_and_lookup() -> None:
    interp = Interpreter()
    interp.define("answer", 42)
    interp.define("names", list_from([MString("a"), MString("b")]))
    assert interp.eval_string("(* answer 2)") == 84
    assert interp.eval_string("(length names)") == 2
    interp.eval_string("(set! answer 7)")
    assert interp.lookup("answer") == 7
    interp.eval_string("(define (sq x) (* x x))")
    assert write_string(interp.lookup("sq")) == "#<procedure sq>"
    with pytest.raises(UnboundVariableError):
        interp.lookup("never-defined")
    with pytest.raises(UnboundVariableError):
        interp.lookup("if")  # a keyword is not a variable


def test_define_replaces_a_binding_that_compiled_code_already_uses() -> None:
    interp = Interpreter()
    interp.define("rate", 2)
    interp.eval_string("(define (price n) (* n rate))")
    assert interp.eval_string("(price 10)") == 20
    interp.define("rate", 3)
    assert interp.eval_string("(price 10)") == 30


def test_define_primitive() -> None:
    interp = Interpreter()
    calls = []

    def stock_level(sku):
        calls.append(sku)
        return {"apple": 3}.get(sku.s, 0)

    proc = interp.define_primitive("stock-level", stock_level)
    assert write_string(proc) == "#<procedure stock-level>"
    assert interp.eval_string('(+ (stock-level "apple") (stock-level "pear"))') == 3
    assert [s.s for s in calls] == ["apple", "pear"]
    assert interp.eval_string("(procedure? stock-level)") is TRUE
    # usable as a first-class value: map, apply, call/cc
    assert write_string(interp.eval_string('(map stock-level (list "apple" "kiwi"))')) == "(3 0)"
    assert interp.eval_string('(apply stock-level (list "apple"))') == 3


def test_define_primitive_arity_comes_from_the_python_signature() -> None:
    interp = Interpreter()
    interp.define_primitive("add", lambda a, b=10: a + b)
    interp.define_primitive("total", lambda *xs: sum(xs))
    assert write_string(interp.eval_string("(list (add 1) (add 1 2))")) == "(11 3)"
    assert interp.eval_string("(total)") == 0
    assert interp.eval_string("(total 1 2 3)") == 6
    with pytest.raises(ArityError, match="add: expected 1 to 2 arguments, got 0"):
        interp.eval_string("(add)")
    with pytest.raises(ArityError):
        interp.eval_string("(add 1 2 3)")


def test_host_errors_become_catchable_scheme_errors() -> None:
    interp = Interpreter()

    def parse(s):
        return int(s.s)

    interp.define_primitive("parse-int", parse)
    assert interp.eval_string('(parse-int "12")') == 12
    caught = interp.eval_string(
        '(guard (e ((error-object? e) (error-object-message e))) (parse-int "x"))'
    )
    assert caught.s.startswith("parse-int: ")
    with pytest.raises(SchemeError):
        interp.eval_string('(parse-int "x")')

    def refuse(x):
        raise WrongTypeError("refuse: expected something else", (x,))

    interp.define_primitive("refuse", refuse)
    with pytest.raises(WrongTypeError) as info:
        interp.eval_string("(refuse 5)")
    assert str(info.value) == "refuse: expected something else 5"
    irritants = interp.eval_string(
        "(guard (e ((error-object? e) (error-object-irritants e))) (refuse 5))"
    )
    assert write_string(irritants) == "(5)"


def test_host_primitive_receives_and_returns_scheme_data() -> None:
    interp = Interpreter()
    interp.define_primitive("py-reverse", lambda lst: list_from(reversed(list_to_python(lst))))
    interp.define_primitive("positive-host?", lambda n: TRUE if n > 0 else FALSE)
    assert write_string(interp.eval_string("(py-reverse '(1 2 3))")) == "(3 2 1)"
    assert write_string(interp.eval_string("(if (positive-host? -1) 'yes 'no)")) == "no"


def test_output_capture() -> None:
    out, err = io.StringIO(), io.StringIO()
    interp = Interpreter(output=out, error=err)
    interp.eval_string(
        '(display "hi") (newline) (write "q") (write-char #\\x) (write-string "ws")'
        ' (display 1.5 (current-output-port)) (write (list 1 "a" #\\b))'
        ' (display "to-err" (current-error-port))'
    )
    assert out.getvalue() == 'hi\n"q"xws1.5(1 "a" #\\b)'
    assert err.getvalue() == "to-err"


def test_output_of_two_interpreters_stays_apart() -> None:
    a_out, b_out = io.StringIO(), io.StringIO()
    a, b = Interpreter(output=a_out), Interpreter(output=b_out)
    a.eval_string('(display "a")')
    b.eval_string('(display "b")')
    a.eval_string("(newline)")
    assert a_out.getvalue() == "a\n"
    assert b_out.getvalue() == "b"


def test_output_port_can_be_redirected_by_parameterize() -> None:
    out = io.StringIO()
    interp = Interpreter(output=out)
    captured = interp.eval_string(
        "(let ((p (open-output-string))) (parameterize ((current-output-port p))"
        ' (display "inside")) (display "outside") (get-output-string p))'
    )
    assert captured.s == "inside"
    assert out.getvalue() == "outside"


def test_output_written_before_an_error_is_kept() -> None:
    out = io.StringIO()
    interp = Interpreter(output=out)
    with pytest.raises(WrongTypeError):
        interp.eval_string('(display "before") (car 1) (display "after")')
    assert out.getvalue() == "before"


def test_load_file_that_is_not_utf8_is_a_read_error(tmp_path) -> None:
    from scheme import ReadError

    path = tmp_path / "latin1.scm"
    path.write_bytes(b'(display "ok")\n(display "caf\xe9")\n')
    out = io.StringIO()
    with pytest.raises(ReadError) as info:
        Interpreter(output=out).load_file(path)
    assert str(info.value.span) == f"{path}:2:14"
    assert "not UTF-8" in info.value.message
    assert out.getvalue() == ""  # nothing ran


def test_load_file_skips_a_byte_order_mark(tmp_path) -> None:
    path = tmp_path / "bom.scm"
    path.write_bytes(b"\xef\xbb\xbf(define x 1)\n(+ x 1)\n")
    assert Interpreter().load_file(path) == 2
