"""Artifact stores: where the bytes of run artifacts live (a local directory or an
S3-compatible bucket), behind one interface (`base.ArtifactStore`)."""

from __future__ import annotations

import os

from .base import ArtifactStore, FileInfo
from .local import LocalArtifactStore
from .memory import reuse_transfer_buffers

__all__ = ["ArtifactStore", "FileInfo", "LocalArtifactStore", "open_artifact_store"]


def open_artifact_store(destination: str, s3_endpoint_url: str | None = None) -> ArtifactStore:
    """The store for `file:///dir` (or a plain absolute path) or `s3://bucket/prefix`.

    For S3 the endpoint is `s3_endpoint_url`, else the `AWS_ENDPOINT_URL` environment variable,
    else AWS itself; credentials come from the standard AWS environment and config files.
    Raises ValueError for a destination of another kind. Also makes this process's malloc
    reuse freed chunk buffers (see `memory`), which the speed of transfers depends on.
    """
    reuse_transfer_buffers()
    if destination.startswith("s3://"):
        from .s3 import S3ArtifactStore

        endpoint = s3_endpoint_url or os.environ.get("AWS_ENDPOINT_URL") or None
        return S3ArtifactStore(destination, endpoint)
    if destination.startswith(("file:", "/")):
        return LocalArtifactStore(destination)
    raise ValueError(
        f"artifact destination {destination!r} is neither a file:/// URI, an absolute path "
        "nor an s3://bucket/prefix URI"
    )
