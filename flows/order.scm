;;; The order lifecycle: reserve -> await payment -> fulfil.
;;;
;;; Pure orchestration: the flow carries only the order id and the order of the steps.
;;; The host answers `reserve` and `fulfil` at once (ledger appends); `payment` stays
;;; suspended until the payment webhook resumes it. This is the defflow of the original
;;; system's order module, unchanged.
(defflow order-lifecycle (lambda (oid) (begin (request (quote reserve) oid) (request (quote payment) oid) (request (quote fulfil) oid))))
