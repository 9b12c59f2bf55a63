; The shape of the flows bench/export_bench.py writes: import replays each one to its
; pending payment request.
(defflow order-lifecycle
  (lambda (order lines)
    (request 'price (list order lines))
    (request 'reserve (list order lines))
    (request 'envelope (list order 4500))
    (request 'payment (list order 4500 "EUR"))))
