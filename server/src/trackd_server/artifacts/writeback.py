"""Starting the write-back of an upload's pages while it still arrives.

A staged upload is fsynced before it becomes visible. Left alone, the kernel writes a large
file's dirty pages back only when the fsync asks for them, and the client waits for the whole
write-back at the end (about a quarter of a second per GiB here). Asking the kernel to start
writing each stretch as soon as it is complete (`sync_file_range(SYNC_FILE_RANGE_WRITE)`, which
does not wait) overlaps that work with the transfer, so the final fsync finds little left.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import platform
from collections.abc import Callable

log = logging.getLogger(__name__)
# Write-back starts once this much new content is in the page cache.
STRETCH_BYTES = 16 * 1024 * 1024
_SYNC_FILE_RANGE_WRITE = 2  # from linux/fs.h


def _load_sync_file_range() -> Callable[[int, int, int, int], int] | None:
    if platform.system() != "Linux":
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        function = libc.sync_file_range
    except (OSError, AttributeError):
        log.debug("sync_file_range is not available; uploads are written back at fsync")
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function  # type: ignore[no-any-return]


_sync_file_range = _load_sync_file_range()


class Writeback:
    """Tracks what was written to `fd` and starts its write-back a stretch at a time."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._written = 0
        self._started = 0

    def wrote(self, n: int) -> None:
        """Records `n` more bytes written at the end of the file."""
        self._written += n
        if _sync_file_range is None or self._written - self._started < STRETCH_BYTES:
            return
        # Only a hint: a failure (an unusual file system) leaves the work to the fsync.
        _sync_file_range(
            self._fd, self._started, self._written - self._started, _SYNC_FILE_RANGE_WRITE
        )
        self._started = self._written
