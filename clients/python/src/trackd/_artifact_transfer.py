"""Streaming one file to or from the server: chunks of 1 MiB, a SHA-256 on both sides, retries
of UNAVAILABLE, a stall watchdog instead of a deadline, and an optional progress bar.

A transfer has no overall deadline (a big file on a slow link may take hours); instead it is
cancelled when no chunk moved for the client's timeout. An upload is retried with the same
request id, so a retry after a lost reply stores nothing twice. A download is written to a
temporary file beside its destination and renamed into place once its checksum matched.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import IO, Any, TypeVar

import grpc

from trackd._transport import Transport, error_from_rpc_error
from trackd.exceptions import DeadlineExceededError, error_for_status
from trackd.v1 import artifact_pb2, artifact_service_pb2, artifact_service_pb2_grpc

CHUNK_BYTES = 1024 * 1024
PROGRESS_MIN_BYTES = 4 * 1024 * 1024

T = TypeVar("T")


def artifact_stub(transport: Transport) -> artifact_service_pb2_grpc.ArtifactServiceStub:
    """The ArtifactService stub over the transport's channel of this process."""
    return transport.stubs().artifacts


def file_sha256(path: str) -> tuple[str, int]:
    """(SHA-256 hex, size) of a file, read in chunks: memory stays flat for any size."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK_BYTES):
            digest.update(chunk)
            size += len(chunk)
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
    """Runs `attempt` until it succeeds, retrying UNAVAILABLE like every other call."""
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


def _upload_requests(
    header: artifact_service_pb2.UploadArtifactHeader,
    source: IO[bytes],
    watchdog: _Watchdog,
    progress: _Progress,
) -> Iterator[artifact_service_pb2.UploadArtifactRequest]:
    yield artifact_service_pb2.UploadArtifactRequest(header=header)
    while chunk := source.read(CHUNK_BYTES):
        watchdog.kick()
        progress.update(len(chunk))
        yield artifact_service_pb2.UploadArtifactRequest(chunk=chunk)
    watchdog.kick()  # the server now checks and commits: allow it `patience` seconds


def upload_file(
    transport: Transport, run_id: str, local_path: str, artifact_file: str
) -> artifact_pb2.FileInfo:
    """Uploads one file to `artifact_file` (relative to the run's artifact root).

    The file is read twice, in chunks: once for its SHA-256 (the header carries it, so the
    server can refuse a corrupted upload before storing anything), once to send it.
    """
    sha256, size = file_sha256(local_path)
    header = artifact_service_pb2.UploadArtifactHeader(
        run_id=run_id, path=artifact_file, size=size, sha256=sha256, request_id=str(uuid.uuid4())
    )

    def attempt(watchdog: _Watchdog) -> artifact_pb2.FileInfo:
        progress = _Progress(size, f"upload {artifact_file}")
        with open(local_path, "rb") as source:
            requests = _upload_requests(header, source, watchdog, progress)
            call = artifact_stub(transport).UploadArtifact.future(requests)
            watchdog.start(call.cancel)
            try:
                return call.result().file
            finally:
                call.cancel()  # a no-op once finished; stops the upload on KeyboardInterrupt
                progress.close()

    return _with_retries(transport, attempt)


def download_file(transport: Transport, run_id: str, path: str, local_path: str) -> None:
    """Downloads one artifact to `local_path`, verifying its size and SHA-256.

    Raises FailedPreconditionError (reason ARTIFACT_IS_DIRECTORY) for a directory.
    """
    parent = os.path.dirname(local_path) or "."
    os.makedirs(parent, exist_ok=True)
    request = artifact_service_pb2.DownloadArtifactRequest(run_id=run_id, path=path)

    def attempt(watchdog: _Watchdog) -> None:
        temp = os.path.join(parent, f".{os.path.basename(local_path)}.{uuid.uuid4().hex}.part")
        call = artifact_stub(transport).DownloadArtifact(request)
        watchdog.start(call.cancel)
        try:
            with open(temp, "wb") as sink:
                info, sha256, size = _receive(call, sink, watchdog, path)
                sink.flush()
                os.fsync(sink.fileno())
            _verify(info, sha256, size, path)
            os.replace(temp, local_path)
        finally:
            call.cancel()
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)

    _with_retries(transport, attempt)


def _receive(
    responses: Iterator[artifact_service_pb2.DownloadArtifactResponse],
    sink: IO[bytes],
    watchdog: _Watchdog,
    path: str,
) -> tuple[artifact_pb2.FileInfo, str, int]:
    """Writes the content to `sink`; returns the server's description of the file and the
    SHA-256 and size of what actually arrived."""
    info: artifact_pb2.FileInfo | None = None
    progress: _Progress | None = None
    digest = hashlib.sha256()
    received = 0
    try:
        for message in responses:
            watchdog.kick()
            if message.WhichOneof("payload") == "file":
                info = message.file
                progress = _Progress(info.size, f"download {path}")
                continue
            digest.update(message.chunk)
            sink.write(message.chunk)
            received += len(message.chunk)
            if progress is not None:
                progress.update(len(message.chunk))
    finally:
        if progress is not None:
            progress.close()
    if info is None:
        raise error_for_status("INTERNAL", f"the server sent no description of {path!r}")
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
