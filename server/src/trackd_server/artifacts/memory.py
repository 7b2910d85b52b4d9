"""Keeping the server's memory flat while artifact content streams through it, without
paying for fresh memory on every chunk.

Every chunk of a transfer passes through several buffers of its size (gRPC's copy of the
message, protobuf's, the chunk itself). Left to its defaults, glibc's malloc serves buffers
that large with mmap and returns them with munmap; each byte then costs a page fault and a
zeroed page, several times over, which is most of the server's CPU time in a transfer
(measured on the benchmark machine: about 0.4 CPU-seconds per GiB and per buffer). So the
server raises malloc's mmap threshold to its maximum and its trim threshold above the buffers
one transfer keeps in flight: freed chunk buffers go back to malloc's heap and the next
chunk reuses them. When a large transfer ends, `release_free_memory` (malloc_trim) hands what
the heap holds free back to the operating system, so the resident memory of a server that
streamed gigabytes returns to its baseline. That needs a single heap: malloc_trim cannot
shrink the per-thread heaps glibc otherwise creates (the free memory at their top stays
resident), so the server keeps all of malloc's memory in one arena. Small allocations are
served from per-thread caches without its lock, and Python objects mostly not by malloc at
all, so sharing it costs nothing measurable here.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import logging
import platform
from typing import Any

log = logging.getLogger(__name__)
M_TRIM_THRESHOLD = -1  # from glibc's malloc.h
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8
# glibc's largest mmap threshold (on 64-bit): chunk buffers (at most 16 MiB) stay below it.
HEAP_BUFFER_LIMIT = 32 * 1024 * 1024
# Freed memory at the top of a heap kept for reuse before malloc trims it on its own.
KEEP_FREE_BYTES = 64 * 1024 * 1024
# Transfers at least this large give their buffers back when they end.
RELEASE_AFTER_BYTES = 8 * 1024 * 1024


def _glibc() -> Any:
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None


_libc = _glibc()


def reuse_transfer_buffers() -> bool:
    """Makes malloc keep freed chunk buffers for reuse, in one arena (a no-op except with
    glibc); returns whether it did. Call it early, before the server starts its threads."""
    if _libc is None:
        return False
    try:
        return bool(
            _libc.mallopt(M_ARENA_MAX, 1)
            and _libc.mallopt(M_MMAP_THRESHOLD, HEAP_BUFFER_LIMIT)
            and _libc.mallopt(M_TRIM_THRESHOLD, KEEP_FREE_BYTES)
        )
    except AttributeError:
        log.debug("mallopt is not available; large buffers follow malloc's defaults")
        return False


def release_free_memory(transferred: int) -> None:
    """After a transfer of `transferred` bytes: returns the memory malloc holds free to the
    operating system, if the transfer was large enough to have left much behind."""
    if _libc is None or transferred < RELEASE_AFTER_BYTES:
        return
    with contextlib.suppress(AttributeError):
        _libc.malloc_trim(0)
