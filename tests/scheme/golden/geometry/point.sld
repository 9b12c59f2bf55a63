;; (geometry point): a record type, and a macro that uses the library's private helper.
(define-library (geometry point)
  (export make-point point? point-x point-y
          (rename point-add add) swap!)
  (import (scheme base))
  (begin
    (define-record-type point (make-point x y) point? (x point-x set-x!) (y point-y set-y!))
    (define (point-add a b)
      (make-point (+ (point-x a) (point-x b)) (+ (point-y a) (point-y b))))
    ;; `tmp` and `set-x!` here are the library's, not the importer's
    (define (%swap p)
      (let ((tmp (point-x p))) (set-x! p (point-y p)) (set-y! p tmp)))
    (define-syntax swap!
      (syntax-rules () ((_ p) (begin (%swap p) p))))))
