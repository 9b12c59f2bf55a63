"""The ledger: event-sourced order streams, their stores, projections and reconciliation.

`events` defines the records, `store` the `Ledger` interface and its memory
implementation, `sqlite` the SQLite one, `projections` the folds over a stream and `recon`
the relational reconciliation queries. Nothing here imports pricing or the flow host.
"""
