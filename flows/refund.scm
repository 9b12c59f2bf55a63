;;; The refund lifecycle: request -> await approval -> await settlement.
;;;
;;; Two suspension points: `approve` is a human or policy decision, `settle` is the
;;; payment provider confirming the money moved. The argument names the refund (the
;;; order service passes (order-id refund-id)). The host records the refund request
;;; before starting the flow and records `refunded` only when settlement resumes it; a
;;; rejected refund is cancelled while it waits on `approve`.
(defflow refund-lifecycle
  (lambda (refund)
    (begin (request (quote approve) refund)
           (request (quote settle) refund))))
