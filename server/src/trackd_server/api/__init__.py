"""Transports: gRPC servicers (and the HTTP/JSON transcoder in api.http) over the services."""
