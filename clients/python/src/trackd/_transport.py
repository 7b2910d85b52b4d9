"""The thin layer between the client and the generated stubs.

It owns the gRPC channel (built from a tracking URI, rebuilt in a child process after fork()),
puts a deadline on every call, lets gRPC retry calls that failed with UNAVAILABLE by the shared
service config (see _policy.py), and turns a failed call into a `TrackdError` subclass, reading
the `google.rpc.ErrorInfo` the server attaches to its status.

Retrying is safe because every call is either a read or carries a `request_id`: the server
answers a repeated id with the first answer and changes nothing, so a retry after a lost reply
never creates a second run. The id is part of the request message, set once before gRPC
serializes it, and gRPC re-sends those same bytes on every attempt.
"""

from __future__ import annotations

import contextlib
import os
import threading
import urllib.parse
import uuid
import weakref
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

import grpc
from google.protobuf.message import Message
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from trackd import _env
from trackd._outage import OutageNotice
from trackd._policy import RetryPolicy, default_timeout, service_config_json
from trackd.exceptions import InvalidArgumentError, TrackdError, error_for_status
from trackd.v1 import (
    artifact_service_pb2_grpc,
    experiment_service_pb2_grpc,
    metric_service_pb2_grpc,
    run_service_pb2_grpc,
)

ResponseT = TypeVar("ResponseT")

_DEFAULT_PORTS = {"grpc": 50051, "grpcs": 443}
_CHANNEL_OPTIONS: list[tuple[str, Any]] = [
    # gRPC's own reconnect backoff would otherwise grow to two minutes while the server is
    # down, and every retry would fail fast without trying to connect.
    ("grpc.initial_reconnect_backoff_ms", 100),
    ("grpc.min_reconnect_backoff_ms", 100),
    ("grpc.max_reconnect_backoff_ms", 2000),
    # A search page of 1000 runs with many tags can exceed the 4 MiB default.
    ("grpc.max_receive_message_length", 256 * 1024 * 1024),
    ("grpc.max_send_message_length", 256 * 1024 * 1024),
    ("grpc.primary_user_agent", "trackd-python"),
    ("grpc.enable_retries", 1),
    # gRPC replays only what it buffered, 256 KiB per call by default: a larger LogBatch would
    # not be retried. 16 MiB is the largest message the server takes.
    ("grpc.per_rpc_retry_buffer_size", 16 * 1024 * 1024),
    # The policy is ours, not something a DNS TXT record may replace.
    ("grpc.service_config_disable_resolution", 1),
]


def parse_tracking_uri(uri: str) -> tuple[str, bool]:
    """Returns (gRPC target "host:port", use TLS) for `grpc://host:port` or `grpcs://host:port`."""
    parts = urllib.parse.urlsplit(uri)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise InvalidArgumentError(
            f"invalid tracking URI {uri!r}: expected grpc://host:port (plaintext) or "
            "grpcs://host:port (TLS)",
            reason="INVALID_TRACKING_URI",
        )
    try:
        port = parts.port or _DEFAULT_PORTS[scheme]
    except ValueError:
        raise InvalidArgumentError(
            f"invalid port in tracking URI {uri!r}", reason="INVALID_TRACKING_URI"
        ) from None
    host = parts.hostname
    if ":" in host:  # an IPv6 literal
        host = f"[{host}]"
    return f"{host}:{port}", scheme == "grpcs"


class Stubs:
    """The generated service stubs over one channel."""

    def __init__(self, channel: grpc.Channel) -> None:
        self.experiments = experiment_service_pb2_grpc.ExperimentServiceStub(channel)
        self.runs = run_service_pb2_grpc.RunServiceStub(channel)
        self.metrics = metric_service_pb2_grpc.MetricServiceStub(channel)
        self.artifacts = artifact_service_pb2_grpc.ArtifactServiceStub(channel)


_live_transports: weakref.WeakSet[Transport] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    for transport in list(_live_transports):
        transport._forget_channel()


os.register_at_fork(after_in_child=_after_fork_in_child)


class Transport:
    """A lazily opened, fork-aware channel to one trackd server, with retries and deadlines."""

    def __init__(
        self,
        tracking_uri: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        backoff_factor: float | None = None,
        interceptors: Sequence[grpc.UnaryUnaryClientInterceptor] = (),
    ) -> None:
        self.tracking_uri = tracking_uri
        self._target, self._secure = parse_tracking_uri(tracking_uri)
        env_timeout = _env.float_from_env(_env.REQUEST_TIMEOUT)
        self.timeout = next(t for t in (timeout, env_timeout, default_timeout()) if t is not None)
        self.retry_policy = RetryPolicy.shared(
            max_retries=(
                max_retries
                if max_retries is not None
                else _env.int_from_env(_env.REQUEST_MAX_RETRIES)
            ),
            backoff_factor=(
                backoff_factor
                if backoff_factor is not None
                else _env.float_from_env(_env.REQUEST_BACKOFF_FACTOR)
            ),
        )
        self._options = [
            *_CHANNEL_OPTIONS,
            ("grpc.service_config", service_config_json(self.retry_policy)),
        ]
        self._notice: OutageNotice | None = None
        self._interceptors = tuple(interceptors)
        self._lock = threading.Lock()
        self._channel: grpc.Channel | None = None
        self._stubs: Stubs | None = None
        self._pid: int | None = None
        _live_transports.add(self)

    def _open_channel(self) -> grpc.Channel:
        if self._secure:
            channel = grpc.secure_channel(
                self._target, grpc.ssl_channel_credentials(), options=self._options
            )
        else:
            channel = grpc.insecure_channel(self._target, options=self._options)
        self._notice = None
        if self.retry_policy.max_retries > 0:
            self._notice = OutageNotice(channel, self._target, self.retry_policy.announcement())
        if self._interceptors:
            channel = grpc.intercept_channel(channel, *self._interceptors)
        return channel

    def stubs(self) -> Stubs:
        """The stubs of this process's channel, opening it on first use or after fork()."""
        pid = os.getpid()
        with self._lock:
            if self._stubs is None or self._pid != pid:
                # A channel inherited through fork() is driven by the parent's gRPC threads,
                # which do not exist in the child: leave it alone and open a new one.
                self._channel = self._open_channel()
                self._stubs = Stubs(self._channel)
                self._pid = pid
            return self._stubs

    def _forget_channel(self) -> None:
        # Runs in a fresh child: another thread of the parent may have held the lock at fork().
        self._lock = threading.Lock()
        self._notice = None
        self._channel = None
        self._stubs = None
        self._pid = None

    def close(self) -> None:
        """Closes the channel; the next call opens a new one."""
        with self._lock:
            channel, owner = self._channel, self._pid
            self._channel, self._stubs, self._pid = None, None, None
        if channel is not None and owner == os.getpid():
            channel.close()

    def call(
        self, method: Callable[[Stubs], Callable[..., ResponseT]], request: Message
    ) -> ResponseT:
        """Sends `request` to `method(stubs)` with a deadline; gRPC retries it on UNAVAILABLE.

        A request that has a `request_id` field gets a fresh UUID there if it has none; gRPC
        sends the same serialized message, so the same id, on every attempt. The deadline
        (`timeout`) bounds the call, its retries included.
        """
        _ensure_request_id(request)
        rpc = method(self.stubs())
        with self.watched():
            try:
                # The deadline goes with each call, not in the service config: grpc-python
                # applies a service-config timeout about a second early (grpc/grpc#34547).
                return rpc(request, timeout=self.timeout)
            except grpc.RpcError as err:
                raise error_from_rpc_error(err, self.tracking_uri) from None

    @contextlib.contextmanager
    def watched(self) -> Iterator[None]:
        """Marks a call under way for the outage notice (`call` does; so do the transfers)."""
        self.stubs()
        notice = self._notice
        if notice is None:
            yield
            return
        token = notice.call_started()
        answered = False
        try:
            yield
            answered = True
        except TrackdError as err:
            answered = err.code != "UNAVAILABLE"
            raise
        finally:
            notice.call_ended(token, answered=answered)


def _ensure_request_id(request: Message) -> None:
    if "request_id" in request.DESCRIPTOR.fields_by_name and not request.request_id:  # type: ignore[attr-defined]
        request.request_id = str(uuid.uuid4())  # type: ignore[attr-defined]


def _code_of(err: grpc.RpcError) -> grpc.StatusCode:
    code = getattr(err, "code", None)
    if callable(code):
        value = code()
        if isinstance(value, grpc.StatusCode):
            return value
    return grpc.StatusCode.UNKNOWN


def error_from_rpc_error(err: grpc.RpcError, tracking_uri: str = "") -> TrackdError:
    """The `TrackdError` subclass for a failed call, with the server's ErrorInfo if it sent one."""
    code = _code_of(err)
    details = getattr(err, "details", None)
    message = (details() if callable(details) else None) or code.name
    reason: str | None = None
    metadata: dict[str, str] = {}
    try:
        status = rpc_status.from_call(err)
    except (AttributeError, TypeError, ValueError):
        # Not a completed call, or a status detail inconsistent with the call's own status.
        status = None
    if status is not None:
        message = status.message or message
        for detail in status.details:
            if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
                info = error_details_pb2.ErrorInfo()
                detail.Unpack(info)
                reason, metadata = info.reason or None, dict(info.metadata)
                break
    if reason is None and code == grpc.StatusCode.UNAVAILABLE and tracking_uri:
        message = f"trackd server at {tracking_uri} is unavailable: {message}"
    return error_for_status(code.name, message, reason, metadata)
