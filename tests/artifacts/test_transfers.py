"""How the Python client moves bytes, against real servers: one read of the file with the
checksum sent last (falling back to checksum first where the server needs it), larger
download chunks on request, byte-exact round trips of awkward sizes, and downloads that are
verified before they appear."""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

import grpc
import pytest
import trackd
from trackd import _artifact_transfer as transfer
from trackd.exceptions import (
    DataLossError,
    FailedPreconditionError,
    InvalidArgumentError,
    NotFoundError,
)
from trackd.v1 import artifact_service_pb2 as pb

from tests.artifacts import raw
from tests.artifacts.stores import ArtifactServer

MIB = raw.MIB


def _write(path: Path, size: int, seed: bytes = b"seed") -> Path:
    """`size` bytes that differ from block to block (a misplaced block changes the hash)."""
    block = hashlib.sha256(seed).digest() * 2048  # 64 KiB
    with path.open("wb") as f:
        for i in range(0, size, len(block)):
            f.write((i.to_bytes(8, "big") + block[8:])[: size - i])
    return path


def _checksum_passes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records every separate hashing pass the client makes over a local file."""
    passes: list[str] = []
    original = transfer.file_sha256

    def counting(path: str) -> tuple[str, int]:
        passes.append(path)
        return original(path)

    monkeypatch.setattr(transfer, "file_sha256", counting)
    return passes


def test_the_client_reads_the_file_once_and_sends_its_checksum_last(
    local_artifact_server: ArtifactServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    passes = _checksum_passes(monkeypatch)
    source = _write(tmp_path / "model.bin", 9 * MIB + 3)
    with trackd.TrackingClient(local_artifact_server.server.grpc_uri) as client:
        run_id = client.create_run(client.create_experiment("once")).info.run_id
        client.log_artifact(run_id, source)
        local = client.download_artifacts(run_id, "model.bin", tmp_path / "dl")
    assert passes == []  # no hashing pass before the upload
    assert Path(local).read_bytes() == source.read_bytes()


def test_against_s3_a_multipart_file_falls_back_to_the_checksum_first(
    s3_artifact_server: ArtifactServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    passes = _checksum_passes(monkeypatch)
    big = _write(tmp_path / "big.bin", 9 * MIB)  # more than one S3 part
    with trackd.TrackingClient(s3_artifact_server.server.grpc_uri) as client:
        run_id = client.create_run(client.create_experiment("s3-fallback")).info.run_id
        client.log_artifact(run_id, big)
        assert passes == [str(big)]
        assert client._transport in transfer._checksum_first
        # The server's answer is remembered: later uploads hash first straight away.
        small = _write(tmp_path / "small.bin", 1000)
        client.log_artifact(run_id, small)
        assert passes == [str(big), str(small)]
        for name, source in (("big.bin", big), ("small.bin", small)):
            local = client.download_artifacts(run_id, name, tmp_path / "dl")
            assert Path(local).read_bytes() == source.read_bytes()
    assert s3_artifact_server.view.staged() == []


def test_which_refusals_make_the_client_send_the_checksum_first() -> None:
    assert transfer._wants_checksum_first(
        FailedPreconditionError("needs it first", reason="SHA256_IN_TRAILER_UNSUPPORTED")
    )
    # What a server from before trailers answers to the empty header checksum.
    assert transfer._wants_checksum_first(
        InvalidArgumentError(
            "sha256: must be ...", reason="INVALID_ARGUMENT", metadata={"field": "sha256"}
        )
    )
    assert not transfer._wants_checksum_first(
        InvalidArgumentError(
            "path: unsafe", reason="UNSAFE_ARTIFACT_PATH", metadata={"field": "path"}
        )
    )
    assert not transfer._wants_checksum_first(
        FailedPreconditionError("deleted", reason="RUN_DELETED")
    )
    assert not transfer._wants_checksum_first(NotFoundError("no run", reason="RUN_NOT_FOUND"))


@pytest.mark.parametrize("size", [0, 1, 4095, 4 * MIB, 8 * MIB - 1, 13 * MIB + 4097])
def test_awkward_sizes_round_trip_byte_for_byte(
    client: trackd.TrackingClient, run_id: str, tmp_path: Path, size: int
) -> None:
    """Sizes around the 4 KiB alignment and the 4 MiB chunks and buffers of direct I/O,
    on both sides."""
    source = _write(tmp_path / "f.bin", size, seed=str(size).encode())
    client.log_artifact(run_id, source, "sizes")
    local = Path(client.download_artifacts(run_id, "sizes/f.bin", tmp_path / "dl"))
    assert local.stat().st_size == size
    assert local.read_bytes() == source.read_bytes()
    assert sorted(os.listdir(local.parent)) == ["f.bin"]  # no temporary file left


def test_downloads_come_in_the_chunks_the_client_asks_for(stub: raw.Stub, run_id: str) -> None:
    data = os.urandom(9 * MIB + 11)
    raw.upload(stub, run_id, "d.bin", data)

    def chunk_sizes(max_chunk_bytes: int) -> list[int]:
        request = pb.DownloadArtifactRequest(
            run_id=run_id, path="d.bin", max_chunk_bytes=max_chunk_bytes
        )
        messages = list(stub.DownloadArtifact(request, timeout=60))
        assert b"".join(m.chunk for m in messages[1:]) == data
        return [len(m.chunk) for m in messages[1:]]

    assert max(chunk_sizes(0)) == MIB  # the default every client understands
    assert chunk_sizes(4 * MIB) == [4 * MIB, 4 * MIB, MIB + 11]
    assert max(chunk_sizes(100_000)) <= 100_000
    for refused in (1, 64 * 1024 - 1, 4 * MIB + 1):
        code, _ = raw.failure(functools.partial(raw.download, stub, run_id, "d.bin", refused))
        assert code == grpc.StatusCode.INVALID_ARGUMENT


def test_a_corrupted_download_raises_data_loss_and_keeps_nothing(
    artifact_server: ArtifactServer,
    client: trackd.TrackingClient,
    run: trackd.Run,
    tmp_path: Path,
) -> None:
    source = _write(tmp_path / "weights.bin", 9 * MIB + 1)
    client.log_artifact(run.info.run_id, source)
    artifact_server.view.corrupt(run.info.artifact_uri, "weights.bin")
    destination = tmp_path / "dl"
    with pytest.raises(DataLossError) as caught:
        client.download_artifacts(run.info.run_id, "weights.bin", destination)
    assert caught.value.reason == "ARTIFACT_CHECKSUM_MISMATCH"
    assert list(destination.iterdir()) == []  # neither the file nor its temporary copy
