"""First-class continuations, dynamic-wind and exceptions: the classics.

Each program runs in a fresh interpreter; the expected value is what `write` prints.
Re-entry tests capture a continuation inside map, for-each, apply or a let initialiser,
leave, and jump back in several times after its extent has ended.
"""

import pytest

from scheme import (
    ArityError,
    Interpreter,
    SchemeError,
    SchemeRaise,
    Symbol,
    UnboundVariableError,
    WrongTypeError,
    write_string,
)


def run(program: str) -> str:
    return write_string(Interpreter().eval_string(program))


# -- re-entry ----------------------------------------------------------------------------

REENTRY = [
    # map: the list is rebuilt fresh on every return through the continuation, so mutating
    # the first result does not show in the later ones
    (
        """(let ((k #f) (results '()))
             (let ((v (map (lambda (x) (if (= x 2) (call/cc (lambda (c) (set! k c) x)) x))
                           '(1 2 3))))
               (set! results (cons v results))
               (if (= (length results) 1) (set-car! v 'mutated))
               (if (< (length results) 3) (k (* 10 (length results))) (reverse results))))""",
        "((mutated 2 3) (1 10 3) (1 20 3))",
    ),
    # the continuation captured at the first element sees the rest of map again
    (
        """(let ((k* #f) (results '()))
             (let ((v (map (lambda (x) (call/cc (lambda (c) (set! k* (or k* c)) x)))
                           '(1 2 3))))
               (set! results (cons v results))
               (if (< (length results) 3) (k* (* 100 (length results))) results)))""",
        "((200 2 3) (100 2 3) (1 2 3))",
    ),
    # map over two lists, re-entered
    (
        """(let ((k #f) (n 0))
             (let ((v (map (lambda (a b) (+ a (call/cc (lambda (c) (if (= a 1) (set! k c)) b))))
                           '(1 2) '(10 20))))
               (set! n (+ n 1))
               (if (= n 1) (k 1000) (list n v))))""",
        "(2 (1001 22))",
    ),
    # for-each: the elements after the capture point run again
    (
        """(let ((k #f) (trace '()) (n 0))
             (for-each (lambda (x)
                         (call/cc (lambda (c) (if (= x 2) (set! k c))))
                         (set! trace (cons x trace)))
                       '(1 2 3))
             (set! n (+ n 1))
             (if (< n 3) (k #f) (reverse trace)))""",
        "(1 2 3 2 3 2 3)",
    ),
    # vector-map and string-map run on the machine too
    (
        """(let ((k #f) (results '()))
             (let ((v (vector-map (lambda (x) (call/cc (lambda (c) (if (= x 1) (set! k c)) x)))
                                  #(0 1 2))))
               (set! results (cons v results))
               (if (< (length results) 2) (k 'again) (reverse results))))""",
        "(#(0 1 2) #(0 again 2))",
    ),
    # apply: an argument computed by a re-entered continuation
    (
        """(let ((k #f) (results '()))
             (let ((v (apply + 1 (call/cc (lambda (c) (set! k c) 10)) '(100))))
               (set! results (cons v results))
               (if (< (length results) 3) (k (* 1000 (length results))) (reverse results))))""",
        "(111 1101 2101)",
    ),
    # apply: a continuation captured inside the applied procedure
    (
        """(let ((k #f) (results '()))
             (let ((v (apply (lambda args (call/cc (lambda (c) (set! k c) (length args))))
                             '(a b c))))
               (set! results (cons v results))
               (if (< (length results) 3) (k (* 10 (length results))) (reverse results))))""",
        "(3 10 20)",
    ),
    # a let initialiser: the other initialisers keep their values
    (
        """(let ((k #f) (results '()))
             (let ((a 1) (b (call/cc (lambda (c) (set! k c) 2))) (c 3))
               (set! results (cons (list a b c) results))
               (if (< (length results) 3) (k (* 10 (length results))) (reverse results))))""",
        "((1 2 3) (1 10 3) (1 20 3))",
    ),
    # an argument of an ordinary call
    (
        """(let ((k #f) (n 0))
             (let ((v (list 'a (call/cc (lambda (c) (set! k c) 0)) 'z)))
               (set! n (+ n 1))
               (if (< n 4) (k n) v)))""",
        "(a 3 z)",
    ),
    # re-entering after the procedure that captured returned
    (
        """(define r #f)
           (define (capture) (+ 1 (call/cc (lambda (k) (set! r k) 1))))
           (define results '())
           (define (go) (let ((v (capture)))
                          (set! results (cons v results))
                          (if (< v 10) (r (* v 2)) (reverse results))))
           (go)""",
        "(2 5 11)",
    ),
]


@pytest.mark.parametrize("program, expected", REENTRY)
def test_reentry(program: str, expected: str) -> None:
    assert run(program) == expected


# -- escapes and generators --------------------------------------------------------------

ESCAPES = [
    ("(call/cc (lambda (c) (0 (c 1))))", "1"),
    ("(call-with-current-continuation (lambda (c) (0 (c 1))))", "1"),
    ("(+ 1 (call/cc (lambda (k) (+ 10 (k 1)))))", "2"),
    ("(call/cc (lambda (k) 5))", "5"),
    (
        "(call-with-current-continuation (lambda (exit) (for-each (lambda (x)"
        " (if (negative? x) (exit x))) '(54 0 37 -3 245 19)) #t))",
        "-3",
    ),
    (
        "(define (list-length obj) (call/cc (lambda (return) (letrec ((r (lambda (obj)"
        " (cond ((null? obj) 0) ((pair? obj) (+ (r (cdr obj)) 1)) (else (return #f))))))"
        " (r obj))))) (list (list-length '(1 2 3 4)) (list-length '(a b . c)))",
        "(4 #f)",
    ),
    # a continuation receives several values
    ("(call-with-values (lambda () (call/cc (lambda (k) (k 1 2)))) list)", "(1 2)"),
    ("(call-with-values (lambda () (call/cc (lambda (k) (k)))) list)", "()"),
    # escaping from deep recursion
    (
        "(define (find-deep n) (call/cc (lambda (k) (let loop ((i 0))"
        " (if (= i n) (k 'found) (+ 1 (loop (+ i 1)))))))) (find-deep 100000)",
        "found",
    ),
    ("(procedure? (call/cc (lambda (k) k)))", "#t"),
    ("(call/cc 1)", WrongTypeError),
    ("(call/cc)", ArityError),
    ("(call/cc (lambda () 1))", ArityError),
]


@pytest.mark.parametrize("program, expected", ESCAPES)
def test_escapes(program: str, expected: object) -> None:
    if isinstance(expected, type):
        with pytest.raises(expected):
            run(program)
    else:
        assert run(program) == expected


GENERATOR = """
(define (make-generator walk)
  ;; walk calls (yield x) for each element; the generator returns them one per call
  (define return #f)
  (define resume #f)
  (define (yield x) (call/cc (lambda (k) (set! resume k) (return x))))
  (lambda ()
    (call/cc
      (lambda (r)
        (set! return r)
        (if resume
            (resume 'go)
            (begin (walk yield) (return 'done)))))))

(define (tree-walker tree)
  (lambda (yield)
    (let walk ((t tree))
      (cond ((null? t) 'skip)
            ((pair? t) (walk (car t)) (walk (cdr t)))
            (else (yield t))))))

(define (collect gen)
  (let loop ((acc '()))
    (let ((x (gen)))
      (if (eq? x 'done) (reverse acc) (loop (cons x acc))))))
"""


def test_generator_walks_a_tree_lazily() -> None:
    interp = Interpreter()
    interp.eval_string(GENERATOR)
    assert (
        write_string(
            interp.eval_string("(collect (make-generator (tree-walker '((a b) (c (d)) e))))")
        )
        == "(a b c d e)"
    )


def test_two_generators_interleave_same_fringe() -> None:
    interp = Interpreter()
    interp.eval_string(GENERATOR)
    interp.eval_string(
        """(define (same-fringe? t1 t2)
             (let ((g1 (make-generator (tree-walker t1)))
                   (g2 (make-generator (tree-walker t2))))
               (let loop ()
                 (let ((a (g1)) (b (g2)))
                   (cond ((not (eqv? a b)) #f)
                         ((eq? a 'done) #t)
                         (else (loop)))))))"""
    )
    assert write_string(interp.eval_string("(same-fringe? '(1 (2 3)) '((1 2) 3))")) == "#t"
    assert write_string(interp.eval_string("(same-fringe? '(1 (2 3)) '((1 2) 4))")) == "#f"


def test_generator_of_100k_elements_runs_in_constant_space() -> None:
    interp = Interpreter(max_depth=1000)
    interp.eval_string(GENERATOR)
    program = """
      (define gen (make-generator (lambda (yield)
                    (let loop ((i 0)) (when (< i 100000) (yield i) (loop (+ i 1)))))))
      (let loop ((sum 0))
        (let ((x (gen)))
          (if (eq? x 'done) sum (loop (+ sum x)))))"""
    assert interp.eval_string(program) == sum(range(100000))


AMB = """
(define fail-stack '())
(define (fail)
  (if (null? fail-stack)
      (error "no more choices")
      (let ((back (car fail-stack)))
        (set! fail-stack (cdr fail-stack))
        (back back))))
(define (amb choices)
  (let ((cc (call/cc (lambda (k) k))))
    (if (null? choices)
        (fail)
        (let ((choice (car choices)))
          (set! choices (cdr choices))
          (set! fail-stack (cons cc fail-stack))
          choice))))
(define (require p) (if (not p) (fail)))
(define (distinct? xs)
  (cond ((null? xs) #t)
        ((member (car xs) (cdr xs)) #f)
        (else (distinct? (cdr xs)))))
"""


def test_amb_solves_the_multiple_dwelling_puzzle() -> None:
    # SICP 4.3.2: Baker, Cooper, Fletcher, Miller and Smith live on floors 1..5
    interp = Interpreter()
    interp.eval_string(AMB)
    program = """
      (let* ((baker (amb '(1 2 3 4 5))) (cooper (amb '(1 2 3 4 5)))
             (fletcher (amb '(1 2 3 4 5))) (miller (amb '(1 2 3 4 5)))
             (smith (amb '(1 2 3 4 5))))
        (require (distinct? (list baker cooper fletcher miller smith)))
        (require (not (= baker 5)))
        (require (not (= cooper 1)))
        (require (not (= fletcher 5)))
        (require (not (= fletcher 1)))
        (require (> miller cooper))
        (require (not (= (abs (- smith fletcher)) 1)))
        (require (not (= (abs (- fletcher cooper)) 1)))
        (list (list 'baker baker) (list 'cooper cooper) (list 'fletcher fletcher)
              (list 'miller miller) (list 'smith smith)))"""
    assert write_string(interp.eval_string(program)) == (
        "((baker 3) (cooper 2) (fletcher 4) (miller 5) (smith 1))"
    )


def test_amb_enumerates_every_solution_then_fails() -> None:
    interp = Interpreter()
    interp.eval_string(AMB)
    program = """
      (define solutions '())
      (define (pythagorean)
        (let* ((a (amb '(1 2 3 4 5 6 7 8 9 10 11 12)))
               (b (amb '(1 2 3 4 5 6 7 8 9 10 11 12)))
               (c (amb '(1 2 3 4 5 6 7 8 9 10 11 12 13))))
          (require (< a b))
          (require (= (+ (* a a) (* b b)) (* c c)))
          (set! solutions (cons (list a b c) solutions))
          (fail)))
      (guard (e ((error-object? e) (reverse solutions))) (pythagorean))"""
    assert write_string(interp.eval_string(program)) == "((3 4 5) (5 12 13) (6 8 10))"


# -- dynamic-wind ------------------------------------------------------------------------

WIND = [
    # normal entry and exit
    (
        "(let ((t '())) (dynamic-wind (lambda () (set! t (cons 'before t)))"
        " (lambda () (set! t (cons 'during t))) (lambda () (set! t (cons 'after t))))"
        " (reverse t))",
        "(before during after)",
    ),
    ("(dynamic-wind (lambda () 1) (lambda () 'value) (lambda () 3))", "value"),
    # escape runs after; re-entry runs before again (R7RS 6.10 example)
    (
        "(let ((path '()) (c #f)) (let ((add (lambda (s) (set! path (cons s path)))))"
        " (dynamic-wind (lambda () (add 'connect))"
        " (lambda () (add (call/cc (lambda (c0) (set! c c0) 'talk1))))"
        " (lambda () (add 'disconnect)))"
        " (if (< (length path) 4) (c 'talk2) (reverse path))))",
        "(connect talk1 disconnect connect talk2 disconnect)",
    ),
    # escaping out of nested extents runs the afters innermost first
    (
        "(let ((t '())) (define (note x) (set! t (cons x t)))"
        " (call/cc (lambda (k) (dynamic-wind (lambda () (note 'in1))"
        " (lambda () (dynamic-wind (lambda () (note 'in2)) (lambda () (k 'out))"
        " (lambda () (note 'out2)))) (lambda () (note 'out1)))))"
        " (reverse t))",
        "(in1 in2 out2 out1)",
    ),
    # re-entering nested extents runs the befores outermost first
    (
        "(let ((t '()) (k #f) (n 0)) (define (note x) (set! t (cons x t)))"
        " (dynamic-wind (lambda () (note 'in1))"
        " (lambda () (dynamic-wind (lambda () (note 'in2))"
        " (lambda () (call/cc (lambda (c) (set! k c))) (note 'body))"
        " (lambda () (note 'out2)))) (lambda () (note 'out1)))"
        " (set! n (+ n 1)) (if (< n 2) (k #f) (reverse t)))",
        "(in1 in2 body out2 out1 in1 in2 body out2 out1)",
    ),
    # jumping between two sibling extents leaves one and enters the other
    (
        "(let ((t '()) (ka #f) (n 0)) (define (note x) (set! t (cons x t)))"
        " (dynamic-wind (lambda () (note 'a-in))"
        " (lambda () (call/cc (lambda (c) (set! ka c))) (note 'a))"
        " (lambda () (note 'a-out)))"
        " (dynamic-wind (lambda () (note 'b-in))"
        " (lambda () (set! n (+ n 1)) (if (= n 1) (ka #f)) (note 'b))"
        " (lambda () (note 'b-out)))"
        " (reverse t))",
        "(a-in a a-out b-in b-out a-in a a-out b-in b b-out)",
    ),
    # an error escaping to a guard runs the after thunk
    (
        "(let ((t '())) (guard (e (#t (set! t (cons (list 'caught e) t))))"
        " (dynamic-wind (lambda () (set! t (cons 'in t))) (lambda () (raise 'oops))"
        " (lambda () (set! t (cons 'out t))))) (reverse t))",
        "(in out (caught oops))",
    ),
    # raise-continuable handled inside the extent does not leave it
    (
        "(let ((t '())) (with-exception-handler (lambda (e) 10)"
        " (lambda () (dynamic-wind (lambda () (set! t (cons 'in t)))"
        " (lambda () (set! t (cons (raise-continuable 'c) t)))"
        " (lambda () (set! t (cons 'out t)))))) (reverse t))",
        "(in 10 out)",
    ),
    # the before thunk runs outside the extent: escaping from it runs no after
    (
        "(let ((t '())) (call/cc (lambda (k) (dynamic-wind (lambda () (k 'x))"
        " (lambda () (set! t (cons 'during t))) (lambda () (set! t (cons 'after t))))))"
        " t)",
        "()",
    ),
    ("(dynamic-wind (lambda () 1) 2 (lambda () 3))", WrongTypeError),
    ("(dynamic-wind (lambda () 1) (lambda () 2))", ArityError),
]


@pytest.mark.parametrize("program, expected", WIND)
def test_dynamic_wind(program: str, expected: object) -> None:
    if isinstance(expected, type):
        with pytest.raises(expected):
            run(program)
    else:
        assert run(program) == expected


def test_generator_inside_dynamic_wind_reenters_its_extent_each_time() -> None:
    interp = Interpreter()
    interp.eval_string(GENERATOR)
    program = """
      (define trace '())
      (define (note x) (set! trace (cons x trace)))
      (define gen (make-generator (lambda (yield)
                    (dynamic-wind (lambda () (note 'in))
                                  (lambda () (yield 1) (yield 2))
                                  (lambda () (note 'out))))))
      (note (gen)) (note (gen)) (note (gen))
      (reverse trace)"""
    assert write_string(interp.eval_string(program)) == "(in out 1 in out 2 in out done)"


# -- exceptions --------------------------------------------------------------------------

EXCEPTIONS = [
    ("(with-exception-handler (lambda (c) 42) (lambda () (+ (raise-continuable 'oops) 1)))", "43"),
    # the handler runs in the dynamic environment of the raise, minus itself
    (
        "(with-exception-handler (lambda (e) (list 'outer e)) (lambda ()"
        " (with-exception-handler (lambda (e) (raise-continuable (list 'inner e)))"
        " (lambda () (raise-continuable 'x)))))",
        "(outer (inner x))",
    ),
    # a handler returning from a non-continuable raise is itself an error
    ("(with-exception-handler (lambda (c) 42) (lambda () (+ (raise 'oops) 1)))", SchemeError),
    ('(with-exception-handler (lambda (e) 0) (lambda () (error "x")))', SchemeError),
    (
        "(guard (e (#t (error-object-message e))) (with-exception-handler (lambda (c) 42)"
        " (lambda () (raise 'oops))))",
        '"exception handler returned from a non-continuable raise of: oops"',
    ),
    # escaping from a handler with a continuation
    (
        "(call/cc (lambda (k) (with-exception-handler (lambda (c) (k (list 'handled c)))"
        " (lambda () (raise 'boom)))))",
        "(handled boom)",
    ),
    ("(with-exception-handler (lambda (e) 1) (lambda () 'no-raise))", "no-raise"),
    ("(with-exception-handler 1 (lambda () 1))", WrongTypeError),
    # error objects
    ('(guard (e (#t (error-object? e))) (error "msg" 1 2))', "#t"),
    ('(guard (e (#t (error-object-message e))) (error "msg" 1 2))', '"msg"'),
    (
        '(guard (e (#t (error-object-irritants e))) (error "msg" 1 "two" \'three))',
        '(1 "two" three)',
    ),
    ('(guard (e (#t (error-object-irritants e))) (error "msg"))', "()"),
    ("(guard (e (#t (error-object? e))) (raise 5))", "#f"),
    ("(guard (e (#t (error-object? e))) (raise (list 1)))", "#f"),
    ("(error-object-message 5)", WrongTypeError),
    ('(error "top" 1)', SchemeError),
    ("(raise 'uncaught)", SchemeRaise),
    ("(raise-continuable 'uncaught)", SchemeRaise),
    # guard: else, =>, no clause matching re-raises to an outer guard
    ("(guard (e (else 'else-clause)) (raise 1))", "else-clause"),
    ("(guard (e ((memq e '(a b c)) => cdr)) (raise 'b))", "(c)"),
    (
        "(guard (outer (#t (list 'outer outer))) (guard (inner ((number? inner) 'num))"
        " (raise 'sym)))",
        "(outer sym)",
    ),
    (
        "(guard (outer ((string? outer) (list 'outer outer))) (guard (inner ((number? inner)"
        ' (raise "from-inner"))) (raise 1)))',
        '(outer "from-inner")',
    ),
    # re-raise with raise-continuable goes back to the original raise point
    (
        "(with-exception-handler (lambda (e) 10) (lambda () (guard (e (#f 1))"
        " (+ 1 (raise-continuable 5)))))",
        "11",
    ),
    ("(guard (e (#f 1)) (+ 1 (raise-continuable 5)))", SchemeRaise),
    # the guard's body result, several values included
    ("(call-with-values (lambda () (guard (e (#t 0)) (values 1 2))) list)", "(1 2)"),
    # guard clause bodies are in the guard's dynamic environment: the handler is gone
    (
        "(guard (e (#t (list 'outer e))) (guard (e (#t (raise (list 'again e)))) (raise 'first)))",
        "(outer (again first))",
    ),
    # errors raised by primitives are catchable
    (
        "(guard (e ((error-object? e) (error-object-message e))) (car 1))",
        '"car: expected a pair, got 1"',
    ),
    ("(guard (e ((error-object? e) 'caught)) (vector-ref (vector 1) 5))", "caught"),
    ("(guard (e ((error-object? e) 'caught)) (/ 1 0))", "caught"),
    ('(guard (e ((error-object? e) \'caught)) (string-ref "" 0))', "caught"),
    ("(guard (e ((error-object? e) 'caught)) (+ 'a 1))", "caught"),
    ("(guard (e ((error-object? e) 'caught)) (exact (/ 1.0 0)))", "caught"),
    (
        "(guard (e ((error-object? e) (error-object-message e))) (undefined-fn 1))",
        '"unbound variable: undefined-fn"',
    ),
    (
        "(guard (e ((error-object? e) (error-object-message e))) (1 2))",
        '"not a procedure: 1 (called with 1 argument)"',
    ),
    (
        "(guard (e ((error-object? e) (error-object-message e))) ((lambda (x) x)))",
        '"anonymous: expected 1 argument, got 0"',
    ),
    ("(guard (e ((error-object? e) 'caught)) (vector-ref '(1) 0))", "caught"),
    ("(guard (e ((error-object? e) 'caught)) (apply + 1 2))", "caught"),
    (
        "(guard (e ((error-object? e) 'caught)) (let ((x (list 1))) (set-cdr! x x) (length x)))",
        "caught",
    ),
    ("(guard (e ((error-object? e) 'caught)) (eval '(if)))", "caught"),
    ('(guard (e ((read-error? e) \'read-error)) (read (open-input-string "(1 2")))', "read-error"),
    ("(guard (e ((error-object? e) 'caught)) (string->symbol 5))", "caught"),
    # a handler installed by with-exception-handler sees primitive errors too
    (
        "(call/cc (lambda (k) (with-exception-handler (lambda (e) (k (error-object? e)))"
        " (lambda () (car '())))))",
        "#t",
    ),
    # returning from the handler of a primitive's error is an error too
    ("(with-exception-handler (lambda (e) 0) (lambda () (+ 1 (car '()))))", SchemeError),
    # escaping out of a handler's extent through a continuation takes the handler away
    (
        "(begin (call/cc (lambda (k) (with-exception-handler (lambda (e) 'inner)"
        " (lambda () (k 1))))) (raise-continuable 'x))",
        SchemeRaise,
    ),
    (
        "(with-exception-handler (lambda (e) 'outer) (lambda () (list (call/cc (lambda (k)"
        " (with-exception-handler (lambda (e) 'inner) (lambda () (k 1))))) (raise-continuable"
        " 'x))))",
        "(1 outer)",
    ),
]


@pytest.mark.parametrize("program, expected", EXCEPTIONS)
def test_exceptions(program: str, expected: object) -> None:
    if isinstance(expected, type):
        with pytest.raises(expected):
            run(program)
    else:
        assert run(program) == expected


def test_uncaught_raise_carries_the_payload() -> None:
    interp = Interpreter()
    with pytest.raises(SchemeRaise) as info:
        interp.eval_string('(raise (list 1 \'two "three"))')
    assert write_string(info.value.payload) == '(1 two "three")'
    assert str(info.value) == 'uncaught raise: (1 two "three")'


def test_uncaught_error_object_keeps_message_and_irritants() -> None:
    interp = Interpreter()
    with pytest.raises(SchemeError) as info:
        interp.eval_string('(error "out of stock:" \'sku-1 3)')
    assert type(info.value) is SchemeError
    assert info.value.message == "out of stock:"
    assert str(info.value) == "out of stock: sku-1 3"


def test_guard_that_catches_leaves_the_interpreter_usable() -> None:
    interp = Interpreter()
    assert interp.eval_string("(guard (e (#t 'x)) (raise 1))") is Symbol("x")
    with pytest.raises(UnboundVariableError):
        interp.eval_string("(+ 1 nope)")
    # the handler stack from the failed evaluation does not leak into the next one
    with pytest.raises(SchemeRaise):
        interp.eval_string("(raise 'next)")
    assert interp.eval_string("(+ 1 2)") == 3


def test_guard_reraises_in_the_dynamic_environment_of_the_raise() -> None:
    # R7RS 4.2.7: no clause matches, so the condition is raised again (continuably)
    # inside the extent of the original raise: the extent is re-entered, then left
    program = """
      (define t '())
      (define (note x) (set! t (cons x t)))
      (guard (o (#t (note (list 'outer o))))
        (guard (e (#f 1))
          (dynamic-wind (lambda () (note 'in)) (lambda () (raise 'x)) (lambda () (note 'out)))))
      (reverse t)"""
    assert run(program) == "(in out in out (outer x))"


def test_continuation_resumed_by_a_later_evaluation() -> None:
    # each top-level form is its own continuation: resuming one from a later form
    # finishes that earlier form again and yields its value
    interp = Interpreter()
    assert interp.eval_string("(define k #f) (+ 1 (call/cc (lambda (c) (set! k c) 1)))") == 2
    assert interp.eval_string("(k 10)") == 11
    assert interp.eval_string("(* 2 (k 20))") == 21


def test_resuming_a_continuation_from_outside_its_extent_rewinds_it() -> None:
    interp = Interpreter()
    interp.eval_string(
        """(define t '()) (define k #f)
           (dynamic-wind (lambda () (set! t (cons 'in t)))
                         (lambda () (call/cc (lambda (c) (set! k c))) 'body)
                         (lambda () (set! t (cons 'out t))))"""
    )
    assert write_string(interp.eval_string("(k #f)")) == "body"
    assert write_string(interp.eval_string("(reverse t)")) == "(in out in out)"
