"""Large artifact files moved with O_DIRECT, around the page cache.

An upload must be on disk before it becomes visible (it is fsynced before the rename), so
buffering it in the page cache first buys nothing: it costs a copy of every byte into freshly
allocated cache pages (the most expensive part of an upload on the benchmark machine, about
1.5 CPU-seconds per GiB) and pushes gigabytes of write-once data into a cache the database
needs. Reads of large files go around the cache too, for the same reasons: a file uploaded
here was never cached, and caching it for one download would cost the same again.

O_DIRECT needs the memory address, the file offset and the length of every transfer aligned
to the device's block size; content goes through one page-aligned buffer of BUFFER_BYTES, and
the unaligned tail of a file is written with O_DIRECT switched off. Files below
DIRECT_MIN_BYTES, platforms without O_DIRECT, and file systems that refuse it (tmpfs) use
ordinary buffered I/O through the same buffer.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import mmap
import os

from . import writeback

DIRECT_MIN_BYTES = 8 * 1024 * 1024
BUFFER_BYTES = 4 * 1024 * 1024
ALIGN = 4096  # a multiple of every device's logical block size in practice
O_DIRECT: int = getattr(os, "O_DIRECT", 0)


def try_direct(fd: int) -> bool:
    """Switches O_DIRECT on for `fd` if this platform and the file system support it;
    returns whether it is on."""
    if not O_DIRECT:
        return False
    try:
        fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) | O_DIRECT)
    except OSError as exc:
        if exc.errno != errno.EINVAL:
            raise
        return False
    return True


def _stop_direct(fd: int) -> None:
    fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~O_DIRECT)


class Appender:
    """Appends content to a new file through an aligned buffer, in writes of BUFFER_BYTES
    (with O_DIRECT when the descriptor has it). `finish` writes what is left; the caller
    then fsyncs and closes the descriptor."""

    def __init__(self, fd: int, direct: bool) -> None:
        self._fd = fd
        self._direct = direct
        self._buffer = mmap.mmap(-1, BUFFER_BYTES)
        self._filled = 0
        self._writeback = writeback.Writeback(fd)

    def write(self, data: bytes | memoryview) -> None:
        view = memoryview(data)
        while view:
            n = min(len(view), BUFFER_BYTES - self._filled)
            self._buffer[self._filled : self._filled + n] = view[:n]
            self._filled += n
            view = view[n:]
            if self._filled == BUFFER_BYTES:
                self._flush(BUFFER_BYTES)

    def finish(self) -> None:
        """Writes the buffered rest: its aligned part as before, the tail without O_DIRECT."""
        aligned = self._filled - self._filled % ALIGN
        if aligned:
            self._flush(aligned)
        if self._filled:
            if self._direct:
                _stop_direct(self._fd)
                self._direct = False
            self._flush(self._filled)
        self._buffer.close()

    def close(self) -> None:
        """Releases the buffer without writing (after a failure)."""
        self._buffer.close()

    def _flush(self, length: int) -> None:
        view = memoryview(self._buffer)
        try:
            done = 0
            while done < length:
                try:
                    done += os.write(self._fd, view[done:length])
                except OSError as exc:
                    if not self._direct or exc.errno != errno.EINVAL:
                        raise
                    _stop_direct(self._fd)  # refused after all: finish buffered
                    self._direct = False
                    continue
                if self._direct and done % ALIGN:
                    _stop_direct(self._fd)  # a short write broke the alignment
                    self._direct = False
            if not self._direct:
                self._writeback.wrote(length)
            # Keep the rest (after a partial `finish`) at the start of the buffer.
            rest = self._filled - length
            if rest:
                view[:rest] = view[length : self._filled]
            self._filled = rest
        finally:
            view.release()


class Reader:
    """Reads a file from start to end in chunks of `chunk_bytes`, with O_DIRECT for large
    files (into an aligned buffer, then copied into the chunk returned)."""

    def __init__(self, path: str, size: int, chunk_bytes: int) -> None:
        self._fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        self._chunk_bytes = chunk_bytes
        self._buffer: mmap.mmap | None = None
        try:
            if size >= DIRECT_MIN_BYTES and try_direct(self._fd):
                # Whole blocks only, so that every read starts at an aligned offset.
                self._buffer = mmap.mmap(-1, max(ALIGN, chunk_bytes - chunk_bytes % ALIGN))
            else:
                self._buffered()
        except BaseException:
            os.close(self._fd)
            raise

    def read(self) -> bytes:
        """The next chunk; b"" at the end."""
        if self._buffer is not None:
            try:
                n = os.readv(self._fd, [self._buffer])
                return self._buffer[:n]
            except OSError as exc:
                if exc.errno != errno.EINVAL:
                    raise
                # Refused after all (an alignment this device does not take): go on buffered
                # from the same offset, which a failed read leaves unchanged.
                _stop_direct(self._fd)
                self._buffer.close()
                self._buffer = None
                self._buffered()
        return os.read(self._fd, self._chunk_bytes)

    def _buffered(self) -> None:
        with contextlib.suppress(OSError, AttributeError):  # a hint; not everywhere
            os.posix_fadvise(self._fd, 0, 0, os.POSIX_FADV_SEQUENTIAL)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self._fd)
        if self._buffer is not None:
            self._buffer.close()
