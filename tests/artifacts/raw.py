"""Raw ArtifactService calls, for requests the Python client would never send."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from typing import Any, TypeAlias

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status
from trackd.v1 import artifact_pb2, artifact_service_pb2_grpc
from trackd.v1 import artifact_service_pb2 as pb

Stub: TypeAlias = artifact_service_pb2_grpc.ArtifactServiceStub
MIB = 1024 * 1024


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def upload_requests(
    run_id: str,
    path: str,
    data: bytes,
    *,
    digest: str | None = None,
    size: int | None = None,
    request_id: str = "",
    chunk: int = MIB,
) -> Iterator[pb.UploadArtifactRequest]:
    header = pb.UploadArtifactHeader(
        run_id=run_id,
        path=path,
        size=len(data) if size is None else size,
        sha256=sha256(data) if digest is None else digest,
        request_id=request_id,
    )
    yield pb.UploadArtifactRequest(header=header)
    for start in range(0, len(data), chunk):
        yield pb.UploadArtifactRequest(chunk=data[start : start + chunk])


def trailer_upload_requests(
    run_id: str,
    path: str,
    data: bytes,
    *,
    digest: str | None = None,
    request_id: str = "",
    chunk: int = MIB,
    trailer: bool = True,
) -> Iterator[pb.UploadArtifactRequest]:
    """An upload whose SHA-256 follows the content (`trailer=False` leaves the promised
    trailer out)."""
    header = pb.UploadArtifactHeader(
        run_id=run_id, path=path, size=len(data), request_id=request_id, sha256_in_trailer=True
    )
    yield pb.UploadArtifactRequest(header=header)
    for start in range(0, len(data), chunk):
        yield pb.UploadArtifactRequest(chunk=data[start : start + chunk])
    if trailer:
        checksum = pb.UploadArtifactTrailer(sha256=sha256(data) if digest is None else digest)
        yield pb.UploadArtifactRequest(trailer=checksum)


def trailer_upload(
    stub: Stub, run_id: str, path: str, data: bytes, **options: Any
) -> artifact_pb2.FileInfo:
    reply = stub.UploadArtifact(trailer_upload_requests(run_id, path, data, **options), timeout=60)
    return reply.file


def upload(
    stub: Stub, run_id: str, path: str, data: bytes, **options: Any
) -> artifact_pb2.FileInfo:
    reply = stub.UploadArtifact(upload_requests(run_id, path, data, **options), timeout=60)
    return reply.file


def download(
    stub: Stub, run_id: str, path: str, max_chunk_bytes: int = 0
) -> tuple[artifact_pb2.FileInfo, bytes]:
    info = None
    content = bytearray()
    request = pb.DownloadArtifactRequest(run_id=run_id, path=path, max_chunk_bytes=max_chunk_bytes)
    for message in stub.DownloadArtifact(request, timeout=60):
        if message.WhichOneof("payload") == "file":
            assert info is None, "the file description must come once, first"
            info = message.file
        else:
            assert info is not None, "content before the file description"
            content += message.chunk
    assert info is not None
    return info, bytes(content)


def list_page(
    stub: Stub, run_id: str, path: str = "", page_size: int = 0, token: str = ""
) -> pb.ListArtifactsResponse:
    request = pb.ListArtifactsRequest(
        run_id=run_id, path=path, page_size=page_size, page_token=token
    )
    return stub.ListArtifacts(request, timeout=60)


def list_paths(stub: Stub, run_id: str, path: str = "") -> list[str]:
    return [f.path for f in list_page(stub, run_id, path).files]


def failure(call: Callable[[], object]) -> tuple[grpc.StatusCode, str]:
    """(status code, ErrorInfo reason) of a call that must fail."""
    with pytest.raises(grpc.RpcError) as caught:
        result = call()
        if isinstance(result, Iterator):
            list(result)
    err: Any = caught.value
    reason = ""
    status = rpc_status.from_call(err)
    if status is not None:
        for detail in status.details:
            if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
                info = error_details_pb2.ErrorInfo()
                detail.Unpack(info)
                reason = info.reason
    return err.code(), reason
