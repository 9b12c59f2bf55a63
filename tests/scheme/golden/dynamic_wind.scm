;;; dynamic-wind: the order of before/after thunks on normal exit, escape, re-entry
;;; and errors, printed as a trace.

(define (note . xs) (for-each display xs) (newline))

(define (tracked name thunk)
  (dynamic-wind
   (lambda () (note "enter " name))
   thunk
   (lambda () (note "leave " name))))

(note "-- normal")
(note "result: " (tracked 'a (lambda () (tracked 'b (lambda () 'value)))))

(note "-- escape")
(note "result: "
      (call/cc (lambda (k)
                 (tracked 'outer (lambda ()
                                   (tracked 'inner (lambda () (k 'escaped) 'not-here)))))))

(note "-- re-entry")
(let ((again #f) (visits 0))
  (tracked 'room (lambda ()
                   (call/cc (lambda (k) (set! again k)))
                   (set! visits (+ visits 1))
                   (note "inside, visit " visits)))
  (if (< visits 3) (again 'back))
  (note "visits: " visits))

(note "-- error")
(note "result: "
      (guard (e (#t (list 'caught e)))
        (tracked 'risky (lambda () (raise 'trouble)))))

(note "-- generator across extents")
(define return #f)
(define resume #f)
(define (next)
  (call/cc
   (lambda (r)
     (set! return r)
     (if resume
         (resume 'go)
         (tracked 'producer
                  (lambda ()
                    (call/cc (lambda (k) (set! resume k) (return 1)))
                    (call/cc (lambda (k) (set! resume k) (return 2)))
                    (return 'end)))))))
(note "got " (next))
(note "got " (next))
(note "got " (next))
