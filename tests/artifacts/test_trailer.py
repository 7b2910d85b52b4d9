"""Uploads whose SHA-256 follows the content (`sha256_in_trailer`), on both stores: the
checksum is still verified before anything becomes visible, a missing or malformed trailer
stores nothing, and an S3 store refuses a late checksum where it cannot honour it."""

from __future__ import annotations

import contextlib
import functools
import threading
import uuid
from collections.abc import Callable, Iterator

import grpc
import pytest
import trackd
from trackd._artifact_transfer import artifact_stub
from trackd.v1 import artifact_service_pb2 as pb

from tests.artifacts import raw
from tests.artifacts.stores import ArtifactServer, wait_for

MIB = raw.MIB
INVALID = grpc.StatusCode.INVALID_ARGUMENT


@contextlib.contextmanager
def raw_stub(server: ArtifactServer) -> Iterator[tuple[raw.Stub, str]]:
    """A raw stub and a fresh run, for the tests bound to one store."""
    with trackd.TrackingClient(server.server.grpc_uri) as client:
        experiment = client.create_experiment(f"trailer-{uuid.uuid4().hex[:10]}")
        yield artifact_stub(client._transport), client.create_run(experiment).info.run_id


def _data(size: int) -> bytes:
    block = bytes(range(251))  # a prime length: no two chunks look alike
    return (block * (size // len(block) + 1))[:size]


def test_a_trailing_checksum_is_verified_and_the_file_stored(
    artifact_server: ArtifactServer, stub: raw.Stub, run_id: str
) -> None:
    data = _data(3 * MIB + 5)  # below one S3 part, so both stores take it
    stored = raw.trailer_upload(stub, run_id, "t/model.bin", data, chunk=MIB)
    assert (stored.path, stored.size, stored.sha256) == ("t/model.bin", len(data), raw.sha256(data))
    info, content = raw.download(stub, run_id, "t/model.bin")
    assert content == data
    assert (info.size, info.sha256) == (len(data), raw.sha256(data))
    assert artifact_server.view.staged() == []


def test_a_large_file_with_a_trailing_checksum_and_4_mib_chunks(
    local_artifact_server: ArtifactServer,
) -> None:
    with raw_stub(local_artifact_server) as (stub, run_id):
        data = _data(13 * MIB + 4097)  # several direct writes and an unaligned tail
        raw.trailer_upload(stub, run_id, "big.bin", data, chunk=4 * MIB)
        info, content = raw.download(stub, run_id, "big.bin", max_chunk_bytes=4 * MIB)
        assert content == data
        assert info.sha256 == raw.sha256(data)


@pytest.mark.parametrize("size", [100, 9 * MIB + 7], ids=["small", "multichunk"])
def test_a_wrong_trailing_checksum_is_data_loss_and_stores_nothing(
    local_artifact_server: ArtifactServer, size: int
) -> None:
    with raw_stub(local_artifact_server) as (stub, run_id):
        data = _data(size)
        code, reason = raw.failure(
            lambda: raw.trailer_upload(stub, run_id, "f.bin", data, digest="1" * 64)
        )
        assert (code, reason) == (grpc.StatusCode.DATA_LOSS, "ARTIFACT_CHECKSUM_MISMATCH")
        assert raw.list_paths(stub, run_id) == []
        wait_for(lambda: local_artifact_server.view.staged() == [], what="staged uploads gone")


def test_a_wrong_trailing_checksum_on_either_store(
    artifact_server: ArtifactServer, stub: raw.Stub, run_id: str
) -> None:
    code, reason = raw.failure(
        lambda: raw.trailer_upload(stub, run_id, "f.bin", b"content", digest="2" * 64)
    )
    assert (code, reason) == (grpc.StatusCode.DATA_LOSS, "ARTIFACT_CHECKSUM_MISMATCH")
    assert raw.list_paths(stub, run_id) == []
    assert artifact_server.view.staged() == []


def test_a_missing_trailer_is_refused_and_stores_nothing(
    artifact_server: ArtifactServer, stub: raw.Stub, run_id: str
) -> None:
    for data in (b"", b"no checksum follows", _data(2 * MIB)):
        upload = functools.partial(raw.trailer_upload, stub, run_id, "f.bin", data, trailer=False)
        code, reason = raw.failure(upload)
        assert (code, reason) == (INVALID, "ARTIFACT_CHECKSUM_MISSING")
    assert raw.list_paths(stub, run_id) == []
    assert artifact_server.view.staged() == []


def test_malformed_trailers_are_refused(
    artifact_server: ArtifactServer, stub: raw.Stub, run_id: str
) -> None:
    data = b"payload"
    requests = list(raw.trailer_upload_requests(run_id, "f.bin", data))
    header, chunk, trailer = requests
    plain = next(raw.upload_requests(run_id, "f.bin", data))  # sha256 in the header

    def stream(*messages: pb.UploadArtifactRequest) -> Callable[[], object]:
        return lambda: stub.UploadArtifact(iter(messages), timeout=60)

    chunk_and_trailer = pb.UploadArtifactRequest(chunk=data, trailer=trailer.trailer)
    header_and_trailer = pb.UploadArtifactRequest(header=header.header, trailer=trailer.trailer)
    out_of_order = [
        stream(plain, chunk, trailer),  # a trailer nobody announced
        stream(header, chunk, trailer, chunk),  # content after the trailer
        stream(header, chunk, trailer, trailer),  # two trailers
        stream(header, chunk_and_trailer),  # the trailer must come alone
        stream(header_and_trailer, chunk),
    ]
    for call in out_of_order:
        assert raw.failure(call) == (INVALID, "UPLOAD_OUT_OF_ORDER")

    both = pb.UploadArtifactHeader()
    both.CopyFrom(header.header)
    both.sha256 = raw.sha256(data)  # a checksum in the header and one announced after
    assert raw.failure(stream(pb.UploadArtifactRequest(header=both), chunk, trailer))[0] == INVALID
    assert raw.failure(
        lambda: raw.trailer_upload(stub, run_id, "f.bin", data, digest="not-a-checksum")
    ) == (INVALID, "INVALID_ARGUMENT")
    assert raw.list_paths(stub, run_id) == []
    assert artifact_server.view.staged() == []


def test_s3_refuses_a_late_checksum_for_a_multipart_upload(
    s3_artifact_server: ArtifactServer,
) -> None:
    with raw_stub(s3_artifact_server) as (stub, run_id):
        data = _data(9 * MIB)  # more than one 8 MiB part
        code, reason = raw.failure(lambda: raw.trailer_upload(stub, run_id, "big.bin", data))
        assert (code, reason) == (
            grpc.StatusCode.FAILED_PRECONDITION,
            "SHA256_IN_TRAILER_UNSUPPORTED",
        )
        assert raw.list_paths(stub, run_id) == []
        assert s3_artifact_server.view.staged() == []


def test_a_retried_trailer_upload_returns_the_first_answer(stub: raw.Stub, run_id: str) -> None:
    first = raw.trailer_upload(stub, run_id, "m.bin", b"AAAA", request_id="trailer-m-1")
    raw.trailer_upload(stub, run_id, "m.bin", b"BBBBBB", request_id="trailer-m-2")
    retry = raw.trailer_upload(stub, run_id, "m.bin", b"AAAA", request_id="trailer-m-1")
    assert retry == first
    assert raw.download(stub, run_id, "m.bin")[1] == b"BBBBBB"
    assert raw.failure(
        lambda: raw.trailer_upload(stub, run_id, "m.bin", b"CCCC", request_id="trailer-m-1")
    ) == (grpc.StatusCode.FAILED_PRECONDITION, "REQUEST_ID_REUSED")
    # The same id with the checksum in the header is the same request.
    assert raw.upload(stub, run_id, "m.bin", b"AAAA", request_id="trailer-m-1") == first


def test_an_upload_cancelled_before_its_trailer_leaves_nothing(
    local_artifact_server: ArtifactServer,
) -> None:
    with raw_stub(local_artifact_server) as (stub, run_id):
        data = _data(12 * MIB)
        all_sent = threading.Event()

        def requests() -> object:
            *content, _trailer = raw.trailer_upload_requests(run_id, "partial.bin", data)
            yield from content
            all_sent.set()
            threading.Event().wait(60)  # the trailer never comes

        call = stub.UploadArtifact.future(requests())
        assert all_sent.wait(60)
        wait_for(lambda: local_artifact_server.view.staged() != [], what="a staged upload")
        call.cancel()
        wait_for(lambda: local_artifact_server.view.staged() == [], what="staged upload removed")
        assert raw.list_paths(stub, run_id) == []
