"""Number syntax: scheme.read.numparse.parse_number accepts exactly R7RS 7.1.1 numbers."""

import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scheme.errors import ReadError
from scheme.printer import format_number
from scheme.read.numparse import MAX_EXACT_EXPONENT, int_to_decimal, parse_number, read_number
from scheme.read.reader import read_all

INF = math.inf


def same(a, b) -> bool:
    """Equal value and type, NaN equal to NaN, and -0.0 distinct from 0.0."""
    if type(a) is not type(b):
        return False
    if type(a) is float:
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    return a == b


ACCEPTED = [
    # integers, signs, exactness
    ("0", 10, 0),
    ("-0", 10, 0),
    ("42", 10, 42),
    ("+42", 10, 42),
    ("-17", 10, -17),
    ("123456789012345678901234567890", 10, 123456789012345678901234567890),
    # rationals, normalised
    ("1/3", 10, Fraction(1, 3)),
    ("-6/4", 10, Fraction(-3, 2)),
    ("6/3", 10, 2),
    ("0/5", 10, 0),
    # decimals are inexact
    ("1.5", 10, 1.5),
    (".5", 10, 0.5),
    ("-.5", 10, -0.5),
    ("1.", 10, 1.0),
    ("1e2", 10, 100.0),
    ("1E2", 10, 100.0),
    ("1e+2", 10, 100.0),
    ("1.5e-3", 10, 0.0015),
    ("-0.0", 10, -0.0),
    ("1e400", 10, INF),
    ("1e-400", 10, 0.0),
    # infinities and NaN need their sign
    ("+inf.0", 10, INF),
    ("-inf.0", 10, -INF),
    ("+INF.0", 10, INF),
    ("+nan.0", 10, math.nan),
    ("-nan.0", 10, math.nan),
    ("#i+inf.0", 10, INF),
    ("#x-inf.0", 10, -INF),
    # radix prefixes
    ("#x-1F", 10, -31),
    ("#xff", 10, 255),
    ("#XFF", 10, 255),
    ("#b101", 10, 5),
    ("#B-101", 10, -5),
    ("#o17", 10, 15),
    ("#d99", 16, 99),
    ("#x1/A", 10, Fraction(1, 10)),
    ("#x1e2", 10, 0x1E2),
    # exactness prefixes, in either order with a radix
    ("#e1.5", 10, Fraction(3, 2)),
    ("#E1.5", 10, Fraction(3, 2)),
    ("#e1e3", 10, 1000),
    ("#e1.5e-3", 10, Fraction(3, 2000)),
    ("#e-.25", 10, Fraction(-1, 4)),
    ("#e1.", 10, 1),
    ("#e-0.0", 10, 0),
    ("#i1/4", 10, 0.25),
    ("#i1/3", 10, 1 / 3),
    ("#i5", 10, 5.0),
    ("#i-0", 10, -0.0),
    ("#e#x10", 10, 16),
    ("#x#e10", 10, 16),
    ("#i#b11", 10, 3.0),
    ("#b#i11", 10, 3.0),
    ("#d#e1.25", 10, Fraction(5, 4)),
    ("#i" + "9" * 400, 10, INF),
    # the default radix of string->number
    ("ff", 16, 255),
    ("FF/2", 16, Fraction(255, 2)),
    ("101", 2, 5),
    ("-17", 8, -15),
    ("#xff", 2, 255),
]

REJECTED = [
    ("", 10),
    (" 1", 10),
    ("1 ", 10),
    ("1\n", 10),
    ("1_000", 10),
    ("1_0.5", 10),
    ("nan", 10),
    ("inf", 10),
    ("inf.0", 10),
    ("nan.0", 10),
    ("+inf", 10),
    ("+inf.5", 10),
    ("1/0", 10),
    ("#i1/0", 10),
    ("1/-2", 10),
    ("1/2/3", 10),
    ("1.5/2", 10),
    ("--1", 10),
    ("+-1", 10),
    ("1.2.3", 10),
    ("1e", 10),
    ("1e+", 10),
    ("e5", 10),
    (".", 10),
    ("+.", 10),
    ("-", 10),
    ("+", 10),
    ("...", 10),
    ("#e1+2i", 10),
    ("1+2", 10),
    ("1@", 10),
    ("i", 10),
    ("0x10", 10),
    ("#b2", 10),
    ("#o8", 10),
    ("#x1g", 10),
    ("#x1.5", 10),
    ("2", 2),
    ("1.5", 16),
    ("#e+inf.0", 10),
    ("#e+nan.0", 10),
    ("#x#x1", 10),
    ("#e#i1", 10),
    ("#e#e1", 10),
    ("#x#b1", 10),
    ("#", 10),
    ("#e", 10),
    ("#x", 10),
    ("#z1", 10),
    ("abc", 10),
    ("١٢", 10),  # Arabic-Indic digits: Python's int() would take them
    ("１", 10),  # fullwidth digit
    ("#e1e" + str(MAX_EXACT_EXPONENT + 1), 10),
]


@pytest.mark.parametrize(("text", "radix", "expected"), ACCEPTED)
def test_accepted(text, radix, expected):
    assert same(parse_number(text, radix), expected)


@pytest.mark.parametrize(("text", "radix"), REJECTED)
def test_rejected(text, radix):
    assert parse_number(text, radix) is None


def test_exact_results_are_normalised():
    value = parse_number("#e2.0")
    assert type(value) is int and value == 2


def test_long_literals_beyond_pythons_str_limit():
    digits = "7" * 5000
    n = parse_number(digits)
    assert n % 10**10 == 7777777777 and n.bit_length() > 16000
    assert int_to_decimal(n) == digits
    assert int_to_decimal(-n) == "-" + digits
    assert parse_number("#e" + digits + ".5") == Fraction(2 * n + 1, 2)


@pytest.mark.parametrize(
    "n",
    [0, 7, -7, 10**4000, 10**4000 - 1, -(10**8000) + 3],
    ids=["0", "7", "-7", "10^4000", "10^4000-1", "-10^8000+3"],
)
def test_int_to_decimal(n):
    text = int_to_decimal(n)
    assert parse_number(text) == n
    assert text.lstrip("-")[0] != "0" or n == 0


def test_read_number():
    assert read_number("#x10") == 16
    with pytest.raises(ReadError, match="bad number syntax: #b2"):
        read_number("#b2")


# --- through the reader --------------------------------------------------------------

READER = [
    ("42", 42),
    ("-1/2", Fraction(-1, 2)),
    ("#e1.5", Fraction(3, 2)),
    ("#x#e10", 16),
    ("+inf.0", INF),
    ("-nan.0", math.nan),
    (".5", 0.5),
    ("1.", 1.0),
]


@pytest.mark.parametrize(("text", "expected"), READER)
def test_reader_reads_numbers(text, expected):
    [value] = read_all(text)
    assert same(value, expected)


@pytest.mark.parametrize("text", ["#b2", "1/0", "#e+inf.0", "#x#x1", "1_000", "1.2.3", "1e"])
def test_reader_rejects_bad_numbers(text):
    with pytest.raises(ReadError):
        read_all(text)


@pytest.mark.parametrize("text", ["nan", "inf", "+in", "-", "..."])
def test_number_like_symbols_stay_symbols(text):
    [value] = read_all(text)
    assert type(value).__name__ == "Symbol" and value.name == text


# --- properties ----------------------------------------------------------------------

RADIXES = st.sampled_from([2, 8, 10, 16])


@given(st.integers(), RADIXES)
def test_integer_round_trip(n, radix):
    assert same(parse_number(format_number(n, radix), radix), n)


@given(st.fractions(), RADIXES)
def test_rational_round_trip(q, radix):
    q = q.numerator if q.denominator == 1 else q
    assert same(parse_number(format_number(q, radix), radix), q)


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_float_round_trip(x):
    assert same(parse_number(format_number(x)), x)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_exact_prefix_gives_the_exact_decimal(x):
    # repr(x) is the shortest decimal that reads back as x; #e reads that decimal exactly.
    exact = parse_number("#e" + format_number(x))
    assert Fraction(repr(x)) == exact and type(exact) in (int, Fraction)


@given(st.text(alphabet="0123456789+-./#eEixXbBoOdDnaf_ ", max_size=8))
def test_never_raises_and_agrees_with_python_on_plain_integers(text):
    value = parse_number(text)
    assert value is None or type(value) in (int, Fraction, float, complex)
    body = text[1:] if text[:1] in ("+", "-") else text
    if body.isdigit():
        assert same(value, int(text))
