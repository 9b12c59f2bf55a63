;;; Tail-recursive loops in every shape, each long enough that a leaking frame would show.

(define n 100000)

(define (sum-to n)
  (let loop ((i 0) (acc 0))
    (if (> i n) acc (loop (+ i 1) (+ acc i)))))
(display (sum-to n)) (newline)

(define (count-evens n)
  (do ((i 0 (+ i 1))
       (evens 0 (if (even? i) (+ evens 1) evens)))
      ((= i n) evens)))
(display (count-evens n)) (newline)

(define (even2? n) (if (= n 0) #t (odd2? (- n 1))))
(define (odd2? n) (if (= n 0) #f (even2? (- n 1))))
(write (list (even2? n) (odd2? n))) (newline)

(define (collatz-steps start)
  (let loop ((x start) (steps 0))
    (cond ((= x 1) steps)
          ((even? x) (loop (quotient x 2) (+ steps 1)))
          (else (loop (+ (* 3 x) 1) (+ steps 1))))))
(write (map collatz-steps '(1 7 27 97 871))) (newline)

(define (fib n)
  (let loop ((a 0) (b 1) (i 0))
    (if (= i n) a (loop b (+ a b) (+ i 1)))))
(display (fib 100)) (newline)

(define (digits-sum n)
  (let loop ((n n) (s 0))
    (if (zero? n) s (loop (quotient n 10) (+ s (remainder n 10))))))
(display (digits-sum (expt 2 1000))) (newline)

(define (countdown n)
  (cond ((= n 0) 'liftoff)
        (else (and #t (or #f (when #t (countdown (- n 1))))))))
(display (countdown n)) (newline)

(define (apply-loop n) (if (= n 0) 'applied (apply apply-loop (list (- n 1)))))
(display (apply-loop n)) (newline)

(display (exact->inexact (/ (sum-to 10) 4))) (newline)
