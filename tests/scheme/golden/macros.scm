;;; syntax-rules macros: control structures, hygiene and recursion.

(define-syntax while
  (syntax-rules ()
    ((_ test body ...) (let loop () (when test body ... (loop))))))

(define-syntax for
  (syntax-rules (in from to)
    ((_ x in lst body ...) (for-each (lambda (x) body ...) lst))
    ((_ x from a to b body ...) (do ((x a (+ x 1))) ((> x b)) body ...))))

(define-syntax swap!
  (syntax-rules ()
    ((_ a b) (let ((tmp a)) (set! a b) (set! b tmp)))))

(define-syntax my-or
  (syntax-rules ()
    ((_) #f)
    ((_ e) e)
    ((_ e r ...) (let ((t e)) (if t t (my-or r ...))))))

(define-syntax unless-zero
  (syntax-rules ()
    ((_ n body ...) (if (= n 0) 'zero (begin body ...)))))

(define i 0)
(define total 0)
(while (< i 10) (set! total (+ total i)) (set! i (+ i 1)))
(write total) (newline)

(for x in '(a b c) (display x) (display " "))
(newline)
(for k from 1 to 5 (display (* k k)) (display " "))
(newline)

(define tmp 'mine)
(define other 'theirs)
(swap! tmp other)
(write (list tmp other)) (newline)

(define t 'user-t)
(write (my-or #f t)) (newline)
(write (let ((if list)) (my-or #f #f 'last))) (newline)

(write (list (unless-zero 0 'never) (unless-zero 3 'ran))) (newline)

(define-syntax my-let*
  (syntax-rules ()
    ((_ () body ...) (let () body ...))
    ((_ ((x v) rest ...) body ...) (let ((x v)) (my-let* (rest ...) body ...)))))
(write (my-let* ((a 1) (b (+ a 1)) (c (* b 10))) (list a b c))) (newline)

(define-syntax table
  (syntax-rules ()
    ((_ (key val ...) ...) '((key . (val ...)) ...))))
(write (table (fruit apple pear) (veg leek) (none))) (newline)
