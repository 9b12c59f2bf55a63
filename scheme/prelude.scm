;;; The standard procedures written in Scheme.
;;;
;;; Higher-order procedures live here rather than in Python so that they run on the
;;; machine: a continuation captured inside the procedure they call can be re-entered
;;; (map builds a fresh result each time), and they make proper tail calls.

(define (%list-arg who l)
  (if (or (pair? l) (null? l)) l (error (string-append who ": expected a list") l)))

(define (map f l . ls)
  (if (null? ls)
      (let loop ((l (%list-arg "map" l)))
        (if (pair? l)
            (let ((v (f (car l))))
              (cons v (loop (cdr l))))
            '()))
      (let loop ((ls (cons l ls)))
        (if (%all-pairs? ls)
            (let ((v (apply f (%cars ls))))
              (cons v (loop (%cdrs ls))))
            '()))))

(define (for-each f l . ls)
  (if (null? ls)
      (let loop ((l (%list-arg "for-each" l)))
        (if (pair? l)
            (begin (f (car l)) (loop (cdr l)))))
      (let loop ((ls (cons l ls)))
        (if (%all-pairs? ls)
            (begin (apply f (%cars ls)) (loop (%cdrs ls)))))))

(define (vector-map f v . vs)
  (list->vector (apply map f (vector->list v) (map vector->list vs))))

(define (vector-for-each f v . vs)
  (apply for-each f (vector->list v) (map vector->list vs)))

(define (string-map f s . ss)
  (list->string (apply map f (string->list s) (map string->list ss))))

(define (string-for-each f s . ss)
  (apply for-each f (string->list s) (map string->list ss)))

(define member
  (let ((member2 member))
    (case-lambda
      ((x l) (member2 x l))
      ((x l same?)
       (let loop ((l (%list-arg "member" l)))
         (cond ((not (pair? l)) #f)
               ((same? x (car l)) l)
               (else (loop (cdr l)))))))))

(define assoc
  (let ((assoc2 assoc))
    (case-lambda
      ((x l) (assoc2 x l))
      ((x l same?)
       (let loop ((l (%list-arg "assoc" l)))
         (cond ((not (pair? l)) #f)
               ((same? x (car (car l))) (car l))
               (else (loop (cdr l)))))))))

(define (call-with-port port proc)
  (call-with-values (lambda () (proc port))
    (lambda vals (close-port port) (apply values vals))))
