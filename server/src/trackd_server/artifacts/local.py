"""Artifacts in a local directory (the default: `./trackd-artifacts` beside the database).

Uploads are written to `<destination>/.trackd-uploads/` (outside every run's root, so never
listed), fsynced, then renamed into place: a reader sees the whole file or none of it, and an
interrupted upload leaves nothing in the run. Every path is resolved with realpath and must stay
inside the run's root, so a symbolic link cannot lead a read or a write elsewhere.
"""

from __future__ import annotations

import contextlib
import heapq
import logging
import os
import stat
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..domain.errors import InvalidArgument, PermissionDenied
from . import direct_io, paths
from .base import (
    CHUNK_BYTES,
    ChunkStream,
    FileInfo,
    artifact_not_found,
    is_a_directory,
    outside_destination,
    parent_is_a_file,
)
from .pipelines import ReadAhead

log = logging.getLogger(__name__)
STAGING_DIR = ".trackd-uploads"
SHA256_XATTR = "user.trackd.sha256"
STALE_UPLOAD_SECONDS = 24 * 3600


def file_path(location: str, field: str) -> str:
    """The absolute local path of `/abs/dir` or `file:///abs/dir` (percent-decoded once, as a
    URI is); INVALID_ARGUMENT for anything else or for an unsafe location."""
    why = paths.location_problem(location)
    if why is not None:
        raise paths.unsafe(field, location, why)
    if location.startswith("/"):
        path = location
    else:
        parts = urlsplit(location)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise paths.unsafe(
                field, location, "must be an absolute path or a file:/// URI on this server"
            )
        path = unquote(parts.path)
    if not path.startswith("/"):
        raise paths.unsafe(field, location, "must be absolute")
    return os.path.normpath(path)


def _escapes(path: str) -> PermissionDenied:
    return PermissionDenied(
        f"artifact {path!r} resolves (through a symbolic link) to a place outside the run's "
        "artifact root",
        reason="ARTIFACT_PATH_OUTSIDE_ROOT",
        metadata={"path": path},
    )


class _FileChunks:
    """The content of a file in chunks, read ahead on a thread of its own for large files;
    closing it closes the file."""

    def __init__(self, path: str, size: int, chunk_bytes: int) -> None:
        self._reader = direct_io.Reader(path, size, chunk_bytes)
        self._ahead = ReadAhead(self._reader.read) if size > chunk_bytes else None
        self._closed = False

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        if self._closed:
            raise StopIteration
        data = self._ahead.next() if self._ahead is not None else self._reader.read()
        if not data:
            self.close()
            raise StopIteration
        return data

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._ahead is not None:
            self._ahead.close()
        self._reader.close()


class _LocalUpload:
    def __init__(self, staging: str, run_root: str, path: str, size: int) -> None:
        os.makedirs(staging, exist_ok=True)
        self._tmp = os.path.join(staging, f"{uuid.uuid4().hex}.part")
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
        self._fd: int | None = os.open(self._tmp, flags, 0o644)
        try:
            direct = size >= direct_io.DIRECT_MIN_BYTES and direct_io.try_direct(self._fd)
            self._appender = direct_io.Appender(self._fd, direct)
        except BaseException:
            os.close(self._fd)
            os.unlink(self._tmp)
            raise
        self._run_root = run_root
        self._path = path
        self._committed = False

    def write(self, chunk: bytes) -> None:
        self._appender.write(chunk)

    def commit(self, sha256: str) -> None:
        assert self._fd is not None, "commit after discard"
        self._appender.finish()
        os.fsync(self._fd)
        self._close()
        # Without user xattrs on the file system, downloads report no checksum.
        with contextlib.suppress(OSError):
            os.setxattr(self._tmp, SHA256_XATTR, sha256.encode("ascii"))
        target = self._prepare_target()
        os.replace(self._tmp, target)
        self._committed = True
        _fsync_directory(os.path.dirname(target))

    def _close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _prepare_target(self) -> str:
        parent_rel = os.path.dirname(self._path)
        try:
            os.makedirs(os.path.join(self._run_root, parent_rel), exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            raise parent_is_a_file(self._path, self._first_file_ancestor()) from None
        target = os.path.realpath(os.path.join(self._run_root, self._path))
        if not paths.contained(os.path.realpath(self._run_root), target):
            raise _escapes(self._path)
        if os.path.isdir(target):
            raise is_a_directory(self._path)
        return target

    def _first_file_ancestor(self) -> str:
        parts = self._path.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            candidate = "/".join(parts[:i])
            if not os.path.isdir(os.path.join(self._run_root, candidate)):
                return candidate
        return "/".join(parts)

    def discard(self) -> None:
        self._appender.close()
        self._close()
        if not self._committed:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self._tmp)


def _fsync_directory(path: str) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class LocalArtifactStore:
    """Artifacts under one local directory."""

    def __init__(self, destination: str) -> None:
        try:
            self._root = file_path(destination, "--artifacts-destination")
        except InvalidArgument as exc:
            raise ValueError(exc.message) from None
        self._destination = Path(self._root).as_uri()

    @property
    def destination(self) -> str:
        return self._destination

    def remove_stale_uploads(self) -> int:
        """Deletes staged uploads left by a crashed server (older than a day); returns how
        many. Younger ones may belong to another worker's upload in progress."""
        staging = os.path.join(self._root, STAGING_DIR)
        removed = 0
        cutoff = time.time() - STALE_UPLOAD_SECONDS
        try:
            entries = list(os.scandir(staging))
        except FileNotFoundError:
            return 0
        for entry in entries:
            if entry.name.endswith(".part") and entry.stat().st_mtime < cutoff:
                os.unlink(entry.path)
                removed += 1
        return removed

    def check_location(self, location: str, field: str) -> str:
        path = file_path(location, field)
        if paths.contained(os.path.join(self._root, STAGING_DIR), path):
            raise paths.unsafe(field, location, "is inside the server's upload staging area")
        return location

    def contains(self, uri: str) -> bool:
        try:
            return paths.contained(self._root, file_path(uri, "artifact_uri"))
        except InvalidArgument:
            return False

    def _run_root(self, artifact_uri: str) -> str:
        run_root = file_path(artifact_uri, "artifact_uri")
        real_root = os.path.realpath(self._root)
        if not paths.contained(self._root, run_root) or not paths.contained(
            real_root, os.path.realpath(run_root)
        ):
            raise outside_destination(artifact_uri, self._destination)
        return run_root

    def _resolve(self, run_root: str, path: str) -> str:
        real = os.path.realpath(os.path.join(run_root, path))
        if not paths.contained(os.path.realpath(run_root), real):
            raise _escapes(path)
        return real

    def stage(self, artifact_uri: str, path: str, size: int, sha256: str | None) -> _LocalUpload:
        run_root = self._run_root(artifact_uri)
        target = self._resolve(run_root, path)
        if os.path.isdir(target):
            raise is_a_directory(path)
        return _LocalUpload(os.path.join(self._root, STAGING_DIR), run_root, path, size)

    def accepts_late_sha256(self, size: int) -> bool:
        return True  # the checksum is written beside the file at commit

    def open(
        self, artifact_uri: str, path: str, chunk_bytes: int = CHUNK_BYTES
    ) -> tuple[FileInfo, ChunkStream]:
        target = self._resolve(self._run_root(artifact_uri), path)
        try:
            info = os.stat(target)
        except (FileNotFoundError, NotADirectoryError):
            raise artifact_not_found(path) from None
        if stat.S_ISDIR(info.st_mode):
            raise is_a_directory(path)
        if not stat.S_ISREG(info.st_mode):
            raise artifact_not_found(path)
        return FileInfo(path, False, info.st_size, _stored_sha256(target)), _FileChunks(
            target, info.st_size, chunk_bytes
        )

    def list(
        self, artifact_uri: str, path: str, after: str | None, limit: int
    ) -> tuple[list[FileInfo], bool]:
        run_root = self._run_root(artifact_uri)
        directory = self._resolve(run_root, path)
        if not os.path.isdir(directory):
            return [], False
        real_root = os.path.realpath(run_root)

        def entries() -> Iterator[tuple[str, FileInfo]]:
            with os.scandir(directory) as scan:
                for entry in scan:
                    item = self._describe(entry, path, real_root)
                    if item is None:
                        continue
                    key = paths.sort_key(entry.name, item.is_dir)
                    if after is None or key > after:
                        yield key, item

        # Memory stays O(limit) however big the directory is.
        page = heapq.nsmallest(limit + 1, entries(), key=lambda pair: pair[0])
        return [item for _, item in page[:limit]], len(page) > limit

    @staticmethod
    def _describe(entry: os.DirEntry[str], parent: str, real_root: str) -> FileInfo | None:
        """The listing entry, or None for what no client could address: names that are not
        valid UTF-8 or not safe artifact paths, and links leading outside the run's root."""
        try:
            entry.name.encode("utf-8")
            rel = paths.relative_path(paths.join(parent, entry.name), allow_root=False)
        except (UnicodeEncodeError, InvalidArgument):
            return None
        if entry.is_symlink() and not paths.contained(real_root, os.path.realpath(entry.path)):
            return None
        try:
            if entry.is_dir():
                return FileInfo(rel, True)
            # One getxattr per file: a listing shows the checksum a download would carry.
            return FileInfo(rel, False, entry.stat().st_size, _stored_sha256(entry.path))
        except OSError:
            return None  # removed while we listed, or a dangling link


def _stored_sha256(target: str) -> str:
    """The checksum written beside the file at commit; empty for files put there by other
    means (or on a file system without user xattrs)."""
    try:
        return os.getxattr(target, SHA256_XATTR).decode("ascii")
    except OSError:
        return ""
