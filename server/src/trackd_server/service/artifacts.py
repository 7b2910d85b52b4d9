"""Artifacts of runs: checked uploads, streamed downloads, paged listings.

An upload is verified (size and SHA-256 against its header) while it streams into the store's
staging area; it becomes visible only when it matched, inside the same write transaction that
checks the run is still writable and records the request id. So a retried upload with the same
request id stores nothing twice, and no upload lands in a run deleted meanwhile.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..artifacts import paths
from ..artifacts.base import CHUNK_BYTES, ArtifactStore, ChunkStream, FileInfo
from ..domain.artifact_errors import DataLoss
from ..domain.entities import Page
from ..domain.errors import InvalidArgument
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
    sha256: str
    request_id: str = ""


def _checked_header(header: UploadHeader) -> UploadHeader:
    validation.run_id(header.run_id)
    path = paths.relative_path(header.path, "path", allow_root=False)
    if header.size < 0:
        raise validation.invalid("size", f"{header.size} is negative")
    if not _SHA256_HEX.match(header.sha256):
        raise validation.invalid(
            "sha256", "must be the SHA-256 of the content as 64 hex characters"
        )
    validation.request_id(header.request_id)
    return UploadHeader(header.run_id, path, header.size, header.sha256.lower(), header.request_id)


def _receive(chunks: Iterable[bytes], write: Callable[[bytes], None], header: UploadHeader) -> None:
    """Streams `chunks` into the staged upload, checking them against the header."""
    digest = hashlib.sha256()
    received = 0
    for chunk in chunks:
        if len(chunk) > CHUNK_BYTES:
            raise validation.invalid(
                "chunk", f"{len(chunk)} bytes; send the content in chunks of at most {CHUNK_BYTES}"
            )
        received += len(chunk)
        if received > header.size:
            raise _size_mismatch(header, received, "more than")
        digest.update(chunk)
        write(chunk)
    if received != header.size:
        raise _size_mismatch(header, received, "only")
    actual = digest.hexdigest()
    if actual != header.sha256:
        raise DataLoss(
            f"the content of {header.path!r} has SHA-256 {actual}, not {header.sha256} as "
            "announced; nothing was stored",
            reason="ARTIFACT_CHECKSUM_MISMATCH",
            metadata={"path": header.path, "expected": header.sha256, "actual": actual},
        )


def _size_mismatch(header: UploadHeader, received: int, how: str) -> DataLoss:
    return DataLoss(
        f"received {how} {received} bytes of {header.path!r}, but the header announced "
        f"{header.size}; nothing was stored",
        reason="ARTIFACT_SIZE_MISMATCH",
        metadata={"path": header.path, "expected": str(header.size), "received": str(received)},
    )


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

    def upload(self, header: UploadHeader, chunks: Iterable[bytes]) -> FileInfo:
        """Stores `chunks` (the content announced by `header`) atomically, or nothing."""
        header = _checked_header(header)
        with self._store.transaction(write=False) as tx:
            # Fails fast, before any byte moves; checked again when the file is committed.
            info = writable_run(tx, header.run_id)
        staged = self._artifacts.stage(info.artifact_uri, header.path, header.size, header.sha256)
        try:
            _receive(chunks, staged.write, header)
            stored = FileInfo(header.path, False, header.size, header.sha256)

            def work(tx: StoreTransaction) -> FileInfo:
                writable_run(tx, header.run_id)
                staged.commit()
                return stored

            args = [header.run_id, header.path, header.size, header.sha256]
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

    def download(self, run_id: str, path: str) -> tuple[FileInfo, ChunkStream]:
        """A file's description and content; reads work on deleted runs too, like GetRun."""
        validation.run_id(run_id)
        rel = paths.relative_path(path, "path")
        return self._artifacts.open(self._artifact_uri(run_id), rel)

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
