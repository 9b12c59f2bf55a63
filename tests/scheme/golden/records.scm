;;; Records: a small bank with accounts, transfers that can fail, and a sorted report.

(define-record-type account
  (make-account id owner balance)
  account?
  (id account-id)
  (owner account-owner)
  (balance account-balance set-account-balance!))

(define-record-type <transfer-error>
  (make-transfer-error reason account amount)
  transfer-error?
  (reason transfer-error-reason)
  (account transfer-error-account)
  (amount transfer-error-amount))

(define accounts
  (list (make-account 1 "ada" 100)
        (make-account 2 "bob" 50)
        (make-account 3 "cy" 0)))

(define (find-account id)
  (let loop ((as accounts))
    (cond ((null? as) (raise (make-transfer-error 'no-such-account id 0)))
          ((= (account-id (car as)) id) (car as))
          (else (loop (cdr as))))))

(define (transfer! from-id to-id amount)
  (let ((from (find-account from-id))
        (to (find-account to-id)))
    (when (> amount (account-balance from))
      (raise (make-transfer-error 'insufficient-funds from-id amount)))
    (set-account-balance! from (- (account-balance from) amount))
    (set-account-balance! to (+ (account-balance to) amount))
    'ok))

(define (try-transfer from to amount)
  (guard (e ((transfer-error? e)
             (list 'failed (transfer-error-reason e) (transfer-error-account e))))
    (transfer! from to amount)))

(write (try-transfer 1 2 30)) (newline)
(write (try-transfer 2 3 100)) (newline)
(write (try-transfer 3 9 1)) (newline)
(write (try-transfer 2 3 80)) (newline)

(define (insert-by key x sorted)
  (cond ((null? sorted) (list x))
        ((< (key x) (key (car sorted))) (cons x sorted))
        (else (cons (car sorted) (insert-by key x (cdr sorted))))))

(define (sort-by key lst)
  (let loop ((l lst) (acc '()))
    (if (null? l) acc (loop (cdr l) (insert-by key (car l) acc)))))

(for-each (lambda (a)
            (display (account-owner a))
            (display " ")
            (display (account-balance a))
            (newline))
          (sort-by account-balance accounts))

(write (list (account? (car accounts)) (account? 'ada) (transfer-error? (car accounts))))
(newline)
(display (apply + (map account-balance accounts)))
(newline)
