"""Artifacts in an S3-compatible bucket under a key prefix (`s3://bucket/prefix`).

The server holds the credentials (the standard AWS environment variables, shared config files
or an instance role, as boto3 finds them) and proxies every byte; clients never see them.
An upload goes out as a multipart upload with parts of at least PART_BYTES, so memory stays
bounded whatever the file size; it is completed only after the checksum matched, and aborted
otherwise, so a failed or cancelled upload leaves no object. Small files (one part) are sent
with a single PUT after the check. The SHA-256 is kept as object metadata (`x-amz-meta-sha256`).
"""

from __future__ import annotations

import logging
import posixpath
from collections.abc import Iterator
from typing import Any

from ..domain.errors import InvalidArgument
from . import paths
from .base import (
    CHUNK_BYTES,
    ChunkStream,
    FileInfo,
    artifact_not_found,
    is_a_directory,
    outside_destination,
    parent_is_a_file,
)

log = logging.getLogger(__name__)
PART_BYTES = 8 * 1024 * 1024  # S3 needs at least 5 MiB for every part but the last
MAX_PARTS = 10_000
SHA256_METADATA = "sha256"
_NOT_FOUND_CODES = ("404", "NoSuchKey", "NotFound")


def parse_s3_uri(location: str, field: str) -> tuple[str, str]:
    """(bucket, canonical key prefix without a trailing `/`) of `s3://bucket/prefix`."""
    why = paths.location_problem(location)
    if why is not None:
        raise paths.unsafe(field, location, why)
    if not location.startswith("s3://"):
        raise paths.unsafe(field, location, "must be an s3://bucket/prefix URI on this server")
    bucket, _, key = location[len("s3://") :].partition("/")
    if not bucket or "/" in bucket:
        raise paths.unsafe(field, location, "names no bucket")
    key = posixpath.normpath("/" + key).lstrip("/") if key.strip("/") else ""
    return bucket, key


def part_bytes(size: int) -> int:
    """The multipart part size for a file of `size` bytes."""
    return max(PART_BYTES, -(-size // MAX_PARTS))


def _client_error_code(exc: Exception) -> str:
    response: dict[str, Any] = getattr(exc, "response", {}) or {}
    return str(response.get("Error", {}).get("Code", ""))


class _S3Upload:
    """Holds at most one part in memory; starts the multipart upload only when a part is
    full, so a small file costs a single PUT."""

    def __init__(self, s3: Any, bucket: str, key: str, size: int, sha256: str | None) -> None:
        self._s3, self._bucket, self._key, self._sha256 = s3, bucket, key, sha256
        self._part_bytes = part_bytes(size)
        # Received chunks, joined once per part: a bytearray that grows and is sliced would
        # hold two or three copies of the part at its peak.
        self._pending: list[bytes] = []
        self._pending_bytes = 0
        self._upload_id: str | None = None
        self._parts: list[dict[str, Any]] = []
        self._finished = False
        self.before_commit: Any = None

    def write(self, chunk: bytes) -> None:
        self._pending.append(chunk)
        self._pending_bytes += len(chunk)
        if self._pending_bytes >= self._part_bytes:
            self._send_part(self._take_pending())

    def _take_pending(self) -> bytes:
        body = b"".join(self._pending)
        self._pending, self._pending_bytes = [], 0
        return body

    def _send_part(self, body: bytes) -> None:
        if self._upload_id is None:
            # The service refuses a late checksum for uploads big enough to get here.
            assert self._sha256 is not None, "a multipart upload needs its SHA-256 up front"
            created = self._s3.create_multipart_upload(
                Bucket=self._bucket, Key=self._key, Metadata={SHA256_METADATA: self._sha256}
            )
            self._upload_id = str(created["UploadId"])
        number = len(self._parts) + 1
        reply = self._s3.upload_part(
            Bucket=self._bucket,
            Key=self._key,
            UploadId=self._upload_id,
            PartNumber=number,
            Body=body,
        )
        self._parts.append({"PartNumber": number, "ETag": reply["ETag"]})

    def commit(self, sha256: str) -> None:
        if self.before_commit is not None:
            self.before_commit()
        if self._upload_id is None:
            self._s3.put_object(
                Bucket=self._bucket,
                Key=self._key,
                Body=self._take_pending(),
                Metadata={SHA256_METADATA: sha256},
            )
        else:
            if self._pending:
                self._send_part(self._take_pending())
            self._s3.complete_multipart_upload(
                Bucket=self._bucket,
                Key=self._key,
                UploadId=self._upload_id,
                MultipartUpload={"Parts": self._parts},
            )
        self._finished = True

    def discard(self) -> None:
        self._pending, self._pending_bytes = [], 0
        if self._upload_id is not None and not self._finished:
            self._finished = True
            try:
                self._s3.abort_multipart_upload(
                    Bucket=self._bucket, Key=self._key, UploadId=self._upload_id
                )
            except Exception:
                # A bucket lifecycle rule (AbortIncompleteMultipartUpload) removes the parts.
                log.warning("could not abort multipart upload of %s", self._key, exc_info=True)


class _BodyChunks:
    def __init__(self, body: Any, chunk_bytes: int) -> None:
        self._body = body
        self._chunks = body.iter_chunks(chunk_bytes)

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        try:
            return bytes(next(self._chunks))
        except StopIteration:
            self.close()
            raise

    def close(self) -> None:
        self._body.close()


def _page_entries(page: dict[str, Any], prefix: str, parent: str) -> list[tuple[str, FileInfo]]:
    entries = []
    for common in page.get("CommonPrefixes", []):
        name = common["Prefix"][len(prefix) :].rstrip("/")
        if name:
            entries.append((name, True, 0))
    for obj in page.get("Contents", []):
        name = obj["Key"][len(prefix) :]
        if name:  # not the directory's own marker object
            entries.append((name, False, int(obj["Size"])))
    listed = []
    for name, is_dir, size in entries:
        try:
            rel = paths.relative_path(paths.join(parent, name), allow_root=False)
        except InvalidArgument:
            continue  # written by other means under a name no client could address
        listed.append((paths.sort_key(name, is_dir), FileInfo(rel, is_dir, size)))
    listed.sort(key=lambda pair: pair[0])
    return listed


class S3ArtifactStore:
    """Artifacts under one bucket and key prefix."""

    def __init__(self, destination: str, endpoint_url: str | None = None) -> None:
        import boto3  # the `server` extra; only needed when artifacts go to S3
        from botocore.config import Config

        try:
            self._bucket, self._prefix = parse_s3_uri(destination, "--artifacts-destination")
        except InvalidArgument as exc:
            raise ValueError(exc.message) from None
        self._destination = f"s3://{self._bucket}/{self._prefix}".rstrip("/")
        config = Config(
            retries={"mode": "standard", "max_attempts": 5},
            # Custom endpoints (MinIO, Ceph, moto) rarely resolve virtual-hosted bucket names.
            s3={"addressing_style": "path"} if endpoint_url else {},
            max_pool_connections=64,
        )
        self._s3 = boto3.session.Session().client("s3", endpoint_url=endpoint_url, config=config)

    @property
    def destination(self) -> str:
        return self._destination

    def check_reachable(self) -> None:
        """Fails at start-up, not on the first upload, when the bucket cannot be used."""
        try:
            self._s3.head_bucket(Bucket=self._bucket)
        except Exception as exc:
            raise ValueError(f"cannot use bucket {self._bucket!r}: {exc}") from exc

    def check_location(self, location: str, field: str) -> str:
        bucket, _ = parse_s3_uri(location, field)
        if bucket != self._bucket:
            raise paths.unsafe(
                field, location, f"is not in this server's artifact bucket {self._bucket!r}"
            )
        return location

    def contains(self, uri: str) -> bool:
        try:
            bucket, key = parse_s3_uri(uri, "artifact_uri")
        except InvalidArgument:
            return False
        return bucket == self._bucket and paths.contained("/" + self._prefix, "/" + key)

    def _run_key(self, artifact_uri: str) -> str:
        if not self.contains(artifact_uri):
            raise outside_destination(artifact_uri, self._destination)
        return parse_s3_uri(artifact_uri, "artifact_uri")[1]

    def _is_directory(self, key: str) -> bool:
        reply = self._s3.list_objects_v2(Bucket=self._bucket, Prefix=key + "/", MaxKeys=1)
        return bool(reply.get("KeyCount", 0))

    def _is_file(self, key: str) -> bool:
        try:
            self._s3.head_object(Bucket=self._bucket, Key=key)
        except Exception as exc:
            if _client_error_code(exc) in _NOT_FOUND_CODES:
                return False
            raise
        return True

    def accepts_late_sha256(self, size: int) -> bool:
        # A file smaller than one part goes out in a single PUT at commit, checksum included.
        return size < part_bytes(size)

    def stage(self, artifact_uri: str, path: str, size: int, sha256: str | None) -> _S3Upload:
        run_key = self._run_key(artifact_uri)
        key = paths.join(run_key, path)
        upload = _S3Upload(self._s3, self._bucket, key, size, sha256)

        def refuse_conflicts() -> None:
            # S3 would happily keep a file `a` beside files under `a/`; a file system cannot.
            if self._is_directory(key):
                raise is_a_directory(path)
            parts = path.split("/")[:-1]
            for i in range(1, len(parts) + 1):
                parent = "/".join(parts[:i])
                if self._is_file(paths.join(run_key, parent)):
                    raise parent_is_a_file(path, parent)

        refuse_conflicts()
        upload.before_commit = refuse_conflicts
        return upload

    def open(
        self, artifact_uri: str, path: str, chunk_bytes: int = CHUNK_BYTES
    ) -> tuple[FileInfo, ChunkStream]:
        key = paths.join(self._run_key(artifact_uri), path)
        if not path:
            raise is_a_directory(path)
        try:
            reply = self._s3.get_object(Bucket=self._bucket, Key=key)
        except Exception as exc:
            if _client_error_code(exc) not in _NOT_FOUND_CODES:
                raise
            if self._is_directory(key):
                raise is_a_directory(path) from None
            raise artifact_not_found(path) from None
        sha256 = str(reply.get("Metadata", {}).get(SHA256_METADATA, ""))
        info = FileInfo(path, False, int(reply["ContentLength"]), sha256)
        return info, _BodyChunks(reply["Body"], chunk_bytes)

    def list(
        self, artifact_uri: str, path: str, after: str | None, limit: int
    ) -> tuple[list[FileInfo], bool]:
        prefix = paths.join(self._run_key(artifact_uri), path) + "/"
        request: dict[str, Any] = {"Bucket": self._bucket, "Prefix": prefix, "Delimiter": "/"}
        if after is not None:
            # A directory cursor `d/` restarts at the keys under `d/`, which S3 rolls up into
            # the same common prefix again; the `key > after` filter below drops it.
            request["StartAfter"] = prefix + after
        found: list[FileInfo] = []
        for page in self._s3.get_paginator("list_objects_v2").paginate(**request):
            for key, item in _page_entries(page, prefix, path):
                if after is None or key > after:
                    found.append(item)
            if len(found) > limit:
                break
        return found[:limit], len(found) > limit
