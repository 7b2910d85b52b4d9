"""Streaming one file to or from the server: a SHA-256 on both sides, retries of UNAVAILABLE,
a stall watchdog instead of a deadline, and an optional progress bar.

An upload reads the file once: this thread reads and hashes it while gRPC's sending thread
sends the previous chunk, and the checksum follows the content in a trailer. A server that
wants the checksum first (servers before trailers; an S3 store for files of several parts)
says so at once, and the file is then hashed before it is sent, as with every other client.
A download is written to a temporary file beside its destination by a writer thread while
this one hashes it, and renamed into place once its checksum matched.

A transfer has no overall deadline (a big file on a slow link may take hours); instead it is
cancelled when no chunk moved for the client's timeout. An upload is retried with the same
request id, so a retry after a lost reply stores nothing twice.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import sys
import threading
import time
import uuid
import weakref
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import grpc

from trackd import _artifact_wire as wire
from trackd._transport import Transport, error_from_rpc_error
from trackd.exceptions import (
    DeadlineExceededError,
    FailedPreconditionError,
    InvalidArgumentError,
    TrackdError,
    error_for_status,
)
from trackd.v1 import artifact_pb2, artifact_service_pb2, artifact_service_pb2_grpc

# Upload chunks with the checksum in a trailer (the servers that accept those take 4 MiB);
# with the checksum first, the 1 MiB every server takes. Downloads ask for 4 MiB chunks
# (servers that predate the option send 1 MiB).
CHUNK_BYTES = 4 * 1024 * 1024
CHECKSUM_FIRST_CHUNK_BYTES = 1024 * 1024
DOWNLOAD_CHUNK_BYTES = 4 * 1024 * 1024
PROGRESS_MIN_BYTES = 4 * 1024 * 1024

T = TypeVar("T")

# Transports whose server asked for the checksum before the content.
_checksum_first: weakref.WeakSet[Transport] = weakref.WeakSet()


def artifact_stub(transport: Transport) -> artifact_service_pb2_grpc.ArtifactServiceStub:
    """The ArtifactService stub over the transport's channel of this process."""
    return transport.stubs().artifacts


def file_sha256(path: str) -> tuple[str, int]:
    """(SHA-256 hex, size) of a file, read in chunks: memory stays flat for any size."""
    digest = hashlib.sha256()
    size = 0
    buffer = bytearray(CHUNK_BYTES)
    view = memoryview(buffer)
    with open(path, "rb", buffering=0) as f:
        wire.fadvise_sequential(f.fileno())
        while n := f.readinto(view):
            digest.update(view[:n])
            size += n
    return digest.hexdigest(), size


class _Progress:
    """A tqdm bar when tqdm is installed, stderr is a terminal and the file is big enough."""

    def __init__(self, total: int, description: str) -> None:
        self._bar: Any = None
        if total < PROGRESS_MIN_BYTES or not sys.stderr.isatty():
            return
        try:
            from tqdm import tqdm
        except ImportError:
            return
        self._bar = tqdm(
            total=total, desc=description, unit="B", unit_scale=True, unit_divisor=1024, leave=False
        )

    def update(self, n: int) -> None:
        if self._bar is not None:
            self._bar.update(n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


class _Watchdog:
    """Cancels a call when `kick` was not called for `patience` seconds."""

    def __init__(self, patience: float) -> None:
        self.patience = patience
        self.fired = False
        self._last = time.monotonic()
        self._cancel: Callable[[], Any] | None = None
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="trackd-transfer", daemon=True)

    def start(self, cancel: Callable[[], Any]) -> None:
        self._cancel = cancel
        self._thread.start()

    def kick(self) -> None:
        self._last = time.monotonic()

    def stop(self) -> None:
        self._done.set()

    def _watch(self) -> None:
        while not self._done.wait(min(1.0, self.patience / 4)):
            if time.monotonic() - self._last > self.patience:
                self.fired = True
                if self._cancel is not None:
                    self._cancel()
                return


def _with_retries(transport: Transport, attempt: Callable[[_Watchdog], T]) -> T:
    """Runs `attempt` until it succeeds, retrying UNAVAILABLE with the shared policy's numbers.

    gRPC does not retry streams it could not buffer, so a transfer restarts itself here."""
    with transport.watched():
        return _attempts(transport, attempt)


def _attempts(transport: Transport, attempt: Callable[[_Watchdog], T]) -> T:
    retries = 0
    while True:
        watchdog = _Watchdog(transport.timeout)
        try:
            return attempt(watchdog)
        except (grpc.RpcError, grpc.FutureCancelledError) as err:
            if watchdog.fired:
                raise DeadlineExceededError(
                    f"the transfer made no progress for {transport.timeout:g} s and was "
                    "cancelled (TrackingClient(timeout=...) sets the limit)",
                    reason="TRANSFER_STALLED",
                ) from None
            if not isinstance(err, grpc.RpcError):
                raise
            code = err.code() if callable(getattr(err, "code", None)) else None
            if code == grpc.StatusCode.UNAVAILABLE and retries < transport.retry_policy.max_retries:
                time.sleep(transport.retry_policy.delay(retries))
                retries += 1
                continue
            raise error_from_rpc_error(err, transport.tracking_uri) from None
        finally:
            watchdog.stop()


def _sent(messages: Iterator[bytes], watchdog: _Watchdog, progress: _Progress) -> Iterator[bytes]:
    """The request stream as gRPC takes it, noting each message's progress."""
    for message in messages:
        watchdog.kick()
        progress.update(len(message))
        yield message
    watchdog.kick()  # the server now checks and commits: allow it `patience` seconds


def _produce(
    source: io.FileIO,
    handoff: wire.Handoff,
    call_done: Callable[[], bool],
    header: artifact_service_pb2.UploadArtifactHeader,
    chunk_bytes: int,
) -> None:
    """Reads `source` into content messages for `handoff`; with `header.sha256_in_trailer`,
    hashes each one while gRPC sends it and ends with the trailer. Returns early when the
    call ended (its outcome says why)."""
    first = artifact_service_pb2.UploadArtifactRequest(header=header).SerializeToString()
    if not handoff.put(first, call_done):
        return
    digest = hashlib.sha256() if header.sha256_in_trailer else None
    # One buffer for every read; each message is one copy of it, which the hash then reads.
    buffer = bytearray(wire.PREFIX_ROOM + chunk_bytes)
    target = memoryview(buffer)[wire.PREFIX_ROOM :]
    while n := source.readinto(target):
        message, offset = wire.chunk_message(buffer, n)
        if not handoff.put(message, call_done):
            return
        if digest is not None:
            digest.update(memoryview(message)[offset:])
    if digest is not None:
        trailer = artifact_service_pb2.UploadArtifactTrailer(sha256=digest.hexdigest())
        last = artifact_service_pb2.UploadArtifactRequest(trailer=trailer).SerializeToString()
        if not handoff.put(last, call_done):
            return
    handoff.put(None, call_done)


def _wants_checksum_first(err: TrackdError) -> bool:
    """Whether an upload failed because the server wants the SHA-256 in the header: a server
    that knows trailers says so with a reason; an older one refuses the empty checksum."""
    if isinstance(err, FailedPreconditionError):
        return err.reason == "SHA256_IN_TRAILER_UNSUPPORTED"
    return isinstance(err, InvalidArgumentError) and err.metadata.get("field") == "sha256"


def upload_file(
    transport: Transport, run_id: str, local_path: str, artifact_file: str
) -> artifact_pb2.FileInfo:
    """Uploads one file to `artifact_file` (relative to the run's artifact root), reading it
    once and sending its SHA-256 after the content; or, for a server that wants the checksum
    first, reading it twice (to hash it, then to send it)."""
    request_id = str(uuid.uuid4())
    if transport not in _checksum_first:
        try:
            return _upload(transport, run_id, local_path, artifact_file, request_id, True)
        except (FailedPreconditionError, InvalidArgumentError) as err:
            if not _wants_checksum_first(err):
                raise
            _checksum_first.add(transport)
    return _upload(transport, run_id, local_path, artifact_file, request_id, False)


def _upload(
    transport: Transport,
    run_id: str,
    local_path: str,
    artifact_file: str,
    request_id: str,
    trailer: bool,
) -> artifact_pb2.FileInfo:
    if trailer:
        sha256, size, chunk_bytes = "", os.path.getsize(local_path), CHUNK_BYTES
    else:
        (sha256, size), chunk_bytes = file_sha256(local_path), CHECKSUM_FIRST_CHUNK_BYTES
    header = artifact_service_pb2.UploadArtifactHeader(
        run_id=run_id,
        path=artifact_file,
        size=size,
        sha256=sha256,
        request_id=request_id,
        sha256_in_trailer=trailer,
    )

    def attempt(watchdog: _Watchdog) -> artifact_pb2.FileInfo:
        progress = _Progress(size, f"upload {artifact_file}")
        handoff = wire.Handoff()
        with open(local_path, "rb", buffering=0) as source:
            wire.fadvise_sequential(source.fileno())
            call = wire.upload_call(transport).future(_sent(handoff.messages(), watchdog, progress))
            watchdog.start(call.cancel)
            try:
                _produce(source, handoff, call.done, header, chunk_bytes)
                return call.result().file  # type: ignore[no-any-return]
            finally:
                handoff.end()
                call.cancel()  # a no-op once finished; stops the upload on KeyboardInterrupt
                progress.close()

    return _with_retries(transport, attempt)


def download_file(transport: Transport, run_id: str, path: str, local_path: str) -> None:
    """Downloads one artifact to `local_path`, verifying its size and SHA-256.

    Raises FailedPreconditionError (reason ARTIFACT_IS_DIRECTORY) for a directory.
    """
    parent = os.path.dirname(local_path) or "."
    os.makedirs(parent, exist_ok=True)
    request = artifact_service_pb2.DownloadArtifactRequest(
        run_id=run_id, path=path, max_chunk_bytes=DOWNLOAD_CHUNK_BYTES
    )

    def attempt(watchdog: _Watchdog) -> None:
        temp = os.path.join(parent, f".{os.path.basename(local_path)}.{uuid.uuid4().hex}.part")
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
        flags |= getattr(os, "O_BINARY", 0)
        call = wire.download_call(transport)(request)
        watchdog.start(call.cancel)
        try:
            fd = os.open(temp, flags, 0o666)
            try:
                info, sha256, size = _receive(call, fd, watchdog, path)
                os.fsync(fd)
            finally:
                os.close(fd)
            _verify(info, sha256, size, path)
            os.replace(temp, local_path)
        finally:
            call.cancel()
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)

    _with_retries(transport, attempt)


def _no_description(path: str) -> TrackdError:
    return error_for_status("INTERNAL", f"the server sent no description of {path!r} first")


def _receive(
    responses: Iterator[bytes], fd: int, watchdog: _Watchdog, path: str
) -> tuple[artifact_pb2.FileInfo, str, int]:
    """Writes the content to file `fd` (on a writer thread while this one hashes, for files of
    several chunks); returns the server's description of the file and the SHA-256 and size of
    what actually arrived."""
    messages = iter(responses)
    first = next(messages, None)
    watchdog.kick()
    if first is None:
        raise _no_description(path)
    head = artifact_service_pb2.DownloadArtifactResponse.FromString(first)
    if head.WhichOneof("payload") != "file":
        raise _no_description(path)
    info = head.file
    progress = _Progress(info.size, f"download {path}")
    writer = wire.Writer(fd, info.size, threaded=info.size > DOWNLOAD_CHUNK_BYTES)
    digest = hashlib.sha256()
    received = 0
    try:
        for message in messages:
            watchdog.kick()
            chunk = wire.chunk_of(message)
            if chunk is None:
                raise error_for_status("INTERNAL", f"a second description of {path!r} came")
            writer.write(chunk)
            digest.update(chunk)
            received += len(chunk)
            progress.update(len(chunk))
        writer.finish()
    except BaseException:
        writer.abandon()
        raise
    finally:
        progress.close()
    return info, digest.hexdigest(), received


def _verify(info: artifact_pb2.FileInfo, sha256: str, size: int, path: str) -> None:
    problems = []
    if size != info.size:
        problems.append(f"{size} bytes arrived, the server announced {info.size}")
    if info.sha256 and sha256 != info.sha256.lower():
        problems.append(f"SHA-256 {sha256}, the server announced {info.sha256}")
    if problems:
        raise error_for_status(
            "DATA_LOSS",
            f"download of {path!r} is corrupt ({'; '.join(problems)}); nothing was kept",
            "ARTIFACT_CHECKSUM_MISMATCH",
            {"path": path},
        )
