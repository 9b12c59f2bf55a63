"""The ledger: event-sourced order streams, their stores, projections and reconciliation.

`events` defines the records, `store` the `Ledger` interface and its memory
implementation, `sql` the one append path and reads of the SQL ledgers, with `sqlite` and
`postgres` supplying only their dialect's hooks, `projections` the folds over a stream and
`recon` the relational reconciliation queries. Nothing here imports pricing, and only the
stores touch the flow host's database layer.
"""
