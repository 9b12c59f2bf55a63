"""The reader (R7RS 7.1.2 external representations): (text, what it reads as).

Expected values are written back with `write`, plus the Python type where the kind of
number matters (exact integer, Fraction, float). Malformed input is a ReadError whose
rendering names file:line:col, shows the line and puts a caret under the column.
"""

from fractions import Fraction

import pytest

from scheme import (
    EOF,
    FALSE,
    NIL,
    TRUE,
    Char,
    Interpreter,
    MString,
    Pair,
    ReadError,
    Symbol,
    Vector,
    read_all,
    read_datum,
    write_string,
)
from scheme.types import Bytevector


def read1(text: str) -> object:
    data = read_all(text, "t.scm")
    assert len(data) == 1, data
    return data[0]


# (text, python type, written form)
NUMBERS = [
    ("42", int, "42"),
    ("-17", int, "-17"),
    ("+5", int, "5"),
    ("0", int, "0"),
    ("123456789012345678901234567890", int, "123456789012345678901234567890"),
    ("1/3", Fraction, "1/3"),
    ("6/4", Fraction, "3/2"),
    ("-2/4", Fraction, "-1/2"),
    ("4/2", int, "2"),
    ("1.5", float, "1.5"),
    (".5", float, "0.5"),
    ("+.5", float, "0.5"),
    ("-.5e1", float, "-5.0"),
    ("1.", float, "1.0"),
    ("1e3", float, "1000.0"),
    ("1E3", float, "1000.0"),
    ("-1.5e-3", float, "-0.0015"),
    ("-0.0", float, "-0.0"),
    ("+inf.0", float, "+inf.0"),
    ("-inf.0", float, "-inf.0"),
    ("+nan.0", float, "+nan.0"),
    ("-nan.0", float, "+nan.0"),
    # prefixes: exactness and radix, in either order, any case
    ("#e1.5", Fraction, "3/2"),
    ("#E1.5", Fraction, "3/2"),
    ("#e1.2e-3", Fraction, "3/2500"),
    ("#e1e3", int, "1000"),
    ("#i1/2", float, "0.5"),
    ("#i3", float, "3.0"),
    ("#x1F", int, "31"),
    ("#XFF", int, "255"),
    ("#xface", int, "64206"),
    ("#x-ff", int, "-255"),
    ("#x+10", int, "16"),
    ("#b101", int, "5"),
    ("#b-101/11", Fraction, "-5/3"),
    ("#o17", int, "15"),
    ("#d10", int, "10"),
    ("#d1/2", Fraction, "1/2"),
    ("#x#e1", int, "1"),
    ("#e#x10", int, "16"),
    ("#i#b101", float, "5.0"),
]


@pytest.mark.parametrize("text, kind, written", NUMBERS)
def test_numbers(text: str, kind: type, written: str) -> None:
    value = read1(text)
    assert type(value) is kind
    assert write_string(value) == written


# Not numbers: either symbols (R7RS identifiers) or read errors, never numbers.
SYMBOLS_NOT_NUMBERS = ["nan", "inf", "face", "add", "+", "-", "...", "->x", "+in", "+a", "-inf"]


@pytest.mark.parametrize("text", SYMBOLS_NOT_NUMBERS)
def test_symbols_that_look_numeric(text: str) -> None:
    assert read1(text) is Symbol(text)


BAD_NUMBERS = ["1_000", "1+", "1/2/3", "1e", "1.2.3", ".5.", "1/2e3", "1+2", "#b2", "#o8"]
BAD_NUMBERS += ["#x1.5", "1/0", "#e+inf.0", "12abc"]


@pytest.mark.parametrize("text", BAD_NUMBERS)
def test_bad_numbers_are_read_errors(text: str) -> None:
    with pytest.raises(ReadError) as info:
        read_all(text, "t.scm")
    assert str(info.value.span) == "t.scm:1:1"


def test_1_000_is_not_one_thousand_anywhere() -> None:
    with pytest.raises(ReadError, match="1_000"):
        read_all("(+ 1_000 1)")


STRINGS = [
    (r'""', ""),
    (r'"abc"', "abc"),
    (r'"a\nb"', "a\nb"),
    (r'"\t|\r|\a|\b"', "\t|\r|\a|\b"),
    (r'"say \"hi\""', 'say "hi"'),
    (r'"back\\slash"', "back\\slash"),
    (r'"bar\|"', "bar|"),
    (r'"\x41;\x3bb;"', "A\u03bb"),
    (r'"\x0;"', "\0"),
    ('"ab\\\n   cd"', "abcd"),  # \ newline: line continuation eats the indentation
    ('"ab\\  \n\tcd"', "abcd"),  # intraline whitespace before the newline too
    ('"two\nlines"', "two\nlines"),  # a literal newline stays
    ('"λ→"', "λ→"),
    ('"semi;colon (paren"', "semi;colon (paren"),
]


@pytest.mark.parametrize("text, value", STRINGS)
def test_strings(text: str, value: str) -> None:
    s = read1(text)
    assert type(s) is MString
    assert s.s == value


BAD_STRINGS = [r'"\q"', r'"\x41"', r'"\x4142"', r'"\xZZ;"', r'"\x110000;"', '"abc', '"a\\ b"']


@pytest.mark.parametrize("text", BAD_STRINGS)
def test_bad_strings(text: str) -> None:
    with pytest.raises(ReadError):
        read_all(text, "t.scm")


CHARS = [
    (r"#\a", "a"),
    (r"#\A", "A"),
    (r"#\space", " "),
    (r"#\newline", "\n"),
    (r"#\tab", "\t"),
    (r"#\return", "\r"),
    (r"#\null", "\0"),
    (r"#\alarm", "\a"),
    (r"#\backspace", "\b"),
    (r"#\delete", "\x7f"),
    (r"#\escape", "\x1b"),
    (r"#\x41", "A"),
    (r"#\x3bb", "\u03bb"),
    (r"#\x", "x"),
    (r"#\(", "("),
    (r"#\)", ")"),
    (r"#\;", ";"),
    (r"#\"", '"'),
    (r"#\λ", "λ"),
]


@pytest.mark.parametrize("text, ch", CHARS)
def test_chars(text: str, ch: str) -> None:
    c = read1(text)
    assert type(c) is Char
    assert c.ch == ch


@pytest.mark.parametrize("text", [r"#\foo", r"#\xZZ", r"#\x110000"])
def test_bad_chars(text: str) -> None:
    with pytest.raises(ReadError):
        read_all(text)


def test_char_delimits_a_list() -> None:
    assert write_string(read1(r"(#\a #\) #\()")) == r"(#\a #\) #\()"


def test_booleans() -> None:
    assert read_all("#t #f #true #false") == [TRUE, FALSE, TRUE, FALSE]
    assert read_all("#T #F #TRUE #FALSE #True #fAlSe") == [TRUE, FALSE, TRUE, FALSE, TRUE, FALSE]


@pytest.mark.parametrize("text", ["#tru", "#t#f", "#true1"])
def test_bad_booleans(text: str) -> None:
    with pytest.raises(ReadError):
        read_all(text)


SYMBOLS = [
    ("abc", "abc"),
    ("ABC", "ABC"),  # case-sensitive
    ("list->vector", "list->vector"),
    ("<=?", "<=?"),
    ("a.b", "a.b"),
    ("λ", "λ"),
    ("|with spaces|", "with spaces"),
    ("||", ""),
    (r"|a\x41;b|", "aAb"),
    (r"|a\|b|", "a|b"),
    ("|(paren)|", "(paren)"),
]


@pytest.mark.parametrize("text, name", SYMBOLS)
def test_symbols(text: str, name: str) -> None:
    s = read1(text)
    assert s is Symbol(name)


def test_bar_symbol_writes_back_with_bars_and_reads_back() -> None:
    s = read1("|with spaces|")
    assert write_string(s) == "|with spaces|"
    assert read1(write_string(s)) is s


def test_symbol_and_string_are_distinct() -> None:
    sym, string = read_all('abc "abc"')
    assert type(sym) is Symbol and type(string) is MString


ABBREVIATIONS = [
    ("'a", "quote"),
    ("`a", "quasiquote"),
    (",a", "unquote"),
    (",@a", "unquote-splicing"),
]


@pytest.mark.parametrize("text, keyword", ABBREVIATIONS)
def test_quote_abbreviations(text: str, keyword: str) -> None:
    form = read1(text)
    assert type(form) is Pair
    assert form.car is Symbol(keyword)
    assert form.cdr.car is Symbol("a")
    assert form.cdr.cdr is NIL


def test_nested_abbreviations() -> None:
    assert write_string(read1("'`(a ,b ,@'c)")) == (
        "(quote (quasiquote (a (unquote b) (unquote-splicing (quote c)))))"
    )


COMPOUND = [
    ("()", "()"),
    ("(a . b)", "(a . b)"),
    ("(a b . c)", "(a b . c)"),
    ("(a . (b . (c . ())))", "(a b c)"),
    ("((a) (b . c))", "((a) (b . c))"),
    ('(a"b")', '(a "b")'),
    ("#()", "#()"),
    ('#(1 #(2) (3 . 4) "s")', '#(1 #(2) (3 . 4) "s")'),
    ("'#(a b)", "(quote #(a b))"),
    ("#u8()", "#u8()"),
    ("#u8(0 1 255)", "#u8(0 1 255)"),
    ("#U8(7)", "#u8(7)"),
    ("#X1F", "31"),
    ("#E1.5", "3/2"),
    # datum labels (R7RS 2.4): shared and circular structure
    ("(#0=(a) #0#)", "((a) (a))"),
    ("#0=(a b . #0#)", "#0=(a b . #0#)"),
    ("#1=#(1 #1#)", "#0=#(1 #0#)"),
    ("(#0=x #1=y #1# #0#)", "(x y y x)"),
    ("#12=(#12#)", "#0=(#0#)"),
    ("(#0=1 '#0#)", "(1 (quote 1))"),
]


@pytest.mark.parametrize("text, written", COMPOUND)
def test_compound_data(text: str, written: str) -> None:
    assert write_string(read1(text)) == written


def test_pairs_vectors_bytevectors_have_their_own_types() -> None:
    p, v, b, e = read_all("(1 . 2) #(1 2) #u8(1 2) ()")
    assert type(p) is Pair and p.car == 1 and p.cdr == 2
    assert type(v) is Vector and v.items == [1, 2]
    assert type(b) is Bytevector and bytes(b.data) == b"\x01\x02"
    assert e is NIL


@pytest.mark.parametrize("text", ["#u8(256)", "#u8(-1)", "#u8(a)", "#u8(1.0)"])
def test_bytevector_elements_are_bytes(text: str) -> None:
    with pytest.raises(ReadError, match="0..255"):
        read_all(text)


def test_datum_labels_share_structure() -> None:
    lst = read1("(#0=(a) #0#)")
    assert lst.car is lst.cdr.car
    circ = read1("#0=(a . #0#)")
    assert circ.cdr is circ


@pytest.mark.parametrize("text", ["(a #;. b)", "(#; #;x . z)", "(#; #;x #;y . z)", "(a '. b)"])
def test_a_datum_comment_or_quote_needs_a_datum_not_a_dot(text: str) -> None:
    with pytest.raises(ReadError):
        read_all(text)


@pytest.mark.parametrize("text", ["#0#", "(#0# #0=(a))", "#0=#0#", "(#1=a #2#)"])
def test_bad_datum_labels(text: str) -> None:
    with pytest.raises(ReadError, match="label"):
        read_all(text)


FOLD_CASE = [
    ("#!fold-case ABC", "abc"),
    ("#!fold-case (Hello WORLD)", "(hello world)"),
    ("#!fold-case (|ABC| abc)", "(ABC abc)"),
    ('#!fold-case "ABC"', '"ABC"'),
    ("#!fold-case #\\A", "#\\A"),
    ("#!fold-case #\\SPACE", "#\\space"),
    ("#!fold-case (A #!no-fold-case B)", "(a B)"),
    ("ABC", "ABC"),
    ("#| #!fold-case |# ABC", "ABC"),
    ('"#!fold-case" ABC', '"#!fold-case"'),
]


@pytest.mark.parametrize("text, written", FOLD_CASE)
def test_fold_case_directives(text: str, written: str) -> None:
    assert write_string(read_all(text)[0]) == written


def test_fold_case_in_source_and_in_read() -> None:
    interp = Interpreter()
    assert interp.eval_string("#!fold-case (DEFINE X 5) #!no-fold-case x") == 5
    got = interp.eval_string(
        '(let ((p (open-input-string "#!fold-case ABC DEF #!no-fold-case GHI")))'
        " (list (read p) (read p) (read p)))"
    )
    assert write_string(got) == "(abc def GHI)"


def test_datum_labels_in_source_and_in_read() -> None:
    interp = Interpreter()
    assert write_string(interp.eval_string("(let ((x '#0=(1 . #0#))) (cadr x))")) == "1"
    got = interp.eval_string('(read (open-input-string "#0=(a #0#) tail"))')
    assert write_string(got) == "#0=(a #0#)"


COMMENTS = [
    ("(1 ; comment ) here\n 2)", "(1 2)"),
    ("; only a comment\n5", "5"),
    ("#| block |# 1", "1"),
    ("#| a #| nested |# still comment |# 1", "1"),
    ("#| (unbalanced ( in a comment |# 1", "1"),
    ("(1 #| inside |# 2)", "(1 2)"),
    ("#;(hidden list) 2", "2"),
    ("#; #; 1 2 3", "3"),
    ("(1 #;2 3)", "(1 3)"),
    ("(1 #;2)", "(1)"),
    ("(1 #; (a (b c)) 3)", "(1 3)"),
    ("(1 . #;2 3)", "(1 . 3)"),
    ("#;'quoted 4", "4"),
    ("(a #|x|# . b)", "(a . b)"),
]


@pytest.mark.parametrize("text, written", COMMENTS)
def test_comments(text: str, written: str) -> None:
    assert write_string(read1(text)) == written


def test_only_comments_read_nothing() -> None:
    assert read_all("; a\n#| b |#\n#;c") == []


# -- spans -------------------------------------------------------------------------------

PROGRAM = """\
(define (greet name)
  (string-append "hi, "
                 name))
; a comment
  #(1 2)
(quote
   (x . y))
 #u8(1)
"""


def test_spans_of_data_read_from_a_file() -> None:
    define, vec, quote, bytes_ = read_all(PROGRAM, "greet.scm")
    assert str(define.span) == "greet.scm:1:1"
    assert define.span.source.name == "greet.scm"
    header = define.cdr.car  # (greet name)
    assert (header.span.line, header.span.col) == (1, 9)
    # the pair holding `name` records where `name` is
    assert (header.cdr.span.line, header.cdr.span.col) == (1, 16)
    body = define.cdr.cdr.car  # (string-append "hi, " name)
    assert (body.span.line, body.span.col) == (2, 3)
    string = body.cdr.car
    assert type(string) is MString
    assert (string.span.line, string.span.col) == (2, 18)
    assert (body.cdr.cdr.span.line, body.cdr.cdr.span.col) == (3, 18)
    assert (vec.span.line, vec.span.col) == (5, 3)
    inner = quote.cdr.car
    assert (inner.span.line, inner.span.col) == (7, 4)
    assert str(bytes_.span) == "greet.scm:8:2"


def test_spans_of_abbreviations_point_at_the_quote_mark() -> None:
    (form,) = read_all("\n   'x", "q.scm")
    assert str(form.span) == "q.scm:2:4"


def test_spans_through_comments_stay_put() -> None:
    # block and datum comments are blanked, not removed: later columns do not move
    (form,) = read_all("#| c\n c |# #;(x\n y) (a\n  b)", "c.scm")
    assert str(form.span) == "c.scm:3:5"
    assert (form.cdr.span.line, form.cdr.span.col) == (4, 3)


def test_spans_of_data_loaded_from_a_file(tmp_path) -> None:
    path = tmp_path / "prog.scm"
    path.write_text("(define x 1)\n\n  (car x)\n")
    interp = Interpreter()
    with pytest.raises(Exception) as info:
        interp.load_file(path)
    assert str(info.value.span) == f"{path}:3:3"


def test_read_datum_positions_and_eof() -> None:
    text = " (a b) 42 ; end"
    first, pos = read_datum(text, 0, "s.scm")
    assert write_string(first) == "(a b)"
    assert str(first.span) == "s.scm:1:2"
    second, pos = read_datum(text, pos)
    assert second == 42
    third, pos = read_datum(text, pos)
    assert third is EOF and pos == len(text)


# -- depth -------------------------------------------------------------------------------

DEEP = 100_000


def test_deeply_nested_lists_read_without_recursion_error() -> None:
    (x,) = read_all("(" * DEEP + "leaf" + ")" * DEEP)
    depth = 0
    while type(x) is Pair:
        x = x.car
        depth += 1
    assert depth == DEEP
    assert x is Symbol("leaf")


def test_deeply_nested_vectors_and_quotes_read() -> None:
    (v,) = read_all("#(" * 20_000 + ")" * 20_000)
    depth = 0
    while type(v) is Vector and v.items:
        v = v.items[0]
        depth += 1
    assert depth == 20_000 - 1
    (q,) = read_all("'" * 20_000 + "x")
    depth = 0
    while type(q) is Pair:
        assert q.car is Symbol("quote")
        q = q.cdr.car
        depth += 1
    assert depth == 20_000


# -- malformed input ---------------------------------------------------------------------

# (text, line, col, message fragment)
MALFORMED = [
    ("(1 2", 1, 1, "never closed"),
    ("(a\n (b c)\n", 1, 1, "never closed"),
    ("(ok)\n  )", 2, 3, "unexpected ')'"),
    ("(. a)", 1, 2, "unexpected '.'"),
    ("(a . b c)", 1, 8, "exactly one datum may follow '.'"),
    ('(display "abc)', 1, 10, "unterminated string"),
    ("#|unterminated", 1, 1, "unterminated block comment"),
    ("(1 #;)", 1, 4, "#; has no datum after it"),
    ("#;", 1, 1, "#; has no datum after it"),
    ("(foo #q)", 1, 6, "#q"),
    ("[1]", 1, 1, "unexpected character '['"),
    ("x\n\n   1_000", 3, 4, "1_000"),
    ("|abc", 1, 1, "|"),
    (r"(a #\bogus)", 1, 4, "unknown character name"),
]


@pytest.mark.parametrize("text, line, col, fragment", MALFORMED)
def test_malformed_input(text: str, line: int, col: int, fragment: str) -> None:
    with pytest.raises(ReadError) as info:
        read_all(text, "bad.scm")
    err = info.value
    assert (err.span.line, err.span.col) == (line, col)
    assert fragment in err.message
    rendered = err.render()
    first, source_line, caret = rendered.split("\n")[:3]
    assert first.startswith(f"bad.scm:{line}:{col}: ")
    assert source_line == "  " + text.split("\n")[line - 1]
    assert caret == "  " + " " * (col - 1) + "^"


def test_caret_keeps_tabs_so_it_lines_up() -> None:
    with pytest.raises(ReadError) as info:
        read_all("(list\n\t\t#q)", "tab.scm")
    lines = info.value.render().split("\n")
    assert lines[0].startswith("tab.scm:2:3: ")
    assert lines[1] == "  \t\t#q)"
    assert lines[2] == "  \t\t^"


def test_dot_with_nothing_after_it_does_not_blame_the_parens() -> None:
    with pytest.raises(ReadError) as info:
        read_all("(a .)")
    assert "no '(' to close" not in info.value.message
    assert (info.value.span.line, info.value.span.col) == (1, 5)


def test_read_errors_are_scheme_errors_not_lark_errors() -> None:
    from scheme import SchemeError

    for text in ["(", ")", "#", "(a . )", '"', "#u8(1 . 2)"]:
        with pytest.raises(SchemeError):
            read_all(text)


def _shape(x: object, out: list, seen: set) -> None:
    """Every pair's and string's span, in order, with the written datum."""
    stack = [x]
    while stack:
        d = stack.pop()
        if id(d) in seen:
            continue
        seen.add(id(d))
        span = getattr(d, "span", None)
        out.append((type(d).__name__, span and (span.line, span.col)))
        if type(d) is Pair:
            stack.extend([d.cdr, d.car])
        elif type(d) is Vector:
            stack.extend(reversed(d.items))


FAST_PATH_TEXTS = [
    "(1 2 3)",
    "(a b . c)",
    "(a . (b c))",
    "  (define (f x)\n    (+ x 1))\n(f 2)",
    "'a '(1 2) `(a ,b ,@c) ''x '()",
    "(quote (a 'b))",
    '("s" "multi\nline" x) "top"',
    '#(1 #(2) (3 . 4) "s") #()',
    "(#t #f #true #FALSE)",
    "; comment\n(a ; more\n b)\n",
    "(+ - ... ->x .5 -7 1/2 1e3 +inf.0 -nan.0 12345678901234567890)",
    "(() (()) ((a)))",
    "()",
    "(a '. b)",
    "(. a)",
    "(a . b c)",
    "(a .)",
    "'",
    "(1 2",
    ")",
    "(1 #;2 3)",
    "#|x|# (y)",
    "(1+ x)",
    "(#\\a b)",
    '("a\\nb")',
    "(|x y| z)",
    "#u8(1 2)",
    "(a'b)",
    "#0=(a . #0#)",
    "(#x1F #e1.5)",
]


@pytest.mark.parametrize("text", FAST_PATH_TEXTS)
def test_fast_path_reads_exactly_what_the_grammar_reads(text: str) -> None:
    from scheme.read.fastread import Fallback, fast_read
    from scheme.read.reader import read_spanned_lark

    try:
        lark = read_spanned_lark(text, "t")
    except ReadError:
        lark = None
    try:
        fast = fast_read(text, "t")[0]
    except Fallback:
        fast = None
    if lark is None:
        assert fast is None, "the fast path accepted what the grammar rejects"
        return
    if fast is None:
        return  # the grammar reads it (the fast path falls back to it)
    assert [write_string(d) for d, _ in fast] == [write_string(d) for d, _ in lark]
    for (fd, fs), (ld, ls) in zip(fast, lark):
        assert (fs.line, fs.col) == (ls.line, ls.col)
        a: list = []
        b: list = []
        _shape(fd, a, set())
        _shape(ld, b, set())
        assert a == b


def test_fast_path_covers_plain_data() -> None:
    from scheme.read.fastread import fast_read

    text = '(define (f x) (+ x 1)) \'(a "b" #(1 2.5) . c)'
    assert len(fast_read(text, "t")[0]) == 2
