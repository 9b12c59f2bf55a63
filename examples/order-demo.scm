;;; A walk through one order's lifecycle from the guest side.
;;;   flowhost run examples/order-demo.scm --flows flows [--store shop.db]
(define (show . xs) (for-each display xs) (newline))

(define started (flow/start order-lifecycle "o-1001"))
(show "started:   " started)
(define id (cadr started))
(show "resumed:   " (flow/resume id 'reserved))
(show "waiting:   " (flow-host-requests))
(show "paid:      " (flow/resume id 'paid))
(show "fulfilled: " (flow/resume id 'fulfilled))
(show "status:    " (flow/status id) ", result: " (flow/result id))
