"""Proper tail calls in every R7RS tail position, and no Python recursion anywhere.

Each loop runs with a continuation cap of 1,000 frames (Interpreter(max_depth=1000)): a
call that was not a proper tail call would leave a frame per iteration and stop the loop
with DepthLimitError within the first thousand iterations. 100,000 iterations therefore
prove constant continuation size as well as a million would; one loop does run a million.
"""

import pytest

from scheme import DepthLimitError, Interpreter, Symbol, write_string

N = 100_000

# position -> a definition of (f n) that must loop n times in constant space
TAIL_POSITIONS = {
    "if": "(define (f n) (if (= n 0) 'done (f (- n 1))))",
    "if-else-branch": "(define (f n) (if (> n 0) (f (- n 1)) 'done))",
    "cond": "(define (f n) (cond ((= n 0) 'done) (else (f (- n 1)))))",
    "cond-clause": "(define (f n) (cond ((= n 0) 'done) ((> n 0) 'step (f (- n 1)))))",
    "cond =>": "(define (f n) (cond ((= n 0) 'done) ((- n 1) => f)))",
    "case": "(define (f n) (case (if (= n 0) 0 1) ((0) 'done) (else (f (- n 1)))))",
    "case clause": "(define (f n) (case (if (= n 0) 0 1) ((0) 'done) ((1) (f (- n 1)))))",
    "case =>": (
        "(define (f n) (case (if (= n 0) 0 1) ((0) 'done) (else => (lambda (k) (f (- n k))))))"
    ),
    "and": "(define (f n) (if (= n 0) 'done (and #t (f (- n 1)))))",
    "or": "(define (f n) (if (= n 0) 'done (or #f (f (- n 1)))))",
    "when": "(define (f n) (if (= n 0) 'done (when #t (f (- n 1)))))",
    "unless": "(define (f n) (if (= n 0) 'done (unless #f (f (- n 1)))))",
    "let": "(define (f n) (if (= n 0) 'done (let ((m (- n 1))) (f m))))",
    "let*": "(define (f n) (if (= n 0) 'done (let* ((m n) (m (- m 1))) (f m))))",
    "letrec": "(define (f n) (if (= n 0) 'done (letrec ((m (- n 1))) (f m))))",
    "letrec*": "(define (f n) (if (= n 0) 'done (letrec* ((m (- n 1))) (f m))))",
    "named let": "(define (f n) (let loop ((i n)) (if (= i 0) 'done (loop (- i 1)))))",
    "do": "(define (f n) (do ((i n (- i 1))) ((= i 0) 'done)))",
    "do result": "(define (f n) (do ((i 0 (+ i 1))) (#t (if (= n 0) 'done (f (- n 1))))))",
    "begin": "(define (f n) (if (= n 0) 'done (begin 'x (f (- n 1)))))",
    "lambda body": "(define (f n) (define m (- n 1)) (if (< m 0) 'done (f m)))",
    "apply": "(define (f n) (if (= n 0) 'done (apply f (list (- n 1)))))",
    "mutual recursion": "(define (f n) (if (= n 0) 'done (g (- n 1)))) (define (g n) (f n))",
    "let-values": "(define (f n) (if (= n 0) 'done (let-values (((m) (- n 1))) (f m))))",
    "case-lambda": "(define f (case-lambda ((n) (if (= n 0) 'done (f (- n 1) 'x))) ((n x) (f n))))",
    "call/cc": "(define (f n) (if (= n 0) 'done (call/cc (lambda (k) (f (- n 1))))))",
    "call-with-values": (
        "(define (f n) (if (= n 0) 'done (call-with-values (lambda () (- n 1)) f)))"
    ),
    "guard clause": "(define (f n) (if (= n 0) 'done (guard (e (#t (f (- n 1)))) (raise 'x))))",
}


@pytest.mark.parametrize("position", list(TAIL_POSITIONS))
def test_tail_call_in_constant_space(position: str) -> None:
    interp = Interpreter(max_depth=1000)
    interp.eval_string(TAIL_POSITIONS[position])
    n = N // 5 if position == "guard clause" else N  # each guard costs ~25 us
    assert write_string(interp.eval_string(f"(f {n})")) == "done"


def test_a_million_iteration_tail_loop() -> None:
    interp = Interpreter(max_depth=1000)
    interp.eval_string("(define (count-up n) (let loop ((i 0)) (if (< i n) (loop (+ i 1)) i)))")
    assert interp.eval_string("(count-up 1000000)") == 1_000_000


# The same shapes with the call moved out of tail position must hit the cap: this is
# what makes the tests above able to fail.
NOT_TAIL = [
    "(define (f n) (if (= n 0) 'done (begin (f (- n 1)) 'done)))",
    "(define (f n) (if (= n 0) 'done (let ((r (f (- n 1)))) r)))",
    "(define (f n) (if (= n 0) 'done (or (f (- n 1)) #f)))",
    "(define (f n) (if (= n 0) 'done (and (f (- n 1)) 'done)))",
    "(define (f n) (if (= n 0) 'done (car (list (f (- n 1))))))",
    "(define (f n) (cond ((= n 0) 'done) ((f (- n 1)) => (lambda (x) x))))",
]


@pytest.mark.parametrize("program", NOT_TAIL)
def test_non_tail_calls_grow_the_continuation(program: str) -> None:
    interp = Interpreter(max_depth=1000)
    interp.eval_string(program)
    assert write_string(interp.eval_string("(f 400)")) == "done"
    with pytest.raises(DepthLimitError):
        interp.eval_string("(f 5000)")


def test_million_deep_non_tail_recursion() -> None:
    interp = Interpreter()
    interp.eval_string("(define (deep n) (if (= n 0) 0 (+ 1 (deep (- n 1)))))")
    assert interp.eval_string("(deep 1000000)") == 1_000_000


def test_deep_recursion_building_a_list_with_map() -> None:
    # map from the prelude is itself non-tail recursive: 100,000 elements, no RecursionError
    interp = Interpreter()
    interp.eval_string(
        "(define big (let loop ((i 0) (acc '()))"
        " (if (= i 100000) acc (loop (+ i 1) (cons i acc)))))"
    )
    assert interp.eval_string("(length (map (lambda (x) (* x x)) big))") == 100_000
    assert interp.eval_string("(car (map + big big))") == 2 * 99_999


NEST = "(define (nest n) (let loop ((i 0) (acc '())) (if (= i n) acc (loop (+ i 1) (list acc)))))"


def test_equal_on_deep_structures() -> None:
    interp = Interpreter()
    interp.eval_string(NEST)
    assert write_string(interp.eval_string("(equal? (nest 100000) (nest 100000))")) == "#t"
    assert write_string(interp.eval_string("(equal? (nest 100000) (nest 99999))")) == "#f"
    deep_vectors = (
        "(define (vnest n) (let loop ((i 0) (acc 0)) (if (= i n) acc (loop (+ i 1) (vector acc)))))"
    )
    interp.eval_string(deep_vectors)
    assert write_string(interp.eval_string("(equal? (vnest 100000) (vnest 100000))")) == "#t"


def test_write_and_display_of_deep_structures() -> None:
    interp = Interpreter()
    interp.eval_string(NEST)
    text = write_string(interp.eval_string("(nest 100000)"))
    assert text == "(" * 100001 + ")" * 100001  # (nest 0) is ()
    s = interp.eval_string(
        "(let ((p (open-output-string))) (display (nest 100000) p) (get-output-string p))"
    )
    assert s.s == text


def test_reading_deep_structures_through_a_string_port() -> None:
    interp = Interpreter()
    interp.eval_string(NEST)
    program = (
        "(let ((p (open-output-string))) (write (nest 100000) p)"
        " (equal? (read (open-input-string (get-output-string p))) (nest 100000)))"
    )
    assert write_string(interp.eval_string(program)) == "#t"


def test_deep_quoted_literal_compiles_and_evaluates() -> None:
    interp = Interpreter()
    depth = 100_000
    value = interp.eval_string("(quote " + "(" * depth + "x" + ")" * depth + ")")
    n = 0
    while type(value).__name__ == "Pair":
        value = value.car
        n += 1
    assert n == depth
    assert value is Symbol("x")


def test_deeply_nested_code_compiles_and_runs() -> None:
    interp = Interpreter()
    depth = 20_000
    assert interp.eval_string("(+ 1 " * depth + "0" + ")" * depth) == depth
