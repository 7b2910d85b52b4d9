"""What the server guarantees about stored bytes, on both stores: checked checksums, atomic
visibility, nothing left by failed or cancelled uploads, safe concurrent uploads."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import grpc
import pytest
import trackd
from trackd.v1 import artifact_service_pb2 as pb

from tests.artifacts import raw
from tests.artifacts.stores import ArtifactServer, wait_for

MIB = raw.MIB


@pytest.mark.parametrize("size", [100, 9 * MIB + 7], ids=["small", "multipart"])
def test_a_checksum_mismatch_is_data_loss_and_stores_nothing(
    artifact_server: ArtifactServer, stub: raw.Stub, run_id: str, size: int
) -> None:
    data = b"z" * size
    code, reason = raw.failure(lambda: raw.upload(stub, run_id, "f.bin", data, digest="0" * 64))
    assert (code, reason) == (grpc.StatusCode.DATA_LOSS, "ARTIFACT_CHECKSUM_MISMATCH")
    assert raw.list_paths(stub, run_id) == []
    assert raw.failure(lambda: raw.download(stub, run_id, "f.bin"))[0] == grpc.StatusCode.NOT_FOUND
    wait_for(lambda: artifact_server.view.staged() == [], what="staged uploads to be removed")


@pytest.mark.parametrize("announced", [99, 101])
def test_a_size_mismatch_is_data_loss(
    artifact_server: ArtifactServer, stub: raw.Stub, run_id: str, announced: int
) -> None:
    data = b"q" * 100
    code, reason = raw.failure(lambda: raw.upload(stub, run_id, "f.bin", data, size=announced))
    assert (code, reason) == (grpc.StatusCode.DATA_LOSS, "ARTIFACT_SIZE_MISMATCH")
    assert raw.list_paths(stub, run_id) == []
    assert artifact_server.view.staged() == []


def test_a_failed_upload_keeps_the_previous_version(stub: raw.Stub, run_id: str) -> None:
    raw.upload(stub, run_id, "model.bin", b"version one")
    code, _ = raw.failure(lambda: raw.upload(stub, run_id, "model.bin", b"two", digest="1" * 64))
    assert code == grpc.StatusCode.DATA_LOSS
    info, content = raw.download(stub, run_id, "model.bin")
    assert content == b"version one"
    assert (info.size, info.sha256) == (11, raw.sha256(b"version one"))


def test_download_announces_size_and_checksum(stub: raw.Stub, run_id: str) -> None:
    data = bytes(range(256)) * 8192  # 2 MiB: three chunks at most 1 MiB each
    raw.upload(stub, run_id, "d/x.bin", data)
    messages = list(
        stub.DownloadArtifact(pb.DownloadArtifactRequest(run_id=run_id, path="d/x.bin"))
    )
    assert messages[0].file.path == "d/x.bin"
    assert messages[0].file.size == len(data)
    assert messages[0].file.sha256 == raw.sha256(data)
    chunks = [m.chunk for m in messages[1:]]
    assert all(len(c) <= MIB for c in chunks)
    assert b"".join(chunks) == data


def test_an_interrupted_upload_leaves_nothing(
    artifact_server: ArtifactServer, stub: raw.Stub, run_id: str
) -> None:
    """The client cancels halfway through a 32 MiB upload, once the server holds part of it
    (a staged file, or an S3 multipart upload with parts)."""
    release = threading.Event()
    data = b"i" * (32 * MIB)

    def requests() -> object:
        for n, message in enumerate(raw.upload_requests(run_id, "partial.bin", data)):
            if n == 12:  # header + 11 MiB sent: one S3 part is out, the rest is buffered
                release.wait(60)
            yield message

    call = stub.UploadArtifact.future(requests())
    wait_for(lambda: artifact_server.view.staged() != [], what="the server to stage the upload")
    call.cancel()
    release.set()
    with pytest.raises(grpc.FutureCancelledError):
        call.result()
    wait_for(lambda: artifact_server.view.staged() == [], what="the staged upload to go")
    assert raw.list_paths(stub, run_id) == []
    assert raw.failure(lambda: raw.download(stub, run_id, "partial.bin"))[0] == (
        grpc.StatusCode.NOT_FOUND
    )


def test_concurrent_uploads_to_one_run(
    artifact_server: ArtifactServer, stub: raw.Stub, run_id: str
) -> None:
    distinct = {f"worker-{i}/data.bin": bytes([i]) * (MIB + i) for i in range(8)}
    same_path = [bytes([100 + i]) * (2 * MIB + 3) for i in range(4)]
    with ThreadPoolExecutor(max_workers=12) as pool:
        futures = [pool.submit(raw.upload, stub, run_id, p, d) for p, d in distinct.items()]
        futures += [pool.submit(raw.upload, stub, run_id, "shared.bin", d) for d in same_path]
        for future in futures:
            future.result()
    assert raw.list_paths(stub, run_id) == [
        "shared.bin",
        *sorted(p.split("/")[0] for p in distinct),
    ]
    for path, data in distinct.items():
        assert raw.download(stub, run_id, path)[1] == data
    # One of the uploads won, whole: never a mix of two.
    assert raw.download(stub, run_id, "shared.bin")[1] in same_path
    assert artifact_server.view.staged() == []


def test_deleted_and_missing_runs(
    client: trackd.TrackingClient, stub: raw.Stub, run_id: str
) -> None:
    raw.upload(stub, run_id, "kept.txt", b"kept")
    client.delete_run(run_id)
    assert raw.failure(lambda: raw.upload(stub, run_id, "new.txt", b"x")) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "RUN_DELETED",
    )
    # Reads of a deleted run still work, as GetRun does.
    assert raw.download(stub, run_id, "kept.txt")[1] == b"kept"
    assert raw.list_paths(stub, run_id) == ["kept.txt"]
    client.restore_run(run_id)
    raw.upload(stub, run_id, "new.txt", b"x")

    missing = "f" * 32
    for call in (
        lambda: raw.upload(stub, missing, "a.txt", b"x"),
        lambda: raw.download(stub, missing, "a.txt"),
        lambda: raw.list_page(stub, missing),
    ):
        assert raw.failure(call) == (grpc.StatusCode.NOT_FOUND, "RUN_NOT_FOUND")
    code, _ = raw.failure(lambda: raw.upload(stub, "not-a-run-id", "a.txt", b"x"))
    assert code == grpc.StatusCode.INVALID_ARGUMENT


def test_a_retried_upload_returns_the_first_answer_and_changes_nothing(
    stub: raw.Stub, run_id: str
) -> None:
    first = raw.upload(stub, run_id, "m.bin", b"AAAA", request_id="upload-m-1")
    raw.upload(stub, run_id, "m.bin", b"BBBBBB", request_id="upload-m-2")
    retry = raw.upload(stub, run_id, "m.bin", b"AAAA", request_id="upload-m-1")
    assert retry == first
    assert raw.download(stub, run_id, "m.bin")[1] == b"BBBBBB"
    assert raw.failure(
        lambda: raw.upload(stub, run_id, "m.bin", b"CCCC", request_id="upload-m-1")
    ) == (grpc.StatusCode.FAILED_PRECONDITION, "REQUEST_ID_REUSED")


def test_malformed_upload_streams(stub: raw.Stub, run_id: str) -> None:
    def chunk_first() -> object:
        yield pb.UploadArtifactRequest(chunk=b"x")

    def two_headers() -> object:
        requests = list(raw.upload_requests(run_id, "a.txt", b"x"))
        yield from [requests[0], requests[0], *requests[1:]]

    invalid = grpc.StatusCode.INVALID_ARGUMENT
    assert raw.failure(lambda: stub.UploadArtifact(chunk_first())) == (
        invalid,
        "UPLOAD_OUT_OF_ORDER",
    )
    assert raw.failure(lambda: stub.UploadArtifact(iter([]))) == (invalid, "UPLOAD_OUT_OF_ORDER")
    assert raw.failure(lambda: stub.UploadArtifact(two_headers())) == (
        invalid,
        "UPLOAD_OUT_OF_ORDER",
    )
    too_big = b"b" * (4 * MIB + 1)  # chunks of up to 4 MiB are accepted
    assert (
        raw.failure(lambda: raw.upload(stub, run_id, "a.txt", too_big, chunk=4 * MIB + 1))[0]
        == invalid
    )
    assert raw.failure(lambda: raw.upload(stub, run_id, "a.txt", b"x", digest="abc"))[0] == invalid
    assert raw.failure(lambda: raw.upload(stub, run_id, "a.txt", b"", size=-1))[0] == invalid
    assert raw.list_paths(stub, run_id) == []


def test_files_and_directories_do_not_collide(stub: raw.Stub, run_id: str) -> None:
    raw.upload(stub, run_id, "d/inner.txt", b"x")
    raw.upload(stub, run_id, "f.txt", b"x")
    assert raw.failure(lambda: raw.upload(stub, run_id, "d", b"y")) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "ARTIFACT_IS_DIRECTORY",
    )
    assert raw.failure(lambda: raw.upload(stub, run_id, "f.txt/below.txt", b"y")) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "ARTIFACT_PARENT_IS_FILE",
    )
    assert raw.failure(lambda: raw.download(stub, run_id, "d")) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "ARTIFACT_IS_DIRECTORY",
    )
    assert raw.list_paths(stub, run_id) == ["d", "f.txt"]


def test_listing_pages(stub: raw.Stub, run_id: str) -> None:
    names = [f"file-{i:02d}.txt" for i in range(20)] + ["file-05.txt.bak"]
    for name in names:
        raw.upload(stub, run_id, f"many/{name}", b"x")
    for directory in ("dir-a", "file-05", "zz"):
        raw.upload(stub, run_id, f"many/{directory}/inner", b"x")
    expected = sorted([*names, "dir-a/", "file-05/", "zz/"])  # a directory sorts as "name/"

    seen: list[str] = []
    token = ""
    pages = 0
    while True:
        reply = raw.list_page(stub, run_id, "many", page_size=7, token=token)
        assert len(reply.files) <= 7
        seen += [f.path[len("many/") :] + ("/" if f.is_dir else "") for f in reply.files]
        pages += 1
        token = reply.next_page_token
        if not token:
            break
    assert seen == expected
    assert pages == 4

    first = raw.list_page(stub, run_id, "many", page_size=7)
    tampered = first.next_page_token[:-2] + ("AA" if first.next_page_token[-2:] != "AA" else "BB")
    for call in (
        lambda: raw.list_page(stub, run_id, "many", page_size=7, token=tampered),
        lambda: raw.list_page(stub, run_id, "", page_size=7, token=first.next_page_token),
    ):
        assert raw.failure(call) == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_PAGE_TOKEN")
    assert raw.failure(lambda: raw.list_page(stub, run_id, "many", page_size=10001)) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        "PAGE_SIZE_OUT_OF_RANGE",
    )
