"""Raw-body streaming without a network, on a service defined at test time: any streaming RPC
with the "description, then bytes" oneof is served, whatever its names; one without that
shape is 501. The real artifact service is covered in test_artifacts.py."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from google.api import annotations_pb2
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from trackd_server.api.http.services import ServiceBinding
from trackd_server.api.http.streaming import MAX_CHUNK_BYTES
from trackd_server.api.http.transcoder import HttpRequest, Transcoder
from trackd_server.domain import errors

from tests.support.http_errors import status_error

_F = descriptor_pb2.FieldDescriptorProto
PACKAGE = "trackdtest.stream.v1"


def _blob_service() -> Any:
    file = descriptor_pb2.FileDescriptorProto(
        name="trackd_test/blob.proto",
        package=PACKAGE,
        syntax="proto3",
        dependency=["google/api/annotations.proto"],
    )
    meta = file.message_type.add(name="BlobMeta")
    for number, (name, kind) in enumerate(
        [
            ("name", _F.TYPE_STRING),
            ("size", _F.TYPE_INT64),
            ("digest", _F.TYPE_STRING),
            ("pinned", _F.TYPE_BOOL),
            ("request_id", _F.TYPE_STRING),
        ],
        start=1,
    ):
        meta.field.add(name=name, number=number, type=kind)
    piece = file.message_type.add(name="BlobPiece")
    piece.oneof_decl.add(name="part")
    piece.field.add(
        name="meta", number=1, type=_F.TYPE_MESSAGE, type_name=f".{PACKAGE}.BlobMeta", oneof_index=0
    )
    piece.field.add(name="data", number=2, type=_F.TYPE_BYTES, oneof_index=0)
    name_msg = file.message_type.add(name="BlobName")
    name_msg.field.add(name="name", number=1, type=_F.TYPE_STRING)
    service = file.service.add(name="BlobService")
    for method_name, kind, path, body, inp, out, cs, ss in [
        ("Put", "put", "/v1/blobs/{meta.name=**}", "data", "BlobPiece", "BlobMeta", True, False),
        ("Get", "get", "/v1/blobs/{name=**}", "", "BlobName", "BlobPiece", False, True),
        ("Names", "post", "/v1/names", "*", "BlobName", "BlobName", True, False),
    ]:
        method = service.method.add(
            name=method_name,
            input_type=f".{PACKAGE}.{inp}",
            output_type=f".{PACKAGE}.{out}",
            client_streaming=cs,
            server_streaming=ss,
        )
        rule = method.options.Extensions[annotations_pb2.http]
        setattr(rule, kind, path)
        rule.body = body
    pool = descriptor_pool.Default()
    try:
        pool.FindFileByName(file.name)
    except KeyError:
        pool.Add(file)
    return pool.FindServiceByName(f"{PACKAGE}.BlobService")


SERVICE = _blob_service()
Meta = message_factory.GetMessageClass(SERVICE.FindMethodByName("Put").output_type)
Piece = message_factory.GetMessageClass(SERVICE.FindMethodByName("Put").input_type)


class _Blobs:
    """Keeps blobs in memory and records the size of every piece it was given."""

    def __init__(self) -> None:
        self.blobs: dict[str, tuple[Any, bytes]] = {}
        self.piece_sizes: list[int] = []

    def Put(self, requests: Iterator[Any], context: Any) -> Any:
        first = next(requests)
        meta = Meta()
        meta.CopyFrom(first.meta)
        if meta.name == "refused":
            raise errors.PermissionDenied("no blobs here")
        data = bytearray()
        for request in requests:
            assert request.WhichOneof("part") == "data"
            self.piece_sizes.append(len(request.data))
            data += request.data
        if len(data) != meta.size:
            raise errors.InvalidArgument("size differs", metadata={"field": "size"})
        self.blobs[meta.name] = (meta, bytes(data))
        return meta

    def Get(self, request: Any, context: Any) -> Iterator[Any]:
        if request.name not in self.blobs:
            raise errors.NotFound(f"no blob {request.name}")
        meta, data = self.blobs[request.name]
        yield Piece(meta=meta)
        for start in range(0, len(data), 1000):
            yield Piece(data=data[start : start + 1000])

    def Names(self, requests: Iterator[Any], context: Any) -> Any:
        raise AssertionError("a streaming RPC without the raw-body shape is never called")


def _request(method: str, path: str, body: bytes = b"", **headers: str) -> HttpRequest:
    pairs = [(k.replace("_", "-"), v) for k, v in headers.items()]
    return HttpRequest(method, path, "", pairs, body, "ipv4:127.0.0.1:1")


def test_raw_body_round_trip_on_a_service_the_gateway_never_saw() -> None:
    blobs = _Blobs()
    transcoder = Transcoder([ServiceBinding(SERVICE, blobs)])
    data = bytes(range(256)) * 40
    response = transcoder.handle(
        _request(
            "PUT",
            "/v1/blobs/a/b%20c.bin",
            data,
            Content_Length=str(len(data)),
            X_Trackd_Digest="d1",
            X_Trackd_Pinned="true",
            X_Request_Id="rid-1",
        )
    )
    assert response.status == 200, response.body
    assert json.loads(response.body) == {
        "name": "a/b c.bin",
        "size": str(len(data)),
        "digest": "d1",
        "pinned": True,
        "request_id": "rid-1",
    }
    answer = transcoder.handle(_request("GET", "/v1/blobs/a/b%20c.bin"))
    assert answer.status == 200 and answer.body == data
    headers = dict(answer.headers)
    assert headers["content-type"] == "application/octet-stream"
    assert headers["X-Trackd-Name"] == "a/b%20c.bin"
    assert (headers["X-Trackd-Size"], headers["X-Trackd-Pinned"]) == (str(len(data)), "true")
    assert headers["X-Trackd-Digest"] == "d1"


def test_upload_body_is_read_in_bounded_pieces_and_only_on_demand() -> None:
    blobs = _Blobs()
    transcoder = Transcoder([ServiceBinding(SERVICE, blobs)])
    pulled: list[int] = []

    def body(count: int, size: int) -> Iterator[bytes]:
        for i in range(count):
            pulled.append(i)
            yield bytes([i % 256]) * size

    total = 3 * MAX_CHUNK_BYTES + 5
    sizes = [1000] * (total // 1000) + [total % 1000]
    parts = (bytes([i % 256]) * n for i, n in enumerate(sizes))
    response = transcoder.upload(_request("PUT", "/v1/blobs/big", X_Trackd_Size=str(total)), parts)
    assert response.status == 200, response.body
    assert blobs.piece_sizes == [MAX_CHUNK_BYTES] * 3 + [5]  # small reads joined
    blobs.piece_sizes.clear()
    response = transcoder.upload(
        _request("PUT", "/v1/blobs/huge", X_Trackd_Size=str(2 * MAX_CHUNK_BYTES + 1)),
        [b"x" * (2 * MAX_CHUNK_BYTES + 1)],
    )
    assert response.status == 200
    assert blobs.piece_sizes == [MAX_CHUNK_BYTES, MAX_CHUNK_BYTES, 1]  # large reads split

    refused = transcoder.upload(
        _request("PUT", "/v1/blobs/refused", X_Trackd_Size="10"), body(10, 1)
    )
    assert refused.status == 403
    assert pulled == []  # the servicer refused before asking for any content


def test_description_fields_from_query_headers_and_path_must_agree() -> None:
    transcoder = Transcoder([ServiceBinding(SERVICE, _Blobs())])
    ok = transcoder.handle(
        HttpRequest("PUT", "/v1/blobs/q", "meta.digest=from-query", [("X-Trackd-Size", "2")], b"ab")
    )
    assert ok.status == 200 and json.loads(ok.body)["digest"] == "from-query"
    for query, headers in [
        ("meta.digest=a", [("X-Trackd-Size", "2"), ("X-Trackd-Digest", "b")]),
        ("", [("X-Trackd-Size", "2"), ("X-Trackd-Name", "other")]),
        ("", [("X-Trackd-Size", "3"), ("Content-Length", "2")]),
    ]:
        response = transcoder.handle(HttpRequest("PUT", "/v1/blobs/q", query, headers, b"ab"))
        assert response.status == 400, response.body
        assert status_error(json.loads(response.body))["reason"] == "CONFLICTING_FIELD"
    no_size = transcoder.handle(HttpRequest("PUT", "/v1/blobs/q", "", [], b"ab"))
    assert (no_size.status, status_error(json.loads(no_size.body))["reason"]) == (
        411,
        "LENGTH_REQUIRED",
    )
    bad = transcoder.handle(HttpRequest("PUT", "/v1/blobs/q", "", [("Content-Length", "3")], b"ab"))
    error = status_error(json.loads(bad.body))
    assert bad.status == 400 and "X-Trackd-Size" in error["message"]


def test_download_errors_come_before_any_content() -> None:
    transcoder = Transcoder([ServiceBinding(SERVICE, _Blobs())])
    opened = transcoder.open_download(_request("GET", "/v1/blobs/missing"))
    assert not hasattr(opened, "chunks")
    assert opened.status == 404  # type: ignore[union-attr]


def test_streaming_rpc_of_another_shape_is_501() -> None:
    transcoder = Transcoder([ServiceBinding(SERVICE, _Blobs())])
    response = transcoder.handle(_request("POST", "/v1/names", b"{}"))
    error = status_error(json.loads(response.body))
    assert (response.status, error["reason"]) == (501, "STREAMING_OVER_HTTP")
    assert transcoder.streaming_kind("POST", "/v1/names") is None
    assert transcoder.streaming_kind("PUT", "/v1/blobs/x") == "upload"
    assert transcoder.streaming_kind("GET", "/v1/blobs/x") == "download"
