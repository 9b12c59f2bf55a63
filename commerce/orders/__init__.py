"""Orders: the engine and the services that answer the order and refund flows' requests.

`engine` ties a flow host, a ledger and a shop together; `orders` and `refunds` are the
services, `stock` the reservations, `payment` the provider-neutral envelope.
"""
