"""ArtifactService over HTTP/JSON: listing is unary and transcoded like every other RPC; the
streaming upload and download are refused with a clear 501 until the gateway streams bodies."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import grpc
import httpx
from trackd.v1 import artifact_service_pb2 as pb
from trackd.v1 import artifact_service_pb2_grpc

from tests.http.conftest import ok, request_id, same
from tests.support.servers import ServerProcess


def _upload(
    stub: artifact_service_pb2_grpc.ArtifactServiceStub, run_id: str, path: str, data: bytes
) -> None:
    def messages() -> Iterator[pb.UploadArtifactRequest]:
        yield pb.UploadArtifactRequest(
            header=pb.UploadArtifactHeader(
                run_id=run_id,
                path=path,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                request_id=request_id(),
            )
        )
        yield pb.UploadArtifactRequest(chunk=data)

    stub.UploadArtifact(messages())


def test_list_artifacts_equals_grpc(http: httpx.Client, server: ServerProcess, run_id: str) -> None:
    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        stub = artifact_service_pb2_grpc.ArtifactServiceStub(channel)
        _upload(stub, run_id, "model/weights.bin", b"\x00\x01" * 100)
        _upload(stub, run_id, "notes.txt", b"hello")
        for path in ("", "model"):
            body = ok(http.get(f"/v1/runs/{run_id}/artifacts", params={"path": path}))
            same(body, stub.ListArtifacts(pb.ListArtifactsRequest(run_id=run_id, path=path)))
    root = ok(http.get(f"/v1/runs/{run_id}/artifacts"))
    assert [(f["path"], f["is_dir"]) for f in root["files"]] == [
        ("model", True),
        ("notes.txt", False),
    ]
    weights = ok(http.get(f"/v1/runs/{run_id}/artifacts", params={"path": "model"}))["files"][0]
    assert (weights["path"], weights["size"]) == ("model/weights.bin", 200)


def test_streaming_rpcs_are_501_over_http(http: httpx.Client, run_id: str) -> None:
    for response in (
        http.put(f"/v1/runs/{run_id}/artifacts/a/b.txt", content=b"data"),
        http.get(f"/v1/runs/{run_id}/artifacts/a/b.txt"),
    ):
        assert response.status_code == 501, response.text
        error = response.json()["error"]
        assert (error["code"], error["reason"]) == ("UNIMPLEMENTED", "STREAMING_OVER_HTTP")
