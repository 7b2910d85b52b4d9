"""The interface every artifact store implements, and the values that cross it.

A store keeps the bytes of run artifacts under one configured destination (a local directory
or an S3 prefix). It is addressed with a run's `artifact_uri` (`<location>/<run_id>/artifacts`)
and a canonical relative path (see `paths.relative_path`); it refuses a run whose artifact URI
is outside its destination, so the server never touches storage it was not given.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from ..domain.errors import FailedPrecondition, NotFound

# Content chunks, which bound what one message holds in memory: downloads use CHUNK_BYTES
# unless the client asks for larger ones, up to MAX_CHUNK_BYTES, the upload limit too.
CHUNK_BYTES = 1024 * 1024
MIN_CHUNK_BYTES = 64 * 1024
MAX_CHUNK_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class FileInfo:
    """A file or directory among a run's artifacts; `path` is relative to the run's root."""

    path: str
    is_dir: bool
    size: int = 0
    sha256: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "is_dir": self.is_dir, "size": self.size, "sha": self.sha256}

    @staticmethod
    def from_json(data: dict[str, Any]) -> FileInfo:
        return FileInfo(data["path"], bool(data["is_dir"]), int(data["size"]), data["sha"])


class ChunkStream(Protocol):
    """File content in chunks; `close` releases the file early (the end releases it too)."""

    def __iter__(self) -> Iterator[bytes]: ...

    def __next__(self) -> bytes: ...

    def close(self) -> None: ...


class StagedUpload(Protocol):
    """Content being received, invisible until `commit`; `discard` forgets it."""

    def write(self, chunk: bytes) -> None: ...

    def commit(self, sha256: str) -> None:
        """Makes the file, whose verified checksum is `sha256`, visible at its path at once,
        replacing an older file there."""

    def discard(self) -> None:
        """Removes what was received; safe to call twice and after `commit` (then a no-op)."""


class ArtifactStore(Protocol):
    """Where artifact bytes live. Implementations are safe to use from many threads."""

    @property
    def destination(self) -> str:
        """The configured root URI, for example `file:///srv/trackd-artifacts`."""

    def check_location(self, location: str, field: str) -> str:
        """Validates an experiment's artifact location (a well-formed absolute URI or path of
        this store's kind with no traversal); returns it as it should be stored."""

    def contains(self, uri: str) -> bool:
        """Whether `uri` is the destination or inside it."""

    def stage(self, artifact_uri: str, path: str, size: int, sha256: str | None) -> StagedUpload:
        """Prepares to receive `size` bytes for `path` of the run at `artifact_uri`; `sha256` is
        None when the checksum arrives after the content (see `accepts_late_sha256`)."""

    def accepts_late_sha256(self, size: int) -> bool:
        """Whether an upload of `size` bytes can be staged before its SHA-256 is known (an S3
        multipart upload cannot: the checksum is object metadata, fixed when it starts)."""

    def open(
        self, artifact_uri: str, path: str, chunk_bytes: int = CHUNK_BYTES
    ) -> tuple[FileInfo, ChunkStream]:
        """The file's description and its content in chunks of at most `chunk_bytes`."""

    def list(
        self, artifact_uri: str, path: str, after: str | None, limit: int
    ) -> tuple[list[FileInfo], bool]:
        """Up to `limit` direct children of directory `path` whose `paths.sort_key` is greater
        than `after`, in that order, and whether more follow."""


def artifact_not_found(path: str) -> NotFound:
    """NOT_FOUND for a missing file."""
    return NotFound(
        f"there is no artifact {path!r}", reason="ARTIFACT_NOT_FOUND", metadata={"path": path}
    )


def is_a_directory(path: str) -> FailedPrecondition:
    """FAILED_PRECONDITION for a directory where a file is needed."""
    return FailedPrecondition(
        f"artifact {path!r} is a directory; list it, or download the files in it",
        reason="ARTIFACT_IS_DIRECTORY",
        metadata={"path": path},
    )


def parent_is_a_file(path: str, parent: str) -> FailedPrecondition:
    """FAILED_PRECONDITION for a file below a file."""
    return FailedPrecondition(
        f"cannot store {path!r}: {parent!r} is a file, not a directory",
        reason="ARTIFACT_PARENT_IS_FILE",
        metadata={"path": path, "parent": parent},
    )


def outside_destination(uri: str, destination: str) -> FailedPrecondition:
    """FAILED_PRECONDITION for a run whose artifacts are not in this server's store."""
    return FailedPrecondition(
        f"artifact location {uri!r} is outside this server's artifact destination "
        f"{destination!r}; the server only reads and writes artifacts there",
        reason="ARTIFACT_LOCATION_OUTSIDE_DESTINATION",
        metadata={"artifact_uri": uri[:500], "destination": destination},
    )
