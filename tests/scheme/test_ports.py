"""Ports and I/O (R7RS 6.13), through the interpreter.

OUTPUT checks the exact text an expression prints on the interpreter's output stream;
VALUES checks the written value of expressions over string and bytevector ports. Reads
are sequenced with let*, since the order in which arguments are evaluated is unspecified.
"""

import io

import pytest

from scheme import TRUE, Interpreter
from scheme.errors import ReadError, SchemeError, WrongTypeError
from scheme.ports import StringInputPort, StringOutputPort, TextStreamPort
from scheme.primitives.io import io_primitives, make_port_parameters
from scheme.printer import write_string
from scheme.types import MString

OUTPUT = [
    ('(display "a\\nb")', "a\nb"),
    ('(write "a\\nb")', '"a\\nb"'),
    ('(write "tab\\there")', '"tab\\there"'),
    ('(write "q\\"uote\\\\")', '"q\\"uote\\\\"'),
    ('(display "q\\"uote")', 'q"uote'),
    ("(display #\\a)", "a"),
    ("(write #\\a)", "#\\a"),
    ("(write #\\space)", "#\\space"),
    ("(write #\\newline)", "#\\newline"),
    ("(display #\\space)", " "),
    ("(write '|a b|)", "|a b|"),
    ("(display '|a b|)", "a b"),
    ("(write 'abc)", "abc"),
    ('(write \'(1 "two" #\\3 4.5 sym))', '(1 "two" #\\3 4.5 sym)'),
    ('(display \'(1 "two" #\\3 4.5 sym))', "(1 two 3 4.5 sym)"),
    ('(display (vector "a" #\\b))', "#(a b)"),
    ('(write (vector "a" #\\b))', '#("a" #\\b)'),
    ("(write #u8(1 2))", "#u8(1 2)"),
    ("(write '(1 . 2))", "(1 . 2)"),
    ("(write '())", "()"),
    ("(write #t)", "#t"),
    ("(newline)", "\n"),
    ("(begin (display 1) (newline) (display 2))", "1\n2"),
    ("(write-char #\\x)", "x"),
    ("(write-char #\\newline)", "\n"),
    ('(write-string "hello")', "hello"),
    ('(write-string "hello" (current-output-port) 2)', "llo"),
    ('(write-string "hello" (current-output-port) 1 3)', "el"),
    ("(flush-output-port)", ""),
    ("(let ((x (list 1 2))) (set-cdr! (cdr x) x) (write x))", "#0=(1 2 . #0#)"),
    ("(let ((x (list 1 2))) (set-cdr! (cdr x) x) (display x))", "#0=(1 2 . #0#)"),
    ("(let ((x (list 1))) (write (list x x)))", "((1) (1))"),
    ("(let ((x (list 1 2))) (set-cdr! (cdr x) x) (write-shared x))", "#0=(1 2 . #0#)"),
    ('(write-shared \'(1 "a"))', '(1 "a")'),
    ('(write-simple \'(a "b" #\\c))', '(a "b" #\\c)'),
    ('(display "x" (current-output-port))', "x"),
    ('(write "x" (current-output-port))', '"x"'),
    ("(newline (current-output-port))", "\n"),
    # parameterize redirects the procedures that default to the current port
    (
        "(let ((p (open-output-string)))"
        ' (parameterize ((current-output-port p)) (display "in") (write-char #\\!) (newline))'
        ' (display "out") (write (get-output-string p)))',
        'out"in!\\n"',
    ),
]

VALUES = [
    # string output ports
    (
        '(let ((p (open-output-string))) (write \'abc p) (display " " p) (write "x" p)'
        " (get-output-string p))",
        '"abc \\"x\\""',
    ),
    ("(get-output-string (open-output-string))", '""'),
    (
        '(let ((p (open-output-string))) (write-string "ab" p)'
        " (let ((a (get-output-string p))) (write-char #\\c p) (list a (get-output-string p))))",
        '("ab" "abc")',
    ),
    ("(let ((p (open-output-string))) (eq? (get-output-string p) (get-output-string p)))", "#f"),
    ('(let ((p (open-output-string))) (write-string "hello" p 1 3) (get-output-string p))', '"el"'),
    # string input ports
    (
        '(let* ((p (open-input-string "hello")) (a (read-char p)) (b (peek-char p))'
        " (c (read-char p))) (list a b c))",
        "(#\\h #\\e #\\e)",
    ),
    ('(read-char (open-input-string ""))', "#<eof>"),
    ('(eof-object? (read-char (open-input-string "")))', "#t"),
    ('(eof-object? (peek-char (open-input-string "")))', "#t"),
    ('(let* ((p (open-input-string "x")) (a (read-char p))) (eof-object? (read-char p)))', "#t"),
    (
        '(let* ((p (open-input-string "ab\\ncd\\r\\nef\\rgh")) (a (read-line p)) (b (read-line p))'
        " (c (read-line p)) (d (read-line p)) (e (read-line p))) (list a b c d (eof-object? e)))",
        '("ab" "cd" "ef" "gh" #t)',
    ),
    (
        '(let* ((p (open-input-string "a\\n\\nb\\n")) (a (read-line p)) (b (read-line p))'
        " (c (read-line p)) (d (read-line p))) (list a b c (eof-object? d)))",
        '("a" "" "b" #t)',
    ),
    ('(eof-object? (read-line (open-input-string "")))', "#t"),
    (
        '(let* ((p (open-input-string "abcde")) (a (read-string 2 p)) (b (read-string 10 p))'
        " (c (read-string 1 p))) (list a b (eof-object? c)))",
        '("ab" "cde" #t)',
    ),
    ('(read-string 0 (open-input-string ""))', '""'),
    ('(read-string -1 (open-input-string "a"))', WrongTypeError),
    ('(read-string \'a (open-input-string "a"))', WrongTypeError),
    ('(char-ready? (open-input-string "a"))', "#t"),
    ('(char-ready? (open-input-string ""))', "#t"),
    # read
    (
        '(let* ((p (open-input-string "(a b) 42 \\"s\\" ; c\\n")) (a (read p)) (b (read p))'
        " (c (read p)) (d (read p))) (list a b c (eof-object? d)))",
        '((a b) 42 "s" #t)',
    ),
    ('(read (open-input-string "#(1 #\\\\x)"))', "#(1 #\\x)"),
    ('(read (open-input-string "  \'q"))', "(quote q)"),
    (
        '(let* ((p (open-input-string "abc def")) (a (read p))) (list a (read-char p)))',
        "(abc #\\space)",
    ),
    ('(eof-object? (read (open-input-string "  ; only a comment")))', "#t"),
    ('(read (open-input-string "(1 2"))', ReadError),
    ("(read (open-output-string))", WrongTypeError),
    # the default input port is empty
    ("(eof-object? (read-char))", "#t"),
    ("(eof-object? (peek-char))", "#t"),
    ("(eof-object? (read-line))", "#t"),
    ("(eof-object? (read))", "#t"),
    ("(input-port? (current-input-port))", "#t"),
    # eof-object
    ("(eof-object? (eof-object))", "#t"),
    ("(eof-object? '())", "#f"),
    ('(eof-object? "")', "#f"),
    # port predicates
    ('(port? (open-input-string ""))', "#t"),
    ("(port? (current-output-port))", "#t"),
    ('(port? "x")', "#f"),
    ('(input-port? (open-input-string ""))', "#t"),
    ("(input-port? (open-output-string))", "#f"),
    ("(input-port? 5)", "#f"),
    ("(output-port? (open-output-string))", "#t"),
    ("(output-port? (current-output-port))", "#t"),
    ("(output-port? (current-error-port))", "#t"),
    ('(output-port? (open-input-string ""))', "#f"),
    ('(textual-port? (open-input-string ""))', "#t"),
    ("(textual-port? (current-output-port))", "#t"),
    ("(textual-port? (open-output-bytevector))", "#f"),
    ('(binary-port? (open-input-string ""))', "#f"),
    ("(binary-port? (open-input-bytevector #u8(1)))", "#t"),
    ("(binary-port? 'port)", "#f"),
    # open and closed
    ('(input-port-open? (open-input-string ""))', "#t"),
    ('(let ((p (open-input-string "x"))) (close-port p) (input-port-open? p))', "#f"),
    ('(let ((p (open-input-string "x"))) (close-input-port p) (input-port-open? p))', "#f"),
    ("(output-port-open? (open-output-string))", "#t"),
    ("(let ((p (open-output-string))) (close-output-port p) (output-port-open? p))", "#f"),
    ("(let ((p (open-output-string))) (close-port p) (close-port p) (output-port-open? p))", "#f"),
    ('(let ((p (open-input-string "x"))) (close-input-port p) (read-char p))', SchemeError),
    ('(let ((p (open-input-string "x"))) (close-port p) (read p))', SchemeError),
    ("(let ((p (open-output-string))) (close-port p) (write 1 p))", SchemeError),
    ("(let ((p (open-output-string))) (close-port p) (newline p))", SchemeError),
    ("(close-input-port (open-output-string))", WrongTypeError),
    ('(close-output-port (open-input-string ""))', WrongTypeError),
    ("(input-port-open? (open-output-string))", WrongTypeError),
    ('(output-port-open? (open-input-string ""))', WrongTypeError),
    ("(close-port 5)", WrongTypeError),
    # wrong types
    ('(display 1 (open-input-string ""))', WrongTypeError),
    ("(write 1 5)", WrongTypeError),
    ("(newline 'p)", WrongTypeError),
    ("(read-char (open-output-string))", WrongTypeError),
    ('(peek-char "abc")', WrongTypeError),
    ("(read-line (open-input-bytevector #u8(65)))", WrongTypeError),
    ('(write-char "a")', WrongTypeError),
    ("(write-string #\\a)", WrongTypeError),
    ('(write-string "abc" (current-output-port) 2 1)', WrongTypeError),
    ('(write-string "abc" (current-output-port) 4)', WrongTypeError),
    ('(write-string "abc" (current-output-port) -1)', WrongTypeError),
    ('(display "x" (open-output-bytevector))', WrongTypeError),
    ('(get-output-string (open-input-string ""))', WrongTypeError),
    ("(get-output-string (current-output-port))", WrongTypeError),
    ("(open-input-string 'a)", WrongTypeError),
    # bytevector ports
    (
        "(let ((p (open-output-bytevector))) (write-u8 1 p) (write-bytevector #u8(2 3 4) p 1)"
        " (get-output-bytevector p))",
        "#u8(1 3 4)",
    ),
    (
        "(let ((p (open-output-bytevector))) (write-bytevector #u8(5 6 7) p 0 2)"
        " (get-output-bytevector p))",
        "#u8(5 6)",
    ),
    ("(get-output-bytevector (open-output-bytevector))", "#u8()"),
    (
        "(let* ((p (open-input-bytevector #u8(1 2 3))) (a (read-u8 p)) (b (peek-u8 p))"
        " (c (read-bytevector 5 p)) (d (read-u8 p)) (e (peek-u8 p)))"
        " (list a b c (eof-object? d) (eof-object? e)))",
        "(1 2 #u8(2 3) #t #t)",
    ),
    (
        "(let* ((p (open-input-bytevector #u8(7 8 9))) (b (make-bytevector 4 0))"
        " (n (read-bytevector! b p 1)) (m (read-bytevector! b p))) (list n b (eof-object? m)))",
        "(3 #u8(0 7 8 9) #t)",
    ),
    (
        "(let* ((p (open-input-bytevector #u8(7 8 9))) (b (make-bytevector 4 0))"
        " (n (read-bytevector! b p 0 2))) (list n b))",
        "(2 #u8(7 8 0 0))",
    ),
    ("(eof-object? (read-bytevector 1 (open-input-bytevector #u8())))", "#t"),
    ("(read-bytevector 0 (open-input-bytevector #u8()))", "#u8()"),
    ("(u8-ready? (open-input-bytevector #u8()))", "#t"),
    (
        "(let* ((b (bytevector 1 2)) (p (open-input-bytevector b)))"
        " (bytevector-u8-set! b 0 9) (read-u8 p))",
        "1",
    ),
    ("(write-u8 256 (open-output-bytevector))", WrongTypeError),
    ("(write-u8 1 (open-output-string))", WrongTypeError),
    ("(write-u8 1)", WrongTypeError),
    ('(read-u8 (open-input-string "a"))', WrongTypeError),
    ("(read-bytevector! (bytevector 1) (open-input-bytevector #u8(1)) 2)", WrongTypeError),
    ("(get-output-bytevector (open-output-string))", WrongTypeError),
    ('(open-input-bytevector "ab")', WrongTypeError),
]


@pytest.fixture(scope="module")
def session() -> tuple[Interpreter, io.StringIO]:
    out = io.StringIO()
    return Interpreter(output=out), out


@pytest.mark.parametrize("expr, printed", OUTPUT)
def test_output(session: tuple[Interpreter, io.StringIO], expr: str, printed: str) -> None:
    interp, out = session
    out.seek(0)
    out.truncate()
    interp.eval_string(expr)
    assert out.getvalue() == printed


@pytest.mark.parametrize("expr, expected", VALUES)
def test_port_values(session: tuple[Interpreter, io.StringIO], expr: str, expected: object) -> None:
    interp, _ = session
    if isinstance(expected, type):
        with pytest.raises(expected):
            interp.eval_string(expr)
    else:
        assert write_string(interp.eval_string(expr)) == expected


def test_write_shared_labels_all_sharing(session: tuple[Interpreter, io.StringIO]) -> None:
    interp, out = session
    out.seek(0)
    out.truncate()
    interp.eval_string("(let ((x (list 1))) (write-shared (list x x)))")
    assert out.getvalue() == "(#0=(1) #0#)"


def test_closing_the_current_output_port() -> None:
    out = io.StringIO()
    interp = Interpreter(output=out)
    interp.eval_string('(display "before")')
    # The host owns its output port: closing it from guest code only flushes it (issue 16:
    # a guest could otherwise silence the interpreter for its whole lifetime).
    interp.eval_string('(close-port (current-output-port)) (display " after")')
    interp.eval_string("(close-output-port (current-error-port))")
    assert interp.eval_string("(output-port-open? (current-output-port))") is TRUE
    assert out.getvalue() == "before after"
    assert not out.closed  # the host's stream stays usable


def test_error_messages() -> None:
    interp = Interpreter(output=io.StringIO())
    with pytest.raises(WrongTypeError, match="read-char: expected a textual input port"):
        interp.eval_string("(read-char (open-output-string))")
    with pytest.raises(WrongTypeError, match="write-string: end index 1 out of range 2..3"):
        interp.eval_string('(write-string "abc" (current-output-port) 2 1)')


def test_parameters_and_primitives_are_per_interpreter() -> None:
    out, err = io.StringIO(), io.StringIO()
    params = make_port_parameters(out, err)
    prims = io_primitives(params)
    assert isinstance(params["current-output-port"].value, TextStreamPort)
    assert isinstance(params["current-input-port"].value, StringInputPort)
    prims["display"].fn(MString("to out"))
    prims["write"].fn(MString("to err"), params["current-error-port"].value)
    assert (out.getvalue(), err.getvalue()) == ("to out", '"to err"')
    # redirecting the parameter (what parameterize does) redirects the default port
    redirected = StringOutputPort()
    params["current-output-port"].value = redirected
    prims["newline"].fn()
    assert redirected.getvalue() == "\n" and out.getvalue() == "to out"
    # arity comes from the signature, without the parameters argument
    assert (prims["write-string"].min_args, prims["write-string"].max_args) == (1, 4)
    assert (prims["newline"].min_args, prims["newline"].max_args) == (0, 1)
    assert prims["read-string"].name == "read-string"
    other = io_primitives(make_port_parameters(io.StringIO(), io.StringIO()))
    assert other["display"] is not prims["display"]
