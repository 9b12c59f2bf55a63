;;; The refund lifecycle: request -> await approval -> await settlement.
;;;
;;; Two suspension points: `approve` is a human or policy decision, `settle` is the
;;; payment provider confirming the money moved. The host records the refund request
;;; before starting the flow; it records `refunded` only when settlement resumes it, and
;;; a rejected refund is cancelled while waiting on `approve`.
(defflow refund-lifecycle
  (lambda (oid)
    (begin (request (quote approve) oid)
           (request (quote settle) oid))))
