"""Strings (R7RS 6.7) and symbols (6.5), run through the interpreter."""

import pytest

from scheme import Interpreter
from scheme.errors import ArityError, SchemeError, WrongTypeError
from scheme.printer import write_string

SYMBOLS = [
    ("(symbol? 'foo)", "#t"),
    ("(symbol? (car '(a b)))", "#t"),
    ('(symbol? "bar")', "#f"),
    ("(symbol? 'nil)", "#t"),
    ("(symbol? '())", "#f"),
    ("(symbol? #f)", "#f"),
    ("(symbol=? 'a 'a)", "#t"),
    ("(symbol=? 'a 'a 'a)", "#t"),
    ("(symbol=? 'a 'b)", "#f"),
    ("(symbol=? 'a 'a 'b)", "#f"),
    ('(symbol=? \'a "a")', WrongTypeError),
    ("(symbol->string 'flying-fish)", '"flying-fish"'),
    ("(symbol->string 'Martin)", '"Martin"'),
    ('(symbol->string (string->symbol "Malvina"))', '"Malvina"'),
    ("(symbol->string '|a b|)", '"a b"'),
    ('(symbol->string "a")', WrongTypeError),
    # symbol->string gives a new string each time
    (
        "(let ((s (symbol->string 'abc))) (string-set! s 0 #\\z) (list s (symbol->string 'abc)))",
        '("zbc" "abc")',
    ),
    ("(eq? (symbol->string 'a) (symbol->string 'a))", "#f"),
    ('(string->symbol "mISSISSIppi")', "mISSISSIppi"),
    ('(eq? (string->symbol "abc") \'abc)', "#t"),
    ('(string->symbol "a b")', "|a b|"),
    ('(string->symbol "")', "||"),
    ("(string->symbol 'a)", WrongTypeError),
]

STRINGS = [
    ('(string? "abc")', "#t"),
    ("(string? 'abc)", "#f"),
    ("(string? #\\a)", "#f"),
    # make-string, string, string-length, string-ref
    ("(make-string 3 #\\x)", '"xxx"'),
    ("(make-string 0 #\\x)", '""'),
    ("(string-length (make-string 5))", "5"),
    ("(make-string -1 #\\x)", WrongTypeError),
    ('(make-string 2 "x")', WrongTypeError),
    ("(make-string 2.0 #\\x)", WrongTypeError),
    ("(string #\\a #\\b #\\c)", '"abc"'),
    ("(string)", '""'),
    ('(string #\\a "b")', WrongTypeError),
    ('(string-length "abc")', "3"),
    ('(string-length "")', "0"),
    ('(string-length "λx")', "2"),
    ("(string-length 'abc)", WrongTypeError),
    ('(string-ref "abc" 0)', "#\\a"),
    ('(string-ref "abc" 2)', "#\\c"),
    ('(string-ref "abc" 3)', WrongTypeError),
    ('(string-ref "abc" -1)', WrongTypeError),
    ('(string-ref "abc" 1.0)', WrongTypeError),
    ('(string-ref "" 0)', WrongTypeError),
    ("(string-ref 'abc 0)", WrongTypeError),
    ('(string-ref "abc")', ArityError),
    # string-set! changes the string in place, seen through every reference
    ("(let ((s (make-string 3 #\\a))) (string-set! s 1 #\\b) s)", '"aba"'),
    ('(let* ((s (string-copy "hello")) (t s)) (string-set! t 0 #\\j) s)', '"jello"'),
    ("(let ((v (vector (string #\\a)))) (string-set! (vector-ref v 0) 0 #\\q) v)", '#("q")'),
    ('(string-set! (string-copy "abc") 3 #\\x)', WrongTypeError),
    ('(string-set! (string-copy "abc") -1 #\\x)', WrongTypeError),
    ('(string-set! (string-copy "abc") 0 "x")', WrongTypeError),
    ("(string-set! 'abc 0 #\\x)", WrongTypeError),
    # comparisons, all variadic
    ('(string=? "abc" "abc")', "#t"),
    ('(string=? "abc" "abd")', "#f"),
    ('(string=? "abc" "abc" "abc")', "#t"),
    ('(string=? "abc" "abc" "ab")', "#f"),
    ('(string=? "" "")', "#t"),
    ('(string<? "abc" "abd")', "#t"),
    ('(string<? "ab" "abc")', "#t"),
    ('(string<? "abc" "ab")', "#f"),
    ('(string<? "a" "b" "c")', "#t"),
    ('(string<? "a" "c" "b")', "#f"),
    ('(string>? "b" "a")', "#t"),
    ('(string>? "a" "a")', "#f"),
    ('(string<=? "a" "a" "b")', "#t"),
    ('(string<=? "b" "a")', "#f"),
    ('(string>=? "b" "b" "a")', "#t"),
    ('(string>=? "a" "b")', "#f"),
    ('(string<? "Z" "a")', "#t"),
    ('(string=? "a" \'a)', WrongTypeError),
    ('(string<? "a" "b" 5)', WrongTypeError),
    ('(string-ci=? "abc" "ABC")', "#t"),
    ('(string-ci=? "abc" "ABC" "aBc")', "#t"),
    ('(string-ci=? "abc" "abd")', "#f"),
    ('(string-ci=? "Straße" "STRASSE")', "#t"),
    ('(string-ci<? "abc" "ABD")', "#t"),
    ('(string-ci<? "ABD" "abc")', "#f"),
    ('(string-ci>? "B" "a")', "#t"),
    ('(string-ci<=? "a" "A" "b")', "#t"),
    ('(string-ci>=? "b" "B" "A")', "#t"),
    ('(string-ci>=? "a" "B")', "#f"),
    ('(string-ci=? "a" #\\a)', WrongTypeError),
    # case
    ('(string-upcase "hello World")', '"HELLO WORLD"'),
    ('(string-upcase "straße")', '"STRASSE"'),
    ('(string-downcase "HELLO")', '"hello"'),
    ('(string-downcase "ΧΑΟΣ")', '"χαος"'),
    ('(string-foldcase "Hello")', '"hello"'),
    ('(string-foldcase "Straße")', '"strasse"'),
    ('(let* ((s "abc") (u (string-upcase s))) (eq? s u))', "#f"),
    ("(string-upcase 'a)", WrongTypeError),
    ("(string-downcase #\\a)", WrongTypeError),
    ("(string-foldcase 1)", WrongTypeError),
    # substring, string-append
    ('(substring "hello" 1 3)', '"el"'),
    ('(substring "hello" 0 5)', '"hello"'),
    ('(substring "hello" 2 2)', '""'),
    ('(substring "hello" 5 5)', '""'),
    ('(substring "hello" 3 2)', WrongTypeError),
    ('(substring "hello" 0 6)', WrongTypeError),
    ('(substring "hello" -1 2)', WrongTypeError),
    ('(substring "hello" 6 6)', WrongTypeError),
    ('(substring "hello" 1)', ArityError),
    ("(substring 'hello 1 2)", WrongTypeError),
    ('(string-append "foo" "bar")', '"foobar"'),
    ('(string-append "a" "" "b" "c")', '"abc"'),
    ("(string-append)", '""'),
    ('(string-append "a" #\\b)', WrongTypeError),
    ('(let* ((a "x") (b (string-append a))) (string-set! b 0 #\\y) (list a b))', '("x" "y")'),
    # string->list, list->string
    ('(string->list "abc")', "(#\\a #\\b #\\c)"),
    ('(string->list "abcde" 2)', "(#\\c #\\d #\\e)"),
    ('(string->list "abcde" 1 3)', "(#\\b #\\c)"),
    ('(string->list "")', "()"),
    ('(string->list "abc" 3)', "()"),
    ('(string->list "abc" 4)', WrongTypeError),
    ('(string->list "abc" 2 1)', WrongTypeError),
    ('(string->list "abc" 0 4)', WrongTypeError),
    ("(string->list 'abc)", WrongTypeError),
    ("(list->string '(#\\a #\\b))", '"ab"'),
    ("(list->string '())", '""'),
    ("(list->string '(#\\a b))", WrongTypeError),
    ("(list->string '(#\\a . #\\b))", WrongTypeError),
    ('(list->string "ab")', WrongTypeError),
    ("(let ((x (list #\\a))) (set-cdr! x x) (list->string x))", WrongTypeError),
    # string-copy, string-copy!, string-fill!
    ('(string-copy "hello")', '"hello"'),
    ('(string-copy "hello" 2)', '"llo"'),
    ('(string-copy "hello" 1 4)', '"ell"'),
    ('(string-copy "hello" 0 0)', '""'),
    ('(string-copy "hello" 6)', WrongTypeError),
    ('(string-copy "hello" 2 1)', WrongTypeError),
    ('(string-copy "hello" 0 -1)', WrongTypeError),
    ('(string-copy "hello" #\\a)', WrongTypeError),
    ('(let* ((a "abc") (b (string-copy a))) (string-set! b 0 #\\z) (list a b))', '("abc" "zbc")'),
    ('(let ((a (string-copy "12345"))) (string-copy! a 1 "ab") a)', '"1ab45"'),
    ('(let ((a (string-copy "12345"))) (string-copy! a 0 "abcde" 3) a)', '"de345"'),
    ('(let ((a (string-copy "12345"))) (string-copy! a 3 "abcde" 1 3) a)', '"123bc"'),
    ('(let ((a (string-copy "12345"))) (string-copy! a 5 "") a)', '"12345"'),
    ('(let ((a (string-copy "abcde"))) (string-copy! a 1 a 0 3) a)', '"aabce"'),
    ('(let ((a (string-copy "abcde"))) (string-copy! a 0 a 2) a)', '"cdede"'),
    ('(string-copy! (string-copy "123") 2 "ab")', WrongTypeError),
    ('(string-copy! (string-copy "123") 4 "")', WrongTypeError),
    ('(string-copy! (string-copy "123") -1 "a")', WrongTypeError),
    ('(string-copy! (string-copy "123") 0 "ab" 3)', WrongTypeError),
    ('(string-copy! (string-copy "123") 0 (vector 1))', WrongTypeError),
    ('(let ((s (string-copy "abcde"))) (string-fill! s #\\x) s)', '"xxxxx"'),
    ('(let ((s (string-copy "abcde"))) (string-fill! s #\\x 3) s)', '"abcxx"'),
    ('(let ((s (string-copy "abcde"))) (string-fill! s #\\x 1 3) s)', '"axxde"'),
    ('(let* ((s (string-copy "ab")) (t s)) (string-fill! t #\\z) s)', '"zz"'),
    ('(string-fill! (string-copy "abc") "x")', WrongTypeError),
    ('(string-fill! (string-copy "abc") #\\x 2 4)', WrongTypeError),
    ('(string-fill! (string-copy "abc") #\\x -1)', WrongTypeError),
]


@pytest.fixture(scope="module")
def interp() -> Interpreter:
    return Interpreter()


@pytest.mark.parametrize("expr, expected", SYMBOLS + STRINGS)
def test_strings_and_symbols(interp: Interpreter, expr: str, expected: object) -> None:
    if isinstance(expected, type):
        with pytest.raises(expected):
            interp.eval_string(expr)
    else:
        assert write_string(interp.eval_string(expr)) == expected


MESSAGES = [
    ('(string-ref "abc" 3)', "string-ref: index 3 out of range 0..2"),
    ('(substring "hello" 3 2)', "substring: end index 2 out of range 3..5"),
    ('(string-copy "hello" 6)', "string-copy: start index 6 out of range 0..5"),
    ("(string-length 'abc)", "string-length: expected a string, got abc"),
    ('(string-copy! (string-copy "123") 2 "ab")', "string-copy!: 2 characters do not fit"),
    ('(string-append "a" #\\b)', r"string-append: expected a string \(argument 2\), got #\\b"),
]


@pytest.mark.parametrize("expr, message", MESSAGES)
def test_string_error_messages(interp: Interpreter, expr: str, message: str) -> None:
    with pytest.raises(SchemeError, match=message):
        interp.eval_string(expr)


def test_long_strings(interp: Interpreter) -> None:
    value = interp.eval_string(
        "(let ((s (make-string 1000000 #\\a))) (string-set! s 999999 #\\b)"
        " (list (string-length s) (string-ref s 999999) (length (string->list s))))"
    )
    assert write_string(value) == "(1000000 #\\b 1000000)"
