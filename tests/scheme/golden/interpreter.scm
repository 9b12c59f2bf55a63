;;; A small interpreter for a Scheme subset, written in Scheme: numbers, symbols,
;;; quote, if, lambda (one body), let, and primitive application.

(define (lookup var env)
  (cond ((null? env) (error "unbound in mini interpreter:" var))
        ((assq var (car env)) => cdr)
        (else (lookup var (cdr env)))))

(define (extend env vars vals)
  (cons (map cons vars vals) env))

(define (m-eval expr env)
  (cond ((number? expr) expr)
        ((boolean? expr) expr)
        ((symbol? expr) (lookup expr env))
        ((pair? expr)
         (case (car expr)
           ((quote) (cadr expr))
           ((if) (if (m-eval (cadr expr) env)
                     (m-eval (caddr expr) env)
                     (m-eval (cadddr expr) env)))
           ((lambda) (list 'closure (cadr expr) (caddr expr) env))
           ((let) (m-eval `((lambda ,(map car (cadr expr)) ,(caddr expr))
                            ,@(map cadr (cadr expr)))
                          env))
           (else (m-apply (m-eval (car expr) env)
                          (map (lambda (e) (m-eval e env)) (cdr expr))))))
        (else (error "bad expression" expr))))

(define (m-apply f args)
  (cond ((procedure? f) (apply f args))
        ((and (pair? f) (eq? (car f) 'closure))
         (m-eval (caddr f) (extend (cadddr f) (cadr f) args)))
        (else (error "not applicable" f))))

(define global
  (extend '() '(+ - * < = cons car cdr null?) (list + - * < = cons car cdr null?)))

(define programs
  '((+ 1 2)
    ((lambda (x y) (* x y)) 6 7)
    (let ((x 5)) (if (< x 3) 'small 'big))
    (((lambda (f) (lambda (x) (f (f x)))) (lambda (n) (* n 3))) 2)
    ;; factorial through a self-applied lambda (no define in the subset)
    (let ((fact (lambda (self n) (if (= n 0) 1 (* n (self self (- n 1)))))))
      (fact fact 20))
    ;; map over a list, also by self-application
    (let ((mp (lambda (self f l) (if (null? l) '() (cons (f (car l)) (self self f (cdr l)))))))
      (mp mp (lambda (x) (* x x)) '(1 2 3 4)))))

(for-each (lambda (p)
            (write p)
            (display " => ")
            (write (m-eval p global))
            (newline))
          programs)

(write (guard (e ((error-object? e)
                  (cons (error-object-message e) (error-object-irritants e))))
         (m-eval '(+ 1 nowhere) global)))
(newline)
