;;; Exceptions: errors from primitives and from user code, caught and described.

(define (describe thunk)
  (guard (e ((error-object? e)
             (display "error: ")
             (display (error-object-message e))
             (for-each (lambda (x) (display " | ") (write x)) (error-object-irritants e))
             (newline))
            ((symbol? e) (display "symbol raised: ") (display e) (newline))
            (else (display "something else: ") (write e) (newline)))
    (let ((v (thunk)))
      (display "value: ")
      (write v)
      (newline))))

(describe (lambda () (+ 1 2)))
(describe (lambda () (car '())))
(describe (lambda () (vector-ref (vector 1 2 3) 3)))
(describe (lambda () (error "order rejected:" 'sku-7 "out of stock" 0)))
(describe (lambda () (raise 'cancelled)))
(describe (lambda () (raise (list 1 2))))
(describe (lambda () (undefined-procedure 1)))
(describe (lambda () ((lambda (a b) a) 1)))
(describe (lambda () (string-append "a" 'b)))

;; raise-continuable: the handler's value replaces the raise
(display (with-exception-handler
          (lambda (c) (if (number? c) (* c 100) 0))
          (lambda () (+ 1 (raise-continuable 2) (raise-continuable 'x)))))
(newline)

;; a handler chain: the inner handler passes the condition on, wrapped
(display (call/cc
          (lambda (k)
            (with-exception-handler
             (lambda (outer) (k (list 'outer-saw outer)))
             (lambda ()
               (with-exception-handler
                (lambda (inner) (raise (list 'wrapped inner)))
                (lambda () (raise 'original))))))))
(newline)
