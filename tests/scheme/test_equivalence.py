"""Equivalence predicates (R7RS 6.1), booleans (6.3) and procedure?, through the interpreter."""

import pytest

from scheme import Interpreter
from scheme.errors import ArityError, WrongTypeError
from scheme.printer import write_string

CASES = [
    # eqv?
    ("(eqv? 'a 'a)", "#t"),
    ("(eqv? 'a 'b)", "#f"),
    ("(eqv? 2 2)", "#t"),
    ("(eqv? 2 2.0)", "#f"),
    ("(eqv? '() '())", "#t"),
    ("(eqv? 100000000 100000000)", "#t"),
    ("(eqv? 100000000000000000000 100000000000000000000)", "#t"),
    ("(eqv? 1/2 1/2)", "#t"),
    ("(eqv? 1.5 1.5)", "#t"),
    ("(eqv? 0.0 -0.0)", "#f"),
    ("(eqv? 0.0 +nan.0)", "#f"),
    ("(eqv? #\\a #\\a)", "#t"),
    ("(eqv? #\\a #\\b)", "#f"),
    ("(eqv? (cons 1 2) (cons 1 2))", "#f"),
    ("(eqv? (lambda () 1) (lambda () 2))", "#f"),
    ("(let ((p (lambda (x) x))) (eqv? p p))", "#t"),
    ("(eqv? #f 'nil)", "#f"),
    ("(eqv? #f '())", "#f"),
    ("(eqv? #t 1)", "#f"),
    ("(eqv? #f 0)", "#f"),
    ("(eqv? (string #\\a) (string #\\a))", "#f"),
    ('(let ((s "x")) (eqv? s s))', "#t"),
    ("(eqv? car car)", "#t"),
    # eq?
    ("(eq? 'a 'a)", "#t"),
    ("(eq? (list 'a) (list 'a))", "#f"),
    ("(eq? '() '())", "#t"),
    ("(eq? car car)", "#t"),
    ("(let ((x '(a))) (eq? x x))", "#t"),
    ("(let ((x '#())) (eq? x x))", "#t"),
    ("(let ((p (lambda (x) x))) (eq? p p))", "#t"),
    ("(eq? #t #t)", "#t"),
    ("(eq? #t #f)", "#f"),
    ("(eq? 7 7)", "#t"),
    ("(eq? #\\a #\\a)", "#t"),
    ("(eq? (vector) (vector))", "#f"),
    ('(eq? \'a "a")', "#f"),
    # equal?
    ("(equal? 'a 'a)", "#t"),
    ("(equal? '(a) '(a))", "#t"),
    ("(equal? '(a (b) c) '(a (b) c))", "#t"),
    ("(equal? '(a (b) c) '(a (b) d))", "#f"),
    ("(equal? '(1 2) '(1 2 3))", "#f"),
    ("(equal? '(1 . 2) '(1 . 2))", "#t"),
    ('(equal? "abc" "abc")', "#t"),
    ('(equal? "abc" "abd")', "#f"),
    ('(equal? "abc" \'abc)', "#f"),
    ("(equal? 2 2)", "#t"),
    ("(equal? 2 2.0)", "#f"),
    ("(equal? (make-vector 5 'a) (make-vector 5 'a))", "#t"),
    ('(equal? #(1 (2 "x")) (vector 1 (list 2 "x")))', "#t"),
    ("(equal? #(1 2) #(1 2 3))", "#f"),
    ("(equal? #(1 2) '(1 2))", "#f"),
    ("(equal? #u8(1 2) (bytevector 1 2))", "#t"),
    ("(equal? #u8(1 2) #u8(1 3))", "#f"),
    ("(equal? #\\a #\\a)", "#t"),
    ("(equal? (lambda (x) x) (lambda (y) y))", "#f"),
    (
        "(let ((a (list 1 2)) (b (list 1 2)))"
        " (set-cdr! (cdr a) a) (set-cdr! (cdr b) b) (equal? a b))",
        "#t",
    ),
    ("(equal? (make-list 1000000 'x) (make-list 1000000 'x))", "#t"),
    ("(equal? (make-list 1000000 'x) (append (make-list 999999 'x) '(y)))", "#f"),
    ("(eq? 1)", ArityError),
    ("(equal? 1 2 3)", ArityError),
    # not, boolean?, boolean=?
    ("(not #t)", "#f"),
    ("(not 3)", "#f"),
    ("(not (list 3))", "#f"),
    ("(not #f)", "#t"),
    ("(not '())", "#f"),
    ("(not (list))", "#f"),
    ("(not 'nil)", "#f"),
    ("(not 0)", "#f"),
    ('(not "")', "#f"),
    ("(boolean? #f)", "#t"),
    ("(boolean? #t)", "#t"),
    ("(boolean? 0)", "#f"),
    ("(boolean? '())", "#f"),
    ("(boolean? 'f)", "#f"),
    ("(boolean=? #t #t)", "#t"),
    ("(boolean=? #f #f)", "#t"),
    ("(boolean=? #t #f)", "#f"),
    ("(boolean=? #f #f #f)", "#t"),
    ("(boolean=? #f #f #t)", "#f"),
    ("(boolean=? #t 1)", WrongTypeError),
    ("(boolean=? 0 0)", WrongTypeError),
    ("(boolean=? #t #t '())", WrongTypeError),
    # procedure?
    ("(procedure? car)", "#t"),
    ("(procedure? 'car)", "#f"),
    ("(procedure? (lambda (x) (* x x)))", "#t"),
    ("(procedure? '(lambda (x) (* x x)))", "#f"),
    ("(procedure? current-output-port)", "#t"),
    ("(procedure? display)", "#t"),
    ("(procedure? #(1))", "#f"),
    ('(procedure? "car")', "#f"),
]


@pytest.fixture(scope="module")
def interp() -> Interpreter:
    return Interpreter()


@pytest.mark.parametrize("expr, expected", CASES)
def test_equivalence(interp: Interpreter, expr: str, expected: object) -> None:
    if isinstance(expected, type):
        with pytest.raises(expected):
            interp.eval_string(expr)
    else:
        assert write_string(interp.eval_string(expr)) == expected


def test_boolean_message(interp: Interpreter) -> None:
    with pytest.raises(WrongTypeError, match=r"boolean=\?: expected a boolean \(argument 2\)"):
        interp.eval_string("(boolean=? #t 1)")
