;;; String processing: splitting, counting words, a Caesar cipher, string ports.

(define (split str ch)
  (let loop ((chars (string->list str)) (word '()) (words '()))
    (cond ((null? chars)
           (reverse (if (null? word) words (cons (list->string (reverse word)) words))))
          ((char=? (car chars) ch)
           (loop (cdr chars) '() (if (null? word) words (cons (list->string (reverse word)) words))))
          (else (loop (cdr chars) (cons (car chars) word) words)))))

(define text "the quick brown fox jumps over the lazy dog the end")
(define words (split text #\space))
(write words)
(newline)
(display (length words))
(newline)

(define (count-words words)
  (let loop ((ws words) (counts '()))
    (if (null? ws)
        counts
        (let ((entry (assoc (car ws) counts)))
          (if entry
              (begin (set-cdr! entry (+ (cdr entry) 1)) (loop (cdr ws) counts))
              (loop (cdr ws) (append counts (list (cons (car ws) 1)))))))))

(for-each (lambda (e)
            (when (> (cdr e) 1)
              (display (car e)) (display ": ") (display (cdr e)) (newline)))
          (count-words words))

(define (caesar str shift)
  (string-map
   (lambda (c)
     (cond ((char-lower-case? c)
            (integer->char (+ 97 (modulo (+ (- (char->integer c) 97) shift) 26))))
           ((char-upper-case? c)
            (integer->char (+ 65 (modulo (+ (- (char->integer c) 65) shift) 26))))
           (else c)))
   str))

(define secret (caesar "Hello, World!" 3))
(write secret)
(newline)
(write (caesar secret -3))
(newline)

(define (join strs sep)
  (let ((out (open-output-string)))
    (let loop ((s strs) (first #t))
      (unless (null? s)
        (unless first (write-string sep out))
        (write-string (car s) out)
        (loop (cdr s) #f)))
    (get-output-string out)))

(write (join (map string-upcase (list "ab" "cd" "ef")) ", "))
(newline)

(define (string-index-of s ch)
  (let loop ((i 0))
    (cond ((= i (string-length s)) #f)
          ((char=? (string-ref s i) ch) i)
          (else (loop (+ i 1))))))

(define s (make-string 5 #\-))
(string-set! s 2 #\*)
(write s)
(newline)
(write (list (string->number "ff" 16) (number->string 255 2) (string->symbol "with space")
             (symbol->string 'abc) (substring "scheme" 1 4) (string-index-of "scheme" #\e)))
(newline)
