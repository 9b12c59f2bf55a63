;; (geometry shapes): imports (geometry point) with a prefix; cond-expand on features.
(define-library (geometry shapes)
  (export square-corners perimeter shapes-loaded-count)
  (import (scheme base) (prefix (geometry point) p:))
  (cond-expand
    ((and r7rs ratios) (begin (define half 1/2)))
    (else (begin (define half 0.5))))
  (begin
    (define shapes-loaded-count 0)
    (set! shapes-loaded-count (+ shapes-loaded-count 1))
    (define (square-corners origin side)
      (list origin
            (p:add origin (p:make-point side 0))
            (p:add origin (p:make-point side side))
            (p:add origin (p:make-point 0 side))))
    (define (perimeter side) (* 4 side half 2))))
