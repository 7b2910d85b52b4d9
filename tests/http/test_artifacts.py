"""ArtifactService over HTTP: listing is transcoded like every unary RPC; upload and download
stream raw bodies through the same servicer as gRPC, so bytes written over one transport read
back identically over the other."""

from __future__ import annotations

import hashlib
import http.client
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import httpx
import pytest
from trackd.v1 import artifact_service_pb2 as pb
from trackd.v1 import artifact_service_pb2_grpc

from tests.http.conftest import ok, request_id, same
from tests.support.http_errors import status_error
from tests.support.servers import ServerProcess


@pytest.fixture(scope="module")
def artifacts(server: ServerProcess) -> Iterator[artifact_service_pb2_grpc.ArtifactServiceStub]:
    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        yield artifact_service_pb2_grpc.ArtifactServiceStub(channel)


def grpc_upload(
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
        for start in range(0, len(data), 1 << 20):
            yield pb.UploadArtifactRequest(chunk=data[start : start + (1 << 20)])

    stub.UploadArtifact(messages())


def grpc_download(
    stub: artifact_service_pb2_grpc.ArtifactServiceStub, run_id: str, path: str
) -> bytes:
    replies = stub.DownloadArtifact(pb.DownloadArtifactRequest(run_id=run_id, path=path))
    return b"".join(r.chunk for r in replies if r.WhichOneof("payload") == "chunk")


def put(http: httpx.Client, run_id: str, path: str, data: bytes, **headers: str) -> httpx.Response:
    sent = {"X-Trackd-Sha256": hashlib.sha256(data).hexdigest(), "X-Request-Id": request_id()}
    sent.update({k.replace("_", "-"): v for k, v in headers.items()})
    return http.put(f"/v1/runs/{run_id}/artifacts/{path}", content=data, headers=sent)


def error_of(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return status_error(response.json())


def test_list_artifacts_equals_grpc(
    http: httpx.Client, artifacts: artifact_service_pb2_grpc.ArtifactServiceStub, run_id: str
) -> None:
    grpc_upload(artifacts, run_id, "model/weights.bin", b"\x00\x01" * 100)
    grpc_upload(artifacts, run_id, "notes.txt", b"hello")
    for path in ("", "model"):
        body = ok(http.get(f"/v1/runs/{run_id}/artifacts", params={"path": path}))
        same(body, artifacts.ListArtifacts(pb.ListArtifactsRequest(run_id=run_id, path=path)))
    root = ok(http.get(f"/v1/runs/{run_id}/artifacts"))
    assert [(f["path"], f["is_dir"]) for f in root["files"]] == [
        ("model", True),
        ("notes.txt", False),
    ]


def test_http_upload_reads_back_over_grpc_and_grpc_upload_over_http(
    http: httpx.Client, artifacts: artifact_service_pb2_grpc.ArtifactServiceStub, run_id: str
) -> None:
    data = os.urandom(3 * 1024 * 1024 + 17)  # several 1 MiB messages and a partial one
    answer = ok(put(http, run_id, "model/weights.bin", data))
    assert answer == {
        "file": {
            "path": "model/weights.bin",
            "is_dir": False,
            "size": str(len(data)),  # int64: a string in proto3 JSON
            "sha256": hashlib.sha256(data).hexdigest(),
        }
    }
    assert grpc_download(artifacts, run_id, "model/weights.bin") == data

    other = os.urandom(1000)
    grpc_upload(artifacts, run_id, "dir/ü name.txt", other)
    response = http.get(f"/v1/runs/{run_id}/artifacts/dir/%C3%BC%20name.txt")
    assert response.status_code == 200
    assert response.content == other
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["content-length"] == "1000"
    assert response.headers["x-trackd-sha256"] == hashlib.sha256(other).hexdigest()
    assert response.headers["x-trackd-path"] == "dir/%C3%BC%20name.txt"


def test_chunked_upload_needs_a_size(
    http: httpx.Client, artifacts: artifact_service_pb2_grpc.ArtifactServiceStub, run_id: str
) -> None:
    data = os.urandom(200_000)
    sha = hashlib.sha256(data).hexdigest()

    def body() -> Iterator[bytes]:  # no Content-Length: Transfer-Encoding chunked
        for start in range(0, len(data), 7000):
            yield data[start : start + 7000]

    url = f"/v1/runs/{run_id}/artifacts/chunked.bin"
    error = error_of(http.put(url, content=body(), headers={"X-Trackd-Sha256": sha}), 411)
    assert error["reason"] == "LENGTH_REQUIRED"
    headers = {"X-Trackd-Sha256": sha, "X-Trackd-Size": str(len(data))}
    assert ok(http.put(url, content=body(), headers=headers))["file"]["size"] == str(len(data))
    assert grpc_download(artifacts, run_id, "chunked.bin") == data


def test_retry_with_the_same_request_id_returns_the_first_answer_and_changes_nothing(
    http: httpx.Client, run_id: str
) -> None:
    first, second = b"first version", b"second, longer version"
    rid = request_id()
    answer = ok(put(http, run_id, "v.txt", first, X_Request_Id=rid))
    ok(put(http, run_id, "v.txt", second))
    assert ok(put(http, run_id, "v.txt", first, X_Request_Id=rid)) == answer
    assert http.get(f"/v1/runs/{run_id}/artifacts/v.txt").content == second


def test_checksum_mismatch_is_data_loss_and_stores_nothing(http: httpx.Client, run_id: str) -> None:
    data = b"payload that is not what the header says"
    error = error_of(put(http, run_id, "bad.bin", data, X_Trackd_Sha256="0" * 64), 500)
    assert (error["code"], error["reason"]) == ("DATA_LOSS", "ARTIFACT_CHECKSUM_MISMATCH")
    assert error["metadata"]["actual"] == hashlib.sha256(data).hexdigest()
    assert ok(http.get(f"/v1/runs/{run_id}/artifacts"))["files"] == []


def test_header_errors_name_the_http_header(http: httpx.Client, run_id: str) -> None:
    url = f"/v1/runs/{run_id}/artifacts/a.bin"
    error = error_of(http.put(url, content=b"abc"), 400)
    assert error["metadata"]["field"] == "sha256" and "X-Trackd-Sha256" in error["message"]
    error = error_of(put(http, run_id, "a.bin", b"abc", X_Trackd_Path="b.bin"), 400)
    assert error["reason"] == "CONFLICTING_FIELD"
    error = error_of(put(http, run_id, "a.bin", b"abc", X_Trackd_Size="4"), 400)
    assert error["reason"] == "CONFLICTING_FIELD"
    error = error_of(http.put(url, params={"chunk": "x"}, content=b"abc"), 400)
    assert error["reason"] == "UNKNOWN_FIELD"
    assert ok(http.get(f"/v1/runs/{run_id}/artifacts"))["files"] == []


def test_download_errors(http: httpx.Client, run_id: str) -> None:
    ok(put(http, run_id, "dir/file.txt", b"x"))
    error = error_of(http.get(f"/v1/runs/{run_id}/artifacts/missing.txt"), 404)
    assert error["reason"] == "ARTIFACT_NOT_FOUND"
    error = error_of(http.get(f"/v1/runs/{run_id}/artifacts/dir"), 400)
    assert (error["code"], error["reason"]) == ("FAILED_PRECONDITION", "ARTIFACT_IS_DIRECTORY")
    error = error_of(http.get(f"/v1/runs/{'0' * 32}/artifacts/dir/file.txt"), 404)
    assert error["reason"] == "RUN_NOT_FOUND"
    error = error_of(put(http, "0" * 32, "x", b"x"), 404)
    assert error["reason"] == "RUN_NOT_FOUND"


def raw_request(
    server: ServerProcess, method: str, path: str, body: bytes = b"", **headers: str
) -> tuple[int, bytes]:
    """An HTTP exchange with the path sent byte for byte (no client-side normalisation)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.http_port, timeout=30)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for name, value in headers.items():
            conn.putheader(name.replace("_", "-"), value)
        if method == "PUT":
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body or None)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@pytest.mark.parametrize(
    "path",
    [
        "%2e%2e%2f%2e%2e%2fescaped.txt",
        "%252e%252e%252f%252e%252e%252fescaped.txt",
        "%25252e%25252e%25252fescaped.txt",
        "a/%2e%2e/%2e%2e/escaped.txt",
        "a/../../escaped.txt",
        "..%2fescaped.txt",
        "%2fetc%2fescaped.txt",
        "a%5c..%5c..%5cescaped.txt",
    ],
)
def test_path_traversal_is_refused_however_encoded(
    server: ServerProcess, run_id: str, path: str
) -> None:
    data = b"must not land outside the run"
    sha = hashlib.sha256(data).hexdigest()
    url = f"/v1/runs/{run_id}/artifacts/{path}"
    for method, body in (("PUT", data), ("GET", b"")):
        status, answer = raw_request(server, method, url, body, X_Trackd_Sha256=sha)
        assert status == 400, (method, answer)
        assert b'"reason":"UNSAFE_ARTIFACT_PATH"' in answer
    workdir = server.log_path.parent
    assert not [p for p in workdir.rglob("escaped.txt")]


def staged_files(server: ServerProcess) -> list[Path]:
    root = server.log_path.parent / "artifacts"
    return [p for p in root.rglob("*") if p.is_file() and ".trackd-uploads" in p.parts]


def test_client_that_disconnects_mid_upload_leaves_nothing(
    http: httpx.Client, server: ServerProcess, run_id: str
) -> None:
    head = (
        f"PUT /v1/runs/{run_id}/artifacts/partial.bin HTTP/1.1\r\n"
        f"Host: 127.0.0.1\r\nContent-Length: {10 * 1024 * 1024}\r\n"
        f"X-Trackd-Sha256: {'a' * 64}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", server.http_port), timeout=30) as sock:
        sock.sendall(head + os.urandom(3 * 1024 * 1024))
        time.sleep(0.5)  # let the server stage part of it
    deadline = time.monotonic() + 10
    while staged_files(server) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert staged_files(server) == []
    assert ok(http.get(f"/v1/runs/{run_id}/artifacts"))["files"] == []


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def test_large_transfers_stream_in_bounded_memory(
    server_http_url: str, server: ServerProcess, run_id: str
) -> None:
    size, piece = 128 * 1024 * 1024, os.urandom(1024 * 1024)
    digest = hashlib.sha256()
    for _ in range(size // len(piece)):
        digest.update(piece)
    pid = server.process.pid
    baseline = peak = rss_bytes(pid)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, rss_bytes(pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        with httpx.Client(base_url=server_http_url, timeout=120) as client:
            headers = {"X-Trackd-Sha256": digest.hexdigest(), "Content-Length": str(size)}
            body = (piece for _ in range(size // len(piece)))
            ok(client.put(f"/v1/runs/{run_id}/artifacts/big.bin", content=body, headers=headers))
            check = hashlib.sha256()
            with client.stream("GET", f"/v1/runs/{run_id}/artifacts/big.bin") as response:
                assert response.headers["content-length"] == str(size)
                for data in response.iter_bytes():
                    check.update(data)
            assert check.hexdigest() == digest.hexdigest()
            # A client that leaves halfway does not upset the server.
            with client.stream("GET", f"/v1/runs/{run_id}/artifacts/big.bin") as response:
                next(response.iter_bytes())
            assert ok(client.get(f"/v1/runs/{run_id}/artifacts"))["files"][0]["size"] == str(size)
    finally:
        done.set()
        sampler.join()
    # Each direction holds a few 1 MiB pieces at a time, never the 128 MiB file.
    assert peak - baseline < 48 * 1024 * 1024, (baseline, peak)
