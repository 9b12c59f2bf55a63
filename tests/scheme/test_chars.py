"""Characters (R7RS 6.6), run through the interpreter: (expression, written value)."""

import pytest

from scheme import Interpreter
from scheme.errors import WrongTypeError
from scheme.printer import write_string

CASES = [
    ("(char? #\\a)", "#t"),
    ('(char? "a")', "#f"),
    ("(char? 'a)", "#f"),
    ("(char? 97)", "#f"),
    # comparisons, all variadic
    ("(char=? #\\a #\\a)", "#t"),
    ("(char=? #\\a #\\A)", "#f"),
    ("(char=? #\\a #\\a #\\a)", "#t"),
    ("(char=? #\\a #\\a #\\b)", "#f"),
    ("(char<? #\\a #\\b)", "#t"),
    ("(char<? #\\a #\\b #\\c)", "#t"),
    ("(char<? #\\a #\\c #\\b)", "#f"),
    ("(char<? #\\b #\\b)", "#f"),
    ("(char>? #\\c #\\b #\\a)", "#t"),
    ("(char>? #\\a #\\b)", "#f"),
    ("(char<=? #\\a #\\a #\\b)", "#t"),
    ("(char<=? #\\b #\\a)", "#f"),
    ("(char>=? #\\b #\\b #\\a)", "#t"),
    ("(char>=? #\\a #\\b)", "#f"),
    ("(char<? #\\Z #\\a)", "#t"),
    ("(char=? #\\a 'a)", WrongTypeError),
    ("(char<? #\\a #\\b 3)", WrongTypeError),
    ("(char<? #\\b #\\a 3)", WrongTypeError),
    ("(char-ci=? #\\a #\\A)", "#t"),
    ("(char-ci=? #\\a #\\A #\\a)", "#t"),
    ("(char-ci=? #\\a #\\b)", "#f"),
    ("(char-ci<? #\\a #\\B)", "#t"),
    ("(char-ci<? #\\B #\\a)", "#f"),
    ("(char-ci>? #\\b #\\A)", "#t"),
    ("(char-ci<=? #\\A #\\a #\\B)", "#t"),
    ("(char-ci>=? #\\B #\\b #\\A)", "#t"),
    ("(char-ci>=? #\\a #\\B)", "#f"),
    ("(char-ci=? #\\x3A3 #\\x3C3)", "#t"),
    ('(char-ci=? #\\a "A")', WrongTypeError),
    # classes
    ("(char-alphabetic? #\\a)", "#t"),
    ("(char-alphabetic? #\\Z)", "#t"),
    ("(char-alphabetic? #\\x3BB)", "#t"),
    ("(char-alphabetic? #\\1)", "#f"),
    ("(char-alphabetic? #\\space)", "#f"),
    ("(char-numeric? #\\1)", "#t"),
    ("(char-numeric? #\\x664)", "#t"),
    ("(char-numeric? #\\a)", "#f"),
    ("(char-numeric? #\\x00BD)", "#f"),
    ("(char-whitespace? #\\space)", "#t"),
    ("(char-whitespace? #\\tab)", "#t"),
    ("(char-whitespace? #\\newline)", "#t"),
    ("(char-whitespace? #\\return)", "#t"),
    ("(char-whitespace? #\\x00A0)", "#t"),
    ("(char-whitespace? #\\x1F)", "#f"),
    ("(char-whitespace? #\\a)", "#f"),
    ("(char-upper-case? #\\A)", "#t"),
    ("(char-upper-case? #\\a)", "#f"),
    ("(char-upper-case? #\\1)", "#f"),
    ("(char-lower-case? #\\a)", "#t"),
    ("(char-lower-case? #\\A)", "#f"),
    ("(char-lower-case? #\\x3BB)", "#t"),
    ('(char-alphabetic? "a")', WrongTypeError),
    ("(char-numeric? 1)", WrongTypeError),
    ("(char-whitespace? 'a)", WrongTypeError),
    ("(char-upper-case? 65)", WrongTypeError),
    ("(char-lower-case? #f)", WrongTypeError),
    # digit-value
    ("(digit-value #\\3)", "3"),
    ("(digit-value #\\0)", "0"),
    ("(digit-value #\\x0664)", "4"),
    ("(digit-value #\\x0AE6)", "0"),
    ("(digit-value #\\a)", "#f"),
    ("(digit-value #\\x00BD)", "#f"),
    ("(digit-value 3)", WrongTypeError),
    # code points
    ("(char->integer #\\a)", "97"),
    ("(char->integer #\\space)", "32"),
    ("(char->integer #\\x3BB)", "955"),
    ("(char->integer #\\x10FFFF)", "1114111"),
    ("(integer->char 97)", "#\\a"),
    ("(integer->char 32)", "#\\space"),
    ("(integer->char 955)", "#\\λ"),
    ("(integer->char 0)", "#\\null"),
    ("(char->integer (integer->char 1114111))", "1114111"),
    ("(integer->char -1)", WrongTypeError),
    ("(integer->char 1114112)", WrongTypeError),
    ("(integer->char 55296)", WrongTypeError),
    ("(integer->char 97.0)", WrongTypeError),
    ("(integer->char #\\a)", WrongTypeError),
    ("(char->integer 97)", WrongTypeError),
    # case mapping
    ("(char-upcase #\\a)", "#\\A"),
    ("(char-upcase #\\A)", "#\\A"),
    ("(char-upcase #\\1)", "#\\1"),
    ("(char-upcase #\\x3BB)", "#\\Λ"),
    ("(char-upcase #\\xDF)", "#\\ß"),
    ("(char-downcase #\\A)", "#\\a"),
    ("(char-downcase #\\a)", "#\\a"),
    ("(char-downcase #\\x3A3)", "#\\σ"),
    ("(char-foldcase #\\A)", "#\\a"),
    ("(char-foldcase #\\a)", "#\\a"),
    ("(char-foldcase #\\x3A3)", "#\\σ"),
    ("(char-foldcase #\\xDF)", "#\\ß"),
    ('(char-upcase "a")', WrongTypeError),
    ("(char-downcase 'a)", WrongTypeError),
    ("(char-foldcase 1)", WrongTypeError),
]


@pytest.fixture(scope="module")
def interp() -> Interpreter:
    return Interpreter()


@pytest.mark.parametrize("expr, expected", CASES)
def test_chars(interp: Interpreter, expr: str, expected: object) -> None:
    if isinstance(expected, type):
        with pytest.raises(expected):
            interp.eval_string(expr)
    else:
        assert write_string(interp.eval_string(expr)) == expected


MESSAGES = [
    ('(char-upcase "a")', 'char-upcase: expected a character, got "a"'),
    ("(char<? #\\a #\\b 3)", r"char<\?: expected a character \(argument 3\), got 3"),
    ("(integer->char 55296)", "integer->char: 55296 is not a Unicode scalar value"),
]


@pytest.mark.parametrize("expr, message", MESSAGES)
def test_char_error_messages(interp: Interpreter, expr: str, message: str) -> None:
    with pytest.raises(WrongTypeError, match=message):
        interp.eval_string(expr)
