"""The bytes of artifact transfers on the wire, without protobuf objects for the content.

A content message (`UploadArtifactRequest` or `DownloadArtifactResponse` holding only `chunk`)
is, in protobuf's wire format, the byte 0x12 (field 2, length-delimited), the chunk's length
as a varint, then the chunk. Writing and reading that framing directly saves two copies of
every chunk (building the message, then serialising or parsing it), and those copies of
megabyte buffers cost more than the rest of the client's work except hashing. Every other
message goes through the generated classes, and a content message that does not have
exactly this shape is parsed by them too.
"""

from __future__ import annotations

import contextlib
import errno
import mmap
import os
import queue
import threading
from collections.abc import Callable, Iterator

import grpc

from trackd._transport import Transport
from trackd.v1 import artifact_service_pb2 as pb

try:
    import fcntl
except ImportError:  # Windows: no O_DIRECT either
    fcntl = None  # type: ignore[assignment]

_UPLOAD = "/trackd.v1.ArtifactService/UploadArtifact"
_DOWNLOAD = "/trackd.v1.ArtifactService/DownloadArtifact"
_CHUNK_TAG = 0x12  # field 2 (`chunk`), wire type 2 (length-delimited)
# Room before a chunk's bytes in a read buffer for its tag and length (a varint of at most
# 5 bytes for any chunk under 4 GiB).
PREFIX_ROOM = 6


def _varint(value: int) -> bytes:
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def chunk_prefix(length: int) -> bytes:
    """The bytes that precede a chunk of `length` bytes in its content message."""
    return bytes([_CHUNK_TAG]) + _varint(length)


def chunk_message(buffer: bytearray, length: int) -> tuple[bytes, int]:
    """The content message of the `length` bytes at `buffer[PREFIX_ROOM:]`, made with one
    copy, and the offset of the chunk inside it."""
    prefix = chunk_prefix(length)
    start = PREFIX_ROOM - len(prefix)
    buffer[start:PREFIX_ROOM] = prefix
    return bytes(memoryview(buffer)[start : PREFIX_ROOM + length]), len(prefix)


def chunk_of(message: bytes) -> memoryview | None:
    """The chunk in a serialised DownloadArtifactResponse, without copying it when the message
    holds nothing else; None when the message is not a content message."""
    if message[:1] == bytes([_CHUNK_TAG]):
        length, shift, offset = 0, 0, 1
        while offset < len(message) and shift < 64:
            byte = message[offset]
            offset += 1
            length |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                if offset + length == len(message):
                    return memoryview(message)[offset:]
                break
    parsed = pb.DownloadArtifactResponse.FromString(message)
    if parsed.WhichOneof("payload") != "chunk":
        return None
    return memoryview(parsed.chunk)


def upload_call(transport: Transport) -> grpc.StreamUnaryMultiCallable:
    """UploadArtifact taking already-serialised request messages."""
    return _channel(transport).stream_unary(
        _UPLOAD,
        request_serializer=None,
        response_deserializer=pb.UploadArtifactResponse.FromString,
        _registered_method=True,
    )


def download_call(transport: Transport) -> grpc.UnaryStreamMultiCallable:
    """DownloadArtifact answering serialised response messages (see `chunk_of`)."""
    return _channel(transport).unary_stream(
        _DOWNLOAD,
        request_serializer=pb.DownloadArtifactRequest.SerializeToString,
        response_deserializer=None,
        _registered_method=True,
    )


def _channel(transport: Transport) -> grpc.Channel:
    transport.stubs()  # opens this process's channel (again after fork())
    channel = transport._channel
    assert channel is not None
    return channel


class Handoff:
    """Serialised messages passed from the thread that reads and hashes a file to the thread
    gRPC sends them from, at most `depth` waiting; either side gives up once the call ended."""

    def __init__(self, depth: int = 2) -> None:
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=depth)
        self._ended = threading.Event()

    def put(self, message: bytes | None, call_done: Callable[[], bool]) -> bool:
        """Queues `message` (None ends the stream); False if the call ended first."""
        while not self._ended.is_set():
            try:
                self._queue.put(message, timeout=0.05)
                return True
            except queue.Full:
                if call_done():
                    return False
        return False

    def messages(self) -> Iterator[bytes]:
        """The queued messages in order, for gRPC's request iterator."""
        while True:
            try:
                message = self._queue.get(timeout=0.05)
            except queue.Empty:
                if self._ended.is_set():
                    return
                continue
            if message is None:
                return
            yield message

    def end(self) -> None:
        """Stops both sides (the call is over)."""
        self._ended.set()


class Writer:
    """Writes a download to a new file on a thread of its own, in order, at most `depth`
    chunks waiting, so that writing overlaps hashing (for files of more than one chunk).

    Large files are written with O_DIRECT, around the page cache, through one page-aligned
    buffer: the file is fsynced before it is renamed into place anyway, and copying it into
    freshly allocated cache pages first costs more CPU than anything else the client does
    (about 1.5 s per GiB on the benchmark machine). The unaligned tail, small files, and file
    systems without O_DIRECT use ordinary writes through the same buffer.
    """

    def __init__(self, fd: int, size: int, threaded: bool, depth: int = 2) -> None:
        direct = size >= DIRECT_MIN_BYTES and _try_direct(fd)
        self._appender = _Appender(fd, direct)
        self._queue: queue.Queue[memoryview | None] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        if threaded:
            self._thread = threading.Thread(
                target=self._run, name="trackd-download-writer", daemon=True
            )
            self._thread.start()

    def write(self, chunk: memoryview) -> None:
        """Writes `chunk` (which must not change afterwards), or queues it for the thread."""
        if self._error is not None:
            raise self._error
        if self._thread is None:
            self._appender.write(chunk)
        else:
            self._queue.put(chunk)

    def finish(self) -> None:
        """Waits for every queued chunk and writes the rest; raises the first write error.
        The caller then fsyncs and closes the file."""
        self._stop()
        if self._error is not None:
            raise self._error
        self._appender.finish()

    def abandon(self) -> None:
        """Stops without writing what is left (after a failure)."""
        self._error = self._error or RuntimeError("abandoned")
        self._stop()
        self._appender.close()

    def _stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        while (chunk := self._queue.get()) is not None:
            if self._error is not None:
                continue
            try:
                self._appender.write(chunk)
            except BaseException as exc:  # raised on the caller's thread
                self._error = exc


DIRECT_MIN_BYTES = 8 * 1024 * 1024
_BUFFER_BYTES = 4 * 1024 * 1024
_ALIGN = 4096  # a multiple of every device's logical block size in practice
_O_DIRECT: int = getattr(os, "O_DIRECT", 0)


def _set_direct(fd: int, on: bool) -> None:
    flags = fcntl.fcntl(fd, fcntl.F_GETFL)
    fcntl.fcntl(fd, fcntl.F_SETFL, flags | _O_DIRECT if on else flags & ~_O_DIRECT)


def _try_direct(fd: int) -> bool:
    if not _O_DIRECT or fcntl is None:
        return False
    try:
        _set_direct(fd, True)
    except OSError as exc:
        if exc.errno != errno.EINVAL:
            raise
        return False  # the file system does not take it (tmpfs, some FUSE)
    return True


class _Appender:
    """Appends to a new file in writes of _BUFFER_BYTES from one page-aligned buffer (with
    O_DIRECT when `direct`); `finish` writes the rest, its unaligned tail without O_DIRECT."""

    def __init__(self, fd: int, direct: bool) -> None:
        self._fd = fd
        self._direct = direct
        self._buffer = mmap.mmap(-1, _BUFFER_BYTES)
        self._filled = 0

    def write(self, data: memoryview) -> None:
        view = data
        while view:
            n = min(len(view), _BUFFER_BYTES - self._filled)
            self._buffer[self._filled : self._filled + n] = view[:n]
            self._filled += n
            view = view[n:]
            if self._filled == _BUFFER_BYTES:
                self._flush(_BUFFER_BYTES)

    def finish(self) -> None:
        aligned = self._filled - self._filled % _ALIGN
        if aligned:
            self._flush(aligned)
        if self._filled:
            self._buffered()
            self._flush(self._filled)
        self._buffer.close()

    def close(self) -> None:
        self._buffer.close()

    def _buffered(self) -> None:
        if self._direct:
            _set_direct(self._fd, False)
            self._direct = False

    def _flush(self, length: int) -> None:
        with memoryview(self._buffer) as view:
            done = 0
            while done < length:
                try:
                    done += os.write(self._fd, view[done:length])
                except OSError as exc:
                    if not self._direct or exc.errno != errno.EINVAL:
                        raise
                    self._buffered()  # refused after all: go on without O_DIRECT
                    continue
                if done % _ALIGN:
                    self._buffered()  # a short write broke the alignment
            rest = self._filled - length
            if rest:
                view[:rest] = bytes(view[length : self._filled])
            self._filled = rest


def fadvise_sequential(fd: int) -> None:
    """Tells the kernel a file is read from start to end (more read-ahead)."""
    with contextlib.suppress(OSError, AttributeError):
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_SEQUENTIAL)
