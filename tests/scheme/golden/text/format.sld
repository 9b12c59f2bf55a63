;; (text format): include-ci and export of a renamed binding.
(define-library (text format)
  (export (rename show-point point->string) join)
  (import (scheme base) (only (geometry point) point-x point-y))
  (include-ci "format-body.scm"))
