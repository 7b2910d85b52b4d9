"""Persistence: the store protocol and its SQL implementation. Knows nothing of gRPC."""
