;;; The order lifecycle: reserve -> await payment -> fulfil.
;;;
;;; Pure orchestration: the flow carries only the order id (and, from the engine, the
;;; shop's payment timeout in seconds) and the order of the steps. The host
;;; answers `reserve`, `fulfil`, `release` and `expire` at once (ledger appends, stock);
;;; `payment` stays suspended until the payment webhook resumes it.
;;;
;;; Started with the order id alone it makes exactly the requests of the original
;;; system's order module (tests/fixtures/seed-flows/order.scm, verbatim), and a
;;; cancellation simply ends it (the order service gives the stock back). With a timeout,
;;; under the `payment-expiry` patch, an order not paid in time gives its stock back and
;;; expires; told it is cancelled while it waits, it gives its stock back (release) and
;;; ends cancelled. A log recorded before the patch replays on the old path:
;;; (flow/patched? 'payment-expiry) is #f there.
(defflow order-lifecycle
  (lambda (oid . terms)
    (guard (e ((and (flow/cancelled? e) (pair? terms))
               (request (quote release) oid)
               (raise e)))
      (begin
        (request (quote reserve) oid)
        (if (and (pair? terms) (car terms) (flow/patched? (quote payment-expiry)))
            (if (flow/timeout? (request/timeout (quote payment) oid (car terms)))
                (begin (request (quote release) oid) (request (quote expire) oid))
                (request (quote fulfil) oid))
            (begin (request (quote payment) oid) (request (quote fulfil) oid)))))))
