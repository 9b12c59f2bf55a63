;;; N queens: count every solution by backtracking, and show the first one.

(define (safe? col placed)
  ;; placed: columns of the queens already on the rows above, nearest first
  (let loop ((rest placed) (distance 1))
    (cond ((null? rest) #t)
          ((or (= (car rest) col)
               (= (abs (- (car rest) col)) distance))
           #f)
          (else (loop (cdr rest) (+ distance 1))))))

(define (queens n)
  ;; all solutions, each a list of columns from the first row to the last
  (let place ((row 0) (placed '()))
    (if (= row n)
        (list (reverse placed))
        (let try ((col 0) (found '()))
          (if (= col n)
              found
              (try (+ col 1)
                   (if (safe? col placed)
                       (append found (place (+ row 1) (cons col placed)))
                       found)))))))

(define (show-board solution n)
  (for-each
   (lambda (col)
     (do ((c 0 (+ c 1))) ((= c n))
       (display (if (= c col) "Q " ". ")))
     (newline))
   solution))

(for-each
 (lambda (n)
   (display n)
   (display " queens: ")
   (display (length (queens n)))
   (display " solutions")
   (newline))
 '(1 2 3 4 5 6 7 8))

(define first-8 (car (queens 8)))
(write first-8)
(newline)
(show-board first-8 8)
