;;; Generators built from call/cc: a tree walk that yields its leaves one at a time.

(define (make-generator walk)
  (define return #f)
  (define resume #f)
  (define (yield x)
    (call/cc (lambda (k) (set! resume k) (return x))))
  (lambda ()
    (call/cc
     (lambda (r)
       (set! return r)
       (if resume
           (resume 'go)
           (begin (walk yield) (return 'done)))))))

(define (leaves tree)
  (lambda (yield)
    (let walk ((t tree))
      (cond ((null? t) 'skip)
            ((pair? t) (walk (car t)) (walk (cdr t)))
            (else (yield t))))))

(define gen (make-generator (leaves '((1 2) (3 (4 5)) 6))))
(let loop ((x (gen)))
  (display x)
  (newline)
  (if (not (eq? x 'done)) (loop (gen))))

(define (same-fringe? a b)
  (let ((ga (make-generator (leaves a)))
        (gb (make-generator (leaves b))))
    (let loop ()
      (let ((x (ga)) (y (gb)))
        (cond ((not (equal? x y)) #f)
              ((eq? x 'done) #t)
              (else (loop)))))))

(write (list (same-fringe? '(a (b c)) '((a b) c))
             (same-fringe? '(a (b c)) '((a b) d))
             (same-fringe? '() '())))
(newline)

;; an infinite generator: the first ten squares
(define squares
  (make-generator (lambda (yield)
                    (let loop ((i 1)) (yield (* i i)) (loop (+ i 1))))))
(do ((i 0 (+ i 1))) ((= i 10)) (display (squares)) (display " "))
(newline)
