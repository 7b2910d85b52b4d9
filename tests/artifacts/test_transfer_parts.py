"""The pieces fast transfers are built from, on real files: direct-I/O appending and reading
(server and client), the threads that overlap hashing with writing and reading, and the
client's hand-made wire framing of content messages."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from trackd import _artifact_wire as wire
from trackd.v1 import artifact_pb2
from trackd.v1 import artifact_service_pb2 as pb
from trackd_server.artifacts import direct_io
from trackd_server.artifacts.pipelines import ReadAhead, WriteBehind

MIB = 1024 * 1024
SIZES = [0, 1, 4095, 4096, 4097, 4 * MIB - 1, 4 * MIB, 4 * MIB + 1, 9 * MIB + 7]


def _content(size: int) -> bytes:
    return (os.urandom(4096) * (size // 4096 + 1))[:size]


def _pieces(data: bytes, sizes: tuple[int, ...] = (MIB + 3, 7, 4 * MIB)) -> Iterator[bytes]:
    """`data` cut into pieces of irregular sizes, as uploads arrive."""
    start, i = 0, 0
    while start < len(data):
        yield data[start : start + sizes[i % len(sizes)]]
        start += sizes[i % len(sizes)]
        i += 1


@pytest.mark.parametrize("direct", [True, False], ids=["direct", "buffered"])
@pytest.mark.parametrize("size", SIZES)
def test_the_server_appender_writes_exactly_what_it_was_given(
    tmp_path: Path, size: int, direct: bool
) -> None:
    data = _content(size)
    path = tmp_path / "staged.part"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        # The test directory is on a file system that takes O_DIRECT (ext4 here).
        assert direct_io.try_direct(fd) if direct else True
        appender = direct_io.Appender(fd, direct)
        for piece in _pieces(data):
            appender.write(piece)
        appender.finish()
        os.fsync(fd)
    finally:
        os.close(fd)
    assert path.read_bytes() == data


@pytest.mark.parametrize("chunk_bytes", [64 * 1024, 100_000, MIB, 4 * MIB])
@pytest.mark.parametrize("size", [0, 4097, 8 * MIB, 9 * MIB + 7])
def test_the_server_reader_returns_the_file_in_bounded_chunks(
    tmp_path: Path, size: int, chunk_bytes: int
) -> None:
    data = _content(size)
    path = tmp_path / "stored.bin"
    path.write_bytes(data)
    reader = direct_io.Reader(str(path), size, chunk_bytes)
    chunks = []
    try:
        while chunk := reader.read():
            chunks.append(chunk)
    finally:
        reader.close()
    assert b"".join(chunks) == data
    assert all(0 < len(c) <= chunk_bytes for c in chunks)


@pytest.mark.parametrize("threaded", [True, False], ids=["threaded", "inline"])
@pytest.mark.parametrize("size", SIZES)
def test_the_client_writer_writes_exactly_what_arrived(
    tmp_path: Path, size: int, threaded: bool
) -> None:
    data = _content(size)
    path = tmp_path / "download.part"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        writer = wire.Writer(fd, size, threaded=threaded)
        for piece in _pieces(data):
            writer.write(memoryview(piece))
        writer.finish()
    finally:
        os.close(fd)
    assert path.read_bytes() == data


def test_write_behind_writes_in_order_and_reports_a_failed_write() -> None:
    written: list[bytes] = []
    with WriteBehind(written.append) as behind:
        for i in range(50):
            behind.write(bytes([i]))
    assert written == [bytes([i]) for i in range(50)]

    def failing(chunk: bytes) -> None:
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space"), WriteBehind(failing) as behind:
        for i in range(50):
            behind.write(bytes([i]))


def test_write_behind_drops_what_is_queued_when_the_receiver_fails() -> None:
    entered, release = threading.Event(), threading.Event()
    written: list[bytes] = []

    def slow(chunk: bytes) -> None:
        entered.set()
        release.wait(10)
        written.append(chunk)

    threading.Timer(0.2, release.set).start()
    with pytest.raises(ValueError, match="checksum"), WriteBehind(slow, depth=2) as behind:
        behind.write(b"a")
        assert entered.wait(10)  # "a" is being written; "b" and "c" wait in the queue
        behind.write(b"b")
        behind.write(b"c")
        raise ValueError("checksum mismatch")
    assert written == [b"a"]


def test_read_ahead_keeps_order_passes_errors_and_stops_early() -> None:
    items = iter([b"1", b"2", b"3", b""])
    ahead = ReadAhead(lambda: next(items))
    assert [ahead.next() for _ in range(4)] == [b"1", b"2", b"3", b""]
    ahead.close()

    def broken() -> bytes:
        raise OSError(5, "Input/output error")

    ahead = ReadAhead(broken)
    with pytest.raises(OSError, match="Input/output"):
        ahead.next()
    ahead.close()

    endless = ReadAhead(lambda: b"x" * 1024, depth=2)
    assert endless.next() == b"x" * 1024
    endless.close()  # with the queue full and the reader blocked: must not hang


@pytest.mark.parametrize("length", [0, 1, 127, 128, 16383, 16384, 4 * MIB])
def test_hand_framed_content_messages_are_protobuf_messages(length: int) -> None:
    data = os.urandom(length)
    buffer = bytearray(wire.PREFIX_ROOM + max(length, 1))
    buffer[wire.PREFIX_ROOM : wire.PREFIX_ROOM + length] = data
    message, offset = wire.chunk_message(buffer, length)
    assert message == pb.UploadArtifactRequest(chunk=data).SerializeToString()
    assert message[offset:] == data
    chunk = wire.chunk_of(pb.DownloadArtifactResponse(chunk=data).SerializeToString())
    assert chunk is not None and bytes(chunk) == data


def test_other_download_messages_are_parsed_by_protobuf() -> None:
    description = pb.DownloadArtifactResponse(file=artifact_pb2.FileInfo(path="a", size=3))
    assert wire.chunk_of(description.SerializeToString()) is None
    # A chunk followed by a field this client does not know: not the bare shape, still parsed.
    unknown_field = bytes([0x98, 0x06, 0x01])  # field 99, varint 1
    serialized = pb.DownloadArtifactResponse(chunk=b"abc").SerializeToString() + unknown_field
    chunk = wire.chunk_of(serialized)
    assert chunk is not None and bytes(chunk) == b"abc"
