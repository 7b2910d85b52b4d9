"""Artifacts of runs: checked uploads, streamed downloads, paged listings.

An upload is verified (size and SHA-256, announced in its header or in a trailer after the
content) while it streams into the store's staging area; it becomes visible only when it
matched, inside the same write transaction that checks the run is still writable and records
the request id. So a retried upload with the same request id stores nothing twice, and no
upload lands in a run deleted meanwhile.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from ..artifacts import memory, paths
from ..artifacts.base import (
    CHUNK_BYTES,
    MAX_CHUNK_BYTES,
    MIN_CHUNK_BYTES,
    ArtifactStore,
    ChunkStream,
    FileInfo,
    StagedUpload,
)
from ..artifacts.pipelines import WriteBehind
from ..domain.artifact_errors import DataLoss
from ..domain.entities import Page
from ..domain.errors import FailedPrecondition, InvalidArgument
from ..store.protocol import StoreTransaction, TrackingStore
from . import validation
from .idempotency import run_once
from .pagination import PageTokens, page_size, query_digest
from .runs import run_not_found, writable_run

LIST_PAGE_DEFAULT = 1000
LIST_PAGE_MAX = 10000
_SHA256_HEX = re.compile(r"^[0-9a-fA-F]{64}$")


@dataclass(frozen=True)
class UploadHeader:
    run_id: str
    path: str
    size: int
    # Empty when `sha256_in_trailer`: the checksum then follows the content.
    sha256: str
    request_id: str = ""
    sha256_in_trailer: bool = False


def _checked_sha256(value: str, field: str) -> str:
    if not _SHA256_HEX.match(value):
        raise validation.invalid(field, "must be the SHA-256 of the content as 64 hex characters")
    return value.lower()


def _checked_header(header: UploadHeader) -> UploadHeader:
    validation.run_id(header.run_id)
    path = paths.relative_path(header.path, "path", allow_root=False)
    if header.size < 0:
        raise validation.invalid("size", f"{header.size} is negative")
    if header.sha256_in_trailer:
        if header.sha256:
            raise validation.invalid("sha256", "must be empty when sha256_in_trailer is set")
        sha256 = ""
    else:
        sha256 = _checked_sha256(header.sha256, "sha256")
    validation.request_id(header.request_id)
    return UploadHeader(
        header.run_id, path, header.size, sha256, header.request_id, header.sha256_in_trailer
    )


def _receive(chunks: Iterable[bytes], write: Callable[[bytes], None], header: UploadHeader) -> str:
    """Streams `chunks` into the staged upload, checking their size against the header;
    returns the SHA-256 of what arrived."""
    digest = hashlib.sha256()
    received = 0
    for chunk in chunks:
        if len(chunk) > MAX_CHUNK_BYTES:
            raise validation.invalid(
                "chunk",
                f"{len(chunk)} bytes; send the content in chunks of at most {MAX_CHUNK_BYTES}",
            )
        received += len(chunk)
        if received > header.size:
            raise _size_mismatch(header, received, "more than")
        digest.update(chunk)
        write(chunk)
    if received != header.size:
        raise _size_mismatch(header, received, "only")
    return digest.hexdigest()


def _receive_into(staged: StagedUpload, chunks: Iterable[bytes], header: UploadHeader) -> str:
    if header.size <= MAX_CHUNK_BYTES:
        return _receive(chunks, staged.write, header)  # one chunk: nothing to overlap
    # This thread hashes while another writes (both release the GIL).
    with WriteBehind(staged.write) as behind:
        return _receive(chunks, behind.write, header)


def _announced_sha256(header: UploadHeader, trailer: Callable[[], str | None]) -> str:
    if not header.sha256_in_trailer:
        return header.sha256
    sha256 = trailer()
    if sha256 is None:
        raise InvalidArgument(
            f"the upload of {header.path!r} announced its SHA-256 in a trailer but ended "
            "without one; nothing was stored",
            reason="ARTIFACT_CHECKSUM_MISSING",
            metadata={"path": header.path},
        )
    return _checked_sha256(sha256, "trailer.sha256")


def _size_mismatch(header: UploadHeader, received: int, how: str) -> DataLoss:
    return DataLoss(
        f"received {how} {received} bytes of {header.path!r}, but the header announced "
        f"{header.size}; nothing was stored",
        reason="ARTIFACT_SIZE_MISMATCH",
        metadata={"path": header.path, "expected": str(header.size), "received": str(received)},
    )


def _checksum_mismatch(header: UploadHeader, expected: str, actual: str) -> DataLoss:
    return DataLoss(
        f"the content of {header.path!r} has SHA-256 {actual}, not {expected} as "
        "announced; nothing was stored",
        reason="ARTIFACT_CHECKSUM_MISMATCH",
        metadata={"path": header.path, "expected": expected, "actual": actual},
    )


def _late_sha256_refused(header: UploadHeader) -> FailedPrecondition:
    return FailedPrecondition(
        f"this server's artifact store needs the SHA-256 of {header.path!r} "
        f"({header.size} bytes) in the header, before the content; send it there",
        reason="SHA256_IN_TRAILER_UNSUPPORTED",
        metadata={"path": header.path, "size": str(header.size)},
    )


def download_chunk_bytes(requested: int) -> int:
    """The chunk size of a download: 0 means CHUNK_BYTES; others must be within bounds."""
    if requested == 0:
        return CHUNK_BYTES
    if not MIN_CHUNK_BYTES <= requested <= MAX_CHUNK_BYTES:
        raise validation.invalid(
            "max_chunk_bytes",
            f"{requested}; use 0 (1 MiB) or {MIN_CHUNK_BYTES} to {MAX_CHUNK_BYTES}",
        )
    return requested


class _ReleasingChunks:
    """A download's chunks; closing them also gives the transfer's buffers back."""

    def __init__(self, chunks: ChunkStream, size: int) -> None:
        self._chunks = chunks
        self._size = size
        self._released = False

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        return next(self._chunks)

    def close(self) -> None:
        self._chunks.close()
        if not self._released:
            self._released = True
            memory.release_free_memory(self._size)


class ArtifactService:
    def __init__(
        self, store: TrackingStore, artifacts: ArtifactStore, page_tokens: PageTokens
    ) -> None:
        self._store = store
        self._artifacts = artifacts
        self._tokens = page_tokens

    @property
    def artifact_store(self) -> ArtifactStore:
        return self._artifacts

    def check_location(self, location: str) -> str:
        """The validation hook for an experiment's `artifact_location`."""
        return self._artifacts.check_location(location, "artifact_location")

    def upload(
        self,
        header: UploadHeader,
        chunks: Iterable[bytes],
        trailer: Callable[[], str | None] = lambda: None,
    ) -> FileInfo:
        """Stores `chunks` (the content announced by `header`) atomically, or nothing.
        `trailer` gives the SHA-256 that followed the content (None if none came); it is
        asked once `chunks` is exhausted, and only when the header said it would come."""
        header = _checked_header(header)
        with self._store.transaction(write=False) as tx:
            # Fails fast, before any byte moves; checked again when the file is committed.
            info = writable_run(tx, header.run_id)
        if header.sha256_in_trailer and not self._artifacts.accepts_late_sha256(header.size):
            raise _late_sha256_refused(header)
        staged = self._artifacts.stage(
            info.artifact_uri, header.path, header.size, header.sha256 or None
        )
        try:
            actual = _receive_into(staged, chunks, header)
            expected = _announced_sha256(header, trailer)
            if actual != expected:
                raise _checksum_mismatch(header, expected, actual)
            stored = FileInfo(header.path, False, header.size, actual)

            def work(tx: StoreTransaction) -> FileInfo:
                writable_run(tx, header.run_id)
                staged.commit(actual)
                return stored

            args = [header.run_id, header.path, header.size, actual]
            return run_once(
                self._store,
                "UploadArtifact",
                header.request_id,
                args,
                work,
                FileInfo.to_json,
                FileInfo.from_json,
            )
        finally:
            staged.discard()
            memory.release_free_memory(header.size)

    def download(
        self, run_id: str, path: str, max_chunk_bytes: int = 0
    ) -> tuple[FileInfo, ChunkStream]:
        """A file's description and content, in chunks of at most `max_chunk_bytes` (0 means
        1 MiB); reads work on deleted runs too, like GetRun."""
        validation.run_id(run_id)
        rel = paths.relative_path(path, "path")
        chunk_bytes = download_chunk_bytes(max_chunk_bytes)
        info, chunks = self._artifacts.open(self._artifact_uri(run_id), rel, chunk_bytes)
        return info, _ReleasingChunks(chunks, info.size)

    def list(self, run_id: str, path: str, size: int, token: str) -> Page[FileInfo]:
        """One page of the direct children of directory `path`, ordered by name."""
        validation.run_id(run_id)
        rel = paths.relative_path(path, "path")
        limit = page_size(size, LIST_PAGE_DEFAULT, LIST_PAGE_MAX)
        digest = query_digest("artifacts", run_id, rel)
        cursor = self._tokens.decode(digest, token)
        after = None
        if cursor is not None:
            if len(cursor) != 1 or not isinstance(cursor[0], str):
                raise InvalidArgument("page_token: malformed", reason="INVALID_PAGE_TOKEN")
            after = cursor[0]
        items, more = self._artifacts.list(self._artifact_uri(run_id), rel, after, limit)
        next_cursor = None
        if more and items:
            last = items[-1]
            next_cursor = [paths.sort_key(last.path.rsplit("/", 1)[-1], last.is_dir)]
        return Page(items, self._tokens.encode(digest, next_cursor))

    def _artifact_uri(self, run_id: str) -> str:
        with self._store.transaction(write=False) as tx:
            info = tx.runs.get_info(run_id)
        if info is None:
            raise run_not_found(run_id)
        return info.artifact_uri
