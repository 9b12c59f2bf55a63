"""Vectors (R7RS 6.8) and bytevectors (6.9), run through the interpreter."""

import pytest

from scheme import Interpreter
from scheme.errors import ArityError, SchemeError, WrongTypeError
from scheme.printer import write_string

VECTORS = [
    ("(vector? #(1 2))", "#t"),
    ("(vector? (vector))", "#t"),
    ("(vector? '(1 2))", "#f"),
    ('(vector? "ab")', "#f"),
    ("(vector? #u8(1))", "#f"),
    ("(make-vector 3 'a)", "#(a a a)"),
    ("(make-vector 0 'a)", "#()"),
    ("(vector-length (make-vector 4))", "4"),
    ("(make-vector -1)", WrongTypeError),
    ("(make-vector 1.0)", WrongTypeError),
    ("(make-vector 'a)", WrongTypeError),
    ("(vector 'a 'b 'c)", "#(a b c)"),
    ("(vector)", "#()"),
    ("(vector-length #(1 2 3))", "3"),
    ("(vector-length #())", "0"),
    ("(vector-length '(1))", WrongTypeError),
    # vector-ref, vector-set!
    ("(vector-ref #(1 1 2 3 5 8 13 21) 5)", "8"),
    ("(vector-ref #(a b) 0)", "a"),
    ("(vector-ref #(a b) 2)", WrongTypeError),
    ("(vector-ref #(a b) -1)", WrongTypeError),
    ("(vector-ref #(a b) 1.0)", WrongTypeError),
    ("(vector-ref #(a b) #t)", WrongTypeError),
    ("(vector-ref '(a b) 0)", WrongTypeError),
    ("(vector-ref #(a b))", ArityError),
    (
        '(let ((v (vector 0 \'(2 2 2 2) "Anna"))) (vector-set! v 1 \'("Sue" "Sue")) v)',
        '#(0 ("Sue" "Sue") "Anna")',
    ),
    ("(let* ((v (make-vector 2 0)) (w v)) (vector-set! w 0 'x) v)", "#(x 0)"),
    ("(let ((v (vector 1))) (vector-set! v 1 'x))", WrongTypeError),
    ("(let ((v (vector 1))) (vector-set! v -1 'x))", WrongTypeError),
    ('(vector-set! "abc" 0 #\\x)', WrongTypeError),
    # vector->list, list->vector
    ("(vector->list #(dah dah didah))", "(dah dah didah)"),
    ("(vector->list #(dah dah didah) 1)", "(dah didah)"),
    ("(vector->list #(dah dah didah) 1 2)", "(dah)"),
    ("(vector->list #(1 2) 2)", "()"),
    ("(vector->list #())", "()"),
    ("(vector->list #(1 2) 3)", WrongTypeError),
    ("(vector->list #(1 2) 1 0)", WrongTypeError),
    ("(vector->list #(1 2) 0 3)", WrongTypeError),
    ("(vector->list '(1 2))", WrongTypeError),
    ("(list->vector '(dididit dah))", "#(dididit dah)"),
    ("(list->vector '())", "#()"),
    ("(list->vector '(1 . 2))", WrongTypeError),
    ("(list->vector #(1))", WrongTypeError),
    ("(vector-length (list->vector (make-list 1000000 0)))", "1000000"),
    # vector->string, string->vector
    ("(vector->string #(#\\1 #\\2 #\\3))", '"123"'),
    ("(vector->string #(#\\a #\\b #\\c) 1)", '"bc"'),
    ("(vector->string #(#\\a #\\b #\\c) 0 2)", '"ab"'),
    ("(vector->string #())", '""'),
    ("(vector->string #(#\\a 1))", WrongTypeError),
    ("(vector->string #(#\\a) 2)", WrongTypeError),
    ('(string->vector "ABC")', "#(#\\A #\\B #\\C)"),
    ('(string->vector "ABC" 1)', "#(#\\B #\\C)"),
    ('(string->vector "ABC" 1 2)', "#(#\\B)"),
    ('(string->vector "ABC" 2 4)', WrongTypeError),
    ("(string->vector #(1))", WrongTypeError),
    # vector-copy, vector-copy!, vector-append, vector-fill!
    ("(vector-copy #(1 8 2 8))", "#(1 8 2 8)"),
    ("(vector-copy #(1 8 2 8) 1)", "#(8 2 8)"),
    ("(vector-copy #(1 8 2 8) 1 3)", "#(8 2)"),
    ("(vector-copy #(1 2) 3)", WrongTypeError),
    ("(vector-copy #(1 2) -1)", WrongTypeError),
    ("(vector-copy '(1 2))", WrongTypeError),
    (
        "(let* ((a (vector 1 2)) (b (vector-copy a))) (vector-set! b 0 9) (list a b))",
        "(#(1 2) #(9 2))",
    ),
    (
        "(let* ((a (vector (list 1))) (b (vector-copy a)))"
        " (eq? (vector-ref a 0) (vector-ref b 0)))",
        "#t",
    ),
    ("(let ((b (vector 1 2 3 4 5))) (vector-copy! b 1 #(a b c d e) 0 2) b)", "#(1 a b 4 5)"),
    ("(let ((b (vector 1 2 3))) (vector-copy! b 0 #(x y z)) b)", "#(x y z)"),
    ("(let ((b (vector 1 2 3))) (vector-copy! b 3 #()) b)", "#(1 2 3)"),
    ("(let ((b (vector 1 2 3 4 5))) (vector-copy! b 1 b 0 3) b)", "#(1 1 2 3 5)"),
    ("(let ((b (vector 1 2 3 4 5))) (vector-copy! b 0 b 2) b)", "#(3 4 5 4 5)"),
    ("(let ((b (vector 1 2 3))) (vector-copy! b 2 #(x y)))", WrongTypeError),
    ("(let ((b (vector 1 2 3))) (vector-copy! b 4 #()))", WrongTypeError),
    ("(let ((b (vector 1 2 3))) (vector-copy! b -1 #(x)))", WrongTypeError),
    ("(let ((b (vector 1 2 3))) (vector-copy! b 0 #(x) 2))", WrongTypeError),
    ("(vector-copy! (vector 1) 0 '(x))", WrongTypeError),
    ("(vector-append #(a b c) #(d e f))", "#(a b c d e f)"),
    ("(vector-append)", "#()"),
    ("(vector-append #(1) #() #(2))", "#(1 2)"),
    ("(vector-append #(1) '(2))", WrongTypeError),
    ("(let ((a (vector 1 2 3 4 5))) (vector-fill! a 'smash 2 4) a)", "#(1 2 smash smash 5)"),
    ("(let ((a (vector 1 2 3))) (vector-fill! a 0) a)", "#(0 0 0)"),
    ("(let ((a (vector 1 2 3))) (vector-fill! a 0 1) a)", "#(1 0 0)"),
    ("(let ((a (vector 1 2 3))) (vector-fill! a 0 2 4))", WrongTypeError),
    ("(let ((a (vector 1 2 3))) (vector-fill! a 0 -1))", WrongTypeError),
    ("(vector-fill! '(1) 0)", WrongTypeError),
]

BYTEVECTORS = [
    ("(bytevector? #u8(1 2))", "#t"),
    ("(bytevector? (bytevector))", "#t"),
    ("(bytevector? #(1 2))", "#f"),
    ('(bytevector? "ab")', "#f"),
    ("(make-bytevector 2 12)", "#u8(12 12)"),
    ("(make-bytevector 3)", "#u8(0 0 0)"),
    ("(make-bytevector 0 7)", "#u8()"),
    ("(make-bytevector 2 256)", WrongTypeError),
    ("(make-bytevector 2 -1)", WrongTypeError),
    ("(make-bytevector -2 1)", WrongTypeError),
    ("(make-bytevector 2 1.0)", WrongTypeError),
    ("(bytevector 1 3 5 1 3 5)", "#u8(1 3 5 1 3 5)"),
    ("(bytevector)", "#u8()"),
    ("(bytevector 0 255)", "#u8(0 255)"),
    ("(bytevector 1 256)", WrongTypeError),
    ("(bytevector -1)", WrongTypeError),
    ("(bytevector #\\a)", WrongTypeError),
    ("(bytevector-length #u8(1 2 3))", "3"),
    ("(bytevector-length (bytevector))", "0"),
    ("(bytevector-length #(1))", WrongTypeError),
    ("(bytevector-u8-ref #u8(1 1 2 3 5 8 13 21) 5)", "8"),
    ("(bytevector-u8-ref #u8(1 2) 2)", WrongTypeError),
    ("(bytevector-u8-ref #u8(1 2) -1)", WrongTypeError),
    ("(bytevector-u8-ref #(1 2) 0)", WrongTypeError),
    ("(let ((bv (bytevector 1 2 3 4))) (bytevector-u8-set! bv 1 3) bv)", "#u8(1 3 3 4)"),
    ("(let* ((bv (bytevector 1 2)) (b2 bv)) (bytevector-u8-set! b2 0 255) bv)", "#u8(255 2)"),
    ("(bytevector-u8-set! (bytevector 1) 0 256)", WrongTypeError),
    ("(bytevector-u8-set! (bytevector 1) 0 -1)", WrongTypeError),
    ("(bytevector-u8-set! (bytevector 1) 1 0)", WrongTypeError),
    ("(bytevector-u8-set! (bytevector 1) -1 0)", WrongTypeError),
    ("(bytevector-u8-set! (bytevector 1) 0 'a)", WrongTypeError),
    ("(bytevector-copy #u8(1 2 3 4 5) 2)", "#u8(3 4 5)"),
    ("(bytevector-copy #u8(1 2 3 4 5) 2 4)", "#u8(3 4)"),
    ("(bytevector-copy #u8(1 2 3))", "#u8(1 2 3)"),
    ("(bytevector-copy #u8(1 2 3) 4)", WrongTypeError),
    ("(bytevector-copy #u8(1 2 3) 2 1)", WrongTypeError),
    (
        "(let* ((a (bytevector 1 2)) (b (bytevector-copy a)))"
        " (bytevector-u8-set! b 0 9) (list a b))",
        "(#u8(1 2) #u8(9 2))",
    ),
    (
        "(let ((b (bytevector 1 2 3 4 5))) (bytevector-copy! b 1 #u8(10 20 30 40 50) 0 2) b)",
        "#u8(1 10 20 4 5)",
    ),
    ("(let ((b (bytevector 1 2 3 4 5))) (bytevector-copy! b 1 b 0 3) b)", "#u8(1 1 2 3 5)"),
    ("(let ((b (bytevector 1 2 3 4 5))) (bytevector-copy! b 0 b 2) b)", "#u8(3 4 5 4 5)"),
    ("(bytevector-copy! (bytevector 1 2) 1 #u8(7 8))", WrongTypeError),
    ("(bytevector-copy! (bytevector 1 2) -1 #u8(7))", WrongTypeError),
    ("(bytevector-copy! (bytevector 1 2) 0 #(7))", WrongTypeError),
    ("(bytevector-append #u8(0 1 2) #u8(3 4 5))", "#u8(0 1 2 3 4 5)"),
    ("(bytevector-append)", "#u8()"),
    ("(bytevector-append #u8(1) #(2))", WrongTypeError),
    ("(utf8->string #u8(#x41))", '"A"'),
    ("(utf8->string #u8(#xCE #xBB 65))", '"λA"'),
    ("(utf8->string #u8(65 66 67 68) 1)", '"BCD"'),
    ("(utf8->string #u8(65 66 67 68) 1 3)", '"BC"'),
    ("(utf8->string #u8(65) 2)", WrongTypeError),
    ("(utf8->string #u8(255))", SchemeError),
    ('(utf8->string "A")', WrongTypeError),
    ('(string->utf8 "λ")', "#u8(206 187)"),
    ('(string->utf8 "abc" 1)', "#u8(98 99)"),
    ('(string->utf8 "abc" 0 1)', "#u8(97)"),
    ('(string->utf8 "abc" 2 4)', WrongTypeError),
    ("(string->utf8 #u8(1))", WrongTypeError),
]


@pytest.fixture(scope="module")
def interp() -> Interpreter:
    return Interpreter()


@pytest.mark.parametrize("expr, expected", VECTORS + BYTEVECTORS)
def test_vectors_and_bytevectors(interp: Interpreter, expr: str, expected: object) -> None:
    if isinstance(expected, type):
        with pytest.raises(expected):
            interp.eval_string(expr)
    else:
        assert write_string(interp.eval_string(expr)) == expected


MESSAGES = [
    ("(vector-ref #(a b) 2)", "vector-ref: index 2 out of range 0..1"),
    ("(vector-ref '(a b) 0)", r"vector-ref: expected a vector \(argument 1\), got \(a b\)"),
    ("(vector-copy #(1 2) 3)", "vector-copy: start index 3 out of range 0..2"),
    ("(bytevector 1 256)", r"bytevector: expected a byte .* \(argument 2\), got 256"),
    ("(utf8->string #u8(65 255))", "utf8->string: invalid UTF-8 at byte 1"),
    ("(make-vector 100000000000)", "make-vector: size 100000000000 is too large"),
]


@pytest.mark.parametrize("expr, message", MESSAGES)
def test_vector_error_messages(interp: Interpreter, expr: str, message: str) -> None:
    with pytest.raises(SchemeError, match=message):
        interp.eval_string(expr)
