"""Environment variables the client reads, and the process-wide tracking URI."""

from __future__ import annotations

import os
import threading

TRACKING_URI = "TRACKD_TRACKING_URI"
EXPERIMENT_NAME = "TRACKD_EXPERIMENT_NAME"
EXPERIMENT_ID = "TRACKD_EXPERIMENT_ID"
RUN_ID = "TRACKD_RUN_ID"
REQUEST_TIMEOUT = "TRACKD_REQUEST_TIMEOUT"
REQUEST_MAX_RETRIES = "TRACKD_REQUEST_MAX_RETRIES"
REQUEST_BACKOFF_FACTOR = "TRACKD_REQUEST_BACKOFF_FACTOR"

DEFAULT_TRACKING_URI = "grpc://127.0.0.1:50051"
# The request timeout, retries and backoff default to the shared service config (_policy.py).

_lock = threading.Lock()
_tracking_uri: str | None = None


def set_tracking_uri(uri: str | None) -> None:
    """Sets the process-wide tracking URI; None falls back to the environment again."""
    global _tracking_uri
    with _lock:
        _tracking_uri = str(uri) if uri is not None else None


def get_tracking_uri() -> str:
    """The URI set by `set_tracking_uri`, else `TRACKD_TRACKING_URI`, else the local default."""
    with _lock:
        if _tracking_uri:
            return _tracking_uri
    return os.environ.get(TRACKING_URI) or DEFAULT_TRACKING_URI


def float_from_env(name: str) -> float | None:
    raw = os.environ.get(name)
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        raise ValueError(f"environment variable {name}={raw!r} is not a number") from None


def int_from_env(name: str) -> int | None:
    raw = os.environ.get(name)
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"environment variable {name}={raw!r} is not an integer") from None
