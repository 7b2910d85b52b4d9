"""gRPC servicer of trackd.v1.ArtifactService: request streams in, service call, response
streams out. Errors are raised as TrackdError; the interceptor turns them into statuses, also
for the streaming handlers. The HTTP/JSON gateway calls the same methods (with raw bodies)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from trackd.v1 import artifact_pb2, artifact_service_pb2_grpc
from trackd.v1 import artifact_service_pb2 as pb

from ..artifacts.base import ChunkStream, FileInfo
from ..domain.errors import InvalidArgument
from ..service.artifacts import ArtifactService, UploadHeader


def file_info_to_proto(info: FileInfo) -> artifact_pb2.FileInfo:
    return artifact_pb2.FileInfo(
        path=info.path, is_dir=info.is_dir, size=info.size, sha256=info.sha256
    )


def _out_of_order(what: str) -> InvalidArgument:
    return InvalidArgument(
        f"UploadArtifact: {what}; send the header first, then only content chunks, then "
        "the trailer if the header announced one",
        reason="UPLOAD_OUT_OF_ORDER",
    )


class _UploadBody:
    """The content chunks of an upload stream, and the trailer that may end it."""

    def __init__(self, requests: Iterator[pb.UploadArtifactRequest], expect_trailer: bool):
        self._requests = requests
        self._expect_trailer = expect_trailer
        self.trailer_sha256: str | None = None

    def chunks(self) -> Iterator[bytes]:
        for message in self._requests:
            if self.trailer_sha256 is not None:
                raise _out_of_order("a message follows the trailer")
            if message.HasField("trailer"):
                if not self._expect_trailer:
                    raise _out_of_order("a trailer came, but the header set no sha256_in_trailer")
                if message.WhichOneof("payload") is not None:
                    raise _out_of_order("the trailer message also carries a payload")
                self.trailer_sha256 = message.trailer.sha256
                continue
            if message.WhichOneof("payload") != "chunk":
                raise _out_of_order("a message after the first one is not a content chunk")
            yield message.chunk

    def trailer(self) -> str | None:
        return self.trailer_sha256


def _download_stream(info: FileInfo, chunks: ChunkStream) -> Iterator[pb.DownloadArtifactResponse]:
    try:
        yield pb.DownloadArtifactResponse(file=file_info_to_proto(info))
        for chunk in chunks:
            yield pb.DownloadArtifactResponse(chunk=chunk)
    finally:
        chunks.close()


class ArtifactServicer(artifact_service_pb2_grpc.ArtifactServiceServicer):
    def __init__(self, artifacts: ArtifactService) -> None:
        self._artifacts = artifacts

    def UploadArtifact(
        self, request_iterator: Iterable[pb.UploadArtifactRequest], context: Any
    ) -> pb.UploadArtifactResponse:
        requests = iter(request_iterator)
        first = next(requests, None)
        if first is None or first.WhichOneof("payload") != "header":
            raise _out_of_order("the first message is not a header")
        if first.HasField("trailer"):
            raise _out_of_order("the header message also carries a trailer")
        h = first.header
        header = UploadHeader(h.run_id, h.path, h.size, h.sha256, h.request_id, h.sha256_in_trailer)
        body = _UploadBody(requests, h.sha256_in_trailer)
        stored = self._artifacts.upload(header, body.chunks(), body.trailer)
        return pb.UploadArtifactResponse(file=file_info_to_proto(stored))

    def DownloadArtifact(
        self, request: pb.DownloadArtifactRequest, context: Any
    ) -> Iterator[pb.DownloadArtifactResponse]:
        # Not a generator itself: a missing file or a bad path fails the call before any
        # message is sent.
        info, chunks = self._artifacts.download(
            request.run_id, request.path, request.max_chunk_bytes
        )
        return _download_stream(info, chunks)

    def ListArtifacts(
        self, request: pb.ListArtifactsRequest, context: Any
    ) -> pb.ListArtifactsResponse:
        page = self._artifacts.list(
            request.run_id, request.path, request.page_size, request.page_token
        )
        return pb.ListArtifactsResponse(
            files=[file_info_to_proto(f) for f in page.items],
            next_page_token=page.next_page_token,
        )
