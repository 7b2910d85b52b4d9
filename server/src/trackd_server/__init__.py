"""The trackd tracking server: gRPC API -> service rules -> SQL store."""

__version__ = "0.1.0"
