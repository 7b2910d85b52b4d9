"""Rules of the tracking API: validation, transactions, ids and idempotency. Knows no gRPC."""
