"""Pairs and lists (R7RS 6.4), run through the interpreter: (expression, written value)."""

import pytest

from scheme import Interpreter
from scheme.errors import ArityError, WrongTypeError
from scheme.printer import write_string

# A circular list (1 2 1 2 ...), for the procedures that must not loop on one.
CIRCLE = "(let ((x (list 1 2))) (set-cdr! (cdr x) x) x)"

CASES = [
    # pair?, cons, car, cdr
    ("(pair? '(a . b))", "#t"),
    ("(pair? '(a b c))", "#t"),
    ("(pair? '())", "#f"),
    ("(pair? (vector 1 2))", "#f"),
    ("(cons 'a '())", "(a)"),
    ("(cons '(a) '(b c d))", "((a) b c d)"),
    ('(cons "a" \'(b c))', '("a" b c)'),
    ("(cons 'a 3)", "(a . 3)"),
    ("(cons '(a b) 'c)", "((a b) . c)"),
    ("(car '(a b c))", "a"),
    ("(car '((a) b c d))", "(a)"),
    ("(car '(1 . 2))", "1"),
    ("(car '())", WrongTypeError),
    ("(car 5)", WrongTypeError),
    ("(car (vector 1))", WrongTypeError),
    ("(cdr '((a) b c d))", "(b c d)"),
    ("(cdr '(1 . 2))", "2"),
    ("(cdr '())", WrongTypeError),
    ('(cdr "ab")', WrongTypeError),
    ("(cons 1)", ArityError),
    ("(car '(1) '(2))", ArityError),
    # set-car!, set-cdr!, and mutation seen through another reference
    ("(let ((p (list 1 2))) (set-car! p 9) p)", "(9 2)"),
    ("(let ((p (list 1 2))) (set-cdr! p 3) p)", "(1 . 3)"),
    ("(let* ((a (list 1 2)) (b a)) (set-car! b 'z) a)", "(z 2)"),
    ("(let* ((a (list 1 2 3)) (b (cdr a))) (set-car! b 'y) a)", "(1 y 3)"),
    ("(set-car! '() 1)", WrongTypeError),
    ("(set-cdr! 5 1)", WrongTypeError),
    # (scheme cxr)
    ("(caar '((a) b))", "a"),
    ("(cadr '(1 2 3))", "2"),
    ("(cdar '((a . b) c))", "b"),
    ("(cddr '(1 2 3))", "(3)"),
    ("(caaar '(((x))))", "x"),
    ("(caddr '(1 2 3 4))", "3"),
    ("(cdddr '(1 2 3 4))", "(4)"),
    ("(cadar '((1 2) 3))", "2"),
    ("(caaaar '((((deep)))))", "deep"),
    ("(cadddr '(1 2 3 4))", "4"),
    ("(cddddr '(1 2 3 4 5))", "(5)"),
    ("(cdaddr '(1 2 (3 . 4)))", "4"),
    ("(cadr '(1))", WrongTypeError),
    ("(caddr '(1 2))", WrongTypeError),
    ("(caar '(1))", WrongTypeError),
    ("(cddr 7)", WrongTypeError),
    # null?, list?
    ("(null? '())", "#t"),
    ("(null? '(1))", "#f"),
    ("(null? #f)", "#f"),
    ("(null? (vector))", "#f"),
    ("(list? '(a b c))", "#t"),
    ("(list? '())", "#t"),
    ("(list? '(a . b))", "#f"),
    ("(list? '(a b . c))", "#f"),
    ("(list? 5)", "#f"),
    (f"(list? {CIRCLE})", "#f"),
    # make-list, list
    ("(make-list 3 'x)", "(x x x)"),
    ("(make-list 0 'x)", "()"),
    ("(length (make-list 4))", "4"),
    ("(make-list -1)", WrongTypeError),
    ("(make-list 1.5 'x)", WrongTypeError),
    ("(make-list 'a)", WrongTypeError),
    ("(list 'a 7 'c)", "(a 7 c)"),
    ("(list)", "()"),
    ("(let ((a (list 1 2))) (eq? a (list 1 2)))", "#f"),
    # length
    ("(length '(a b c))", "3"),
    ("(length '(a (b) (c d e)))", "3"),
    ("(length '())", "0"),
    ("(length '(1 2 . 3))", WrongTypeError),
    ("(length 5)", WrongTypeError),
    (f"(length {CIRCLE})", WrongTypeError),
    # append
    ("(append '(x) '(y))", "(x y)"),
    ("(append '(a) '(b c d))", "(a b c d)"),
    ("(append '(a (b)) '((c)))", "(a (b) (c))"),
    ("(append '(a b) '(c . d))", "(a b c . d)"),
    ("(append '() 'a)", "a"),
    ("(append)", "()"),
    ("(append 5)", "5"),
    ("(append '(1) '() '(2 3) '() '(4))", "(1 2 3 4)"),
    ("(append '() '())", "()"),
    ("(append '(1 . 2) '(3))", WrongTypeError),
    ("(append 1 '(2))", WrongTypeError),
    ("(append '(1) 2 '(3))", WrongTypeError),
    (f"(append {CIRCLE} '(3))", WrongTypeError),
    ("(let* ((a (list 1)) (b (list 2)) (c (append a b))) (eq? (cdr c) b))", "#t"),
    ("(let* ((a (list 1)) (c (append a '(2)))) (set-car! c 9) a)", "(1)"),
    # reverse
    ("(reverse '(a b c))", "(c b a)"),
    ("(reverse '(a (b c) d (e (f))))", "((e (f)) d (b c) a)"),
    ("(reverse '())", "()"),
    ("(reverse '(1))", "(1)"),
    ("(reverse '(1 . 2))", WrongTypeError),
    ("(reverse 'a)", WrongTypeError),
    (f"(reverse {CIRCLE})", WrongTypeError),
    ("(let* ((a (list 1 2)) (r (reverse a))) (set-car! r 9) a)", "(1 2)"),
    # list-tail, list-ref, list-set!
    ("(list-tail '(a b c d) 2)", "(c d)"),
    ("(list-tail '(a b) 0)", "(a b)"),
    ("(list-tail '(a b) 2)", "()"),
    ("(list-tail '(a b . c) 2)", "c"),
    ("(list-tail '(a b) 3)", WrongTypeError),
    ("(list-tail '(a b) -1)", WrongTypeError),
    ("(list-tail '(a b) 1.0)", WrongTypeError),
    ("(let* ((a (list 1 2 3)) (t (list-tail a 1))) (eq? t (cdr a)))", "#t"),
    ("(list-ref '(a b c d) 2)", "c"),
    ("(list-ref '(a b c d) 0)", "a"),
    ("(list-ref '(a b c d) 4)", WrongTypeError),
    ("(list-ref '(a b c d) -1)", WrongTypeError),
    ("(list-ref '(a b . c) 2)", WrongTypeError),
    ("(list-ref '(a b) 'x)", WrongTypeError),
    ("(list-ref 5 0)", WrongTypeError),
    ("(let ((l (list 1 2 3))) (list-set! l 1 'x) l)", "(1 x 3)"),
    ("(let ((l (list 'one 'two 'three))) (list-set! l 2 'four) l)", "(one two four)"),
    ("(let* ((l (list 1 2)) (m l)) (list-set! m 0 'a) l)", "(a 2)"),
    ("(list-set! (list 1 2) 2 'x)", WrongTypeError),
    ("(list-set! (list 1 2) -1 'x)", WrongTypeError),
    # memq, memv, member
    ("(memq 'a '(a b c))", "(a b c)"),
    ("(memq 'b '(a b c))", "(b c)"),
    ("(memq 'a '(b c d))", "#f"),
    ("(memq (list 'a) '(b (a) c))", "#f"),
    ("(memq 101 '(100 101 102))", "(101 102)"),
    ("(memq #\\b '(#\\a #\\b))", "(#\\b)"),
    ("(memq 'a '())", "#f"),
    ("(memq 'a '(a . b))", "(a . b)"),
    ("(memq 'z '(a . b))", WrongTypeError),
    ("(memq 'a 5)", WrongTypeError),
    (f"(memq 9 {CIRCLE})", WrongTypeError),
    (f"(memq 2 {CIRCLE})", "#0=(2 1 . #0#)"),
    ("(memv 101 '(100 101 102))", "(101 102)"),
    ("(memv 1.5 '(1 1.5 2))", "(1.5 2)"),
    ("(memv 1 '(1.0 1))", "(1)"),
    ("(memv 1/2 '(0.5 1/2))", "(1/2)"),
    ('(memv "a" \'("a"))', "#f"),
    ("(member (list 'a) '(b (a) c))", "((a) c)"),
    ('(member "b" \'("a" "b" "c"))', '("b" "c")'),
    ("(member #(1 2) '(#(1) #(1 2)))", "(#(1 2))"),
    ("(member 2.0 '(1 2 3))", "#f"),
    ("(member 'x '(a b))", "#f"),
    ("(member 'x '(a . b))", WrongTypeError),
    ("(member 1)", ArityError),
    # assq, assv, assoc
    ("(assq 'a '((a 1) (b 2) (c 3)))", "(a 1)"),
    ("(assq 'b '((a 1) (b 2) (c 3)))", "(b 2)"),
    ("(assq 'd '((a 1) (b 2) (c 3)))", "#f"),
    ("(assq (list 'a) '(((a)) ((b)) ((c))))", "#f"),
    ("(assq 5 '((2 3) (5 7) (11 13)))", "(5 7)"),
    ("(assv 5 '((2 3) (5 7) (11 13)))", "(5 7)"),
    ("(assv 2.5 '((2 a) (2.5 b)))", "(2.5 b)"),
    ("(assoc (list 'a) '(((a)) ((b)) ((c))))", "((a))"),
    ('(assoc "b" \'(("a" . 1) ("b" . 2)))', '("b" . 2)'),
    ("(assoc 2.0 '((1 1) (2 4) (3 9)))", "#f"),
    ("(assq 'a '())", "#f"),
    ("(assq 'a '(1 (a 2)))", WrongTypeError),
    ("(assq 'a 5)", WrongTypeError),
    ("(assv 'z '((b 1) . 5))", WrongTypeError),
    ("(assoc 'z '((b 1) . 5))", WrongTypeError),
    ("(let ((x (list (cons 'a 1)))) (set-cdr! x x) (assq 'z x))", WrongTypeError),
    ("(let ((x (list (cons 'a 1) (cons 'b 2)))) (set-cdr! (cdr x) x) (assq 'b x))", "(b . 2)"),
    # list-copy
    ("(list-copy '(1 2 3))", "(1 2 3)"),
    ("(list-copy '())", "()"),
    ("(list-copy '(1 2 . 3))", "(1 2 . 3)"),
    ("(list-copy 5)", "5"),
    ('(list-copy "abc")', '"abc"'),
    ("(let* ((a (list 1 2)) (b (list-copy a))) (set-car! b 9) (list a b))", "((1 2) (9 2))"),
    ("(let* ((a (list (list 1))) (b (list-copy a))) (eq? (car a) (car b)))", "#t"),
    ("(let ((a (list 1 2))) (eq? a (list-copy a)))", "#f"),
    (f"(list-copy {CIRCLE})", WrongTypeError),
    # 1,000,000-element lists: every walk is a loop
    ("(length (make-list 1000000 0))", "1000000"),
    ("(car (reverse (append (make-list 999999 0) (list 7))))", "7"),
    ("(length (append (make-list 1000000 1) (make-list 1000000 2)))", "2000000"),
    ("(length (reverse (make-list 1000000 'r)))", "1000000"),
    ("(length (list-copy (make-list 1000000 'a)))", "1000000"),
    ("(list-ref (append (make-list 999999 3) '(4)) 999999)", "4"),
    ("(length (list-tail (make-list 1000000 3) 999998))", "2"),
    ("(memq 'x (make-list 1000000 'y))", "#f"),
    ("(assq 'x (make-list 1000000 '(y . 1)))", "#f"),
    ("(list? (make-list 1000000 0))", "#t"),
    ("(let ((l (make-list 1000000 0))) (equal? l (list-copy l)))", "#t"),
]


@pytest.fixture(scope="module")
def interp() -> Interpreter:
    return Interpreter()


@pytest.mark.parametrize("expr, expected", CASES)
def test_lists(interp: Interpreter, expr: str, expected: object) -> None:
    if isinstance(expected, type):
        with pytest.raises(expected):
            interp.eval_string(expr)
    else:
        assert write_string(interp.eval_string(expr)) == expected


MESSAGES = [
    ("(car 5)", "car: expected a pair, got 5"),
    ("(cdr '())", "cdr: expected a pair, got ()"),
    ("(cadr '(1))", r"cadr: expected a pair as its cdr, got \(\) in \(1\)"),
    ("(length '(1 . 2))", r"length: expected a proper list, got \(1 \. 2\)"),
    (f"(length {CIRCLE})", "length: expected a proper list, got a circular list"),
    ("(append '(1) 2 '(3))", r"append: expected a proper list \(argument 2\), got 2"),
    ("(list-ref '(a b) 5)", "list-ref: index 5 out of range"),
    ("(list-tail '(a b) -1)", "list-tail: expected a non-negative exact integer index"),
    ("(assq 'a '(1))", "assq: element 0 of the list is not a pair"),
]


@pytest.mark.parametrize("expr, message", MESSAGES)
def test_list_error_messages(interp: Interpreter, expr: str, message: str) -> None:
    with pytest.raises(WrongTypeError, match=message):
        interp.eval_string(expr)
