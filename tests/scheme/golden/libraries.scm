;; A program of three libraries, imported with prefix, rename, only and except.
(import (except (scheme base) set-car!)
        (only (scheme write) display write)
        (rename (geometry point) (make-point pt) (point? pt?))
        (prefix (geometry shapes) s:)
        (only (text format) point->string join)
        (geometry shapes))                     ; the same library twice: loaded once

(define (show . xs) (for-each display xs) (newline))

(define corners (s:square-corners (pt 1 1) 2))
(show "corners: " (join (map point->string corners) " "))
(show "perimeter of 3: " (s:perimeter 3))
(show "loaded once: " (= s:shapes-loaded-count shapes-loaded-count 1))
(show "pt? " (pt? (car corners)) " " (pt? 'no))

;; the importer's own tmp and %swap do not disturb the library's macro
(define tmp 'mine)
(define (%swap p) 'not-the-librarys)
(define q (pt 1 2))
(swap! q)
(show "swapped: " (point->string q) " tmp is still " tmp)
(show "add: " (point->string (add (pt 1 2) (pt 10 20))))

;; a library defined in the program itself
(define-library (local counter)
  (export next!)
  (import (scheme base))
  (begin (define n 0) (define (next!) (set! n (+ n 1)) n)))
(import (prefix (local counter) c:))
(c:next!)
(show "counter: " (c:next!))

(show "cond-expand: "
      (cond-expand ((library (geometry point)) 'has-point) (else 'no-point))
      " "
      (cond-expand ((library (no such library)) 'yes) (else 'no)))
(write (eval '(list (pt? 1) (s:perimeter 1))
             (environment '(scheme base)
                          '(rename (geometry point) (point? pt?))
                          '(prefix (geometry shapes) s:))))
(newline)
