"""TrackingClient's artifact methods against real servers, on both artifact stores."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
import trackd
from trackd import FileInfo

from tests.artifacts.stores import ArtifactServer, LocalView


def tree_contents(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_log_artifact_then_list_and_download(
    client: trackd.TrackingClient, run_id: str, tmp_path: Path
) -> None:
    source = tmp_path / "model.bin"
    source.write_bytes(b"weights" * 1000)
    client.log_artifact(run_id, source)
    client.log_artifact(run_id, source, artifact_path="models/v1")

    assert client.list_artifacts(run_id) == [
        FileInfo("model.bin", False, 7000),
        FileInfo("models", True, None),
    ]
    assert client.list_artifacts(run_id, "models") == [FileInfo("models/v1", True, None)]
    assert client.list_artifacts(run_id, "models/v1") == [
        FileInfo("models/v1/model.bin", False, 7000)
    ]

    local = client.download_artifacts(run_id, "models/v1/model.bin", tmp_path / "out")
    assert local == str(tmp_path / "out" / "models" / "v1" / "model.bin")
    assert Path(local).read_bytes() == source.read_bytes()


def test_log_artifacts_and_download_a_directory(
    client: trackd.TrackingClient, run_id: str, local_tree: Path, tmp_path: Path
) -> None:
    client.log_artifacts(run_id, local_tree, artifact_path="tree")
    client.log_artifacts(run_id, local_tree)

    assert [f.path for f in client.list_artifacts(run_id)] == ["sub", "top.txt", "tree"]
    assert client.list_artifacts(run_id, "tree/sub") == [
        FileInfo("tree/sub/a.bin", False, 2560),
        FileInfo("tree/sub/deeper", True, None),
    ]
    local = client.download_artifacts(run_id, "tree", tmp_path / "dl")
    assert local == str(tmp_path / "dl" / "tree")
    assert tree_contents(Path(local)) == tree_contents(local_tree)

    everything = client.download_artifacts(run_id, "", tmp_path / "all")
    assert everything == str(tmp_path / "all")
    assert tree_contents(Path(everything) / "tree") == tree_contents(local_tree)
    assert (Path(everything) / "sub" / "deeper" / "b.json").read_text() == '{"b": 1}'


def test_download_without_destination_uses_a_new_temporary_directory(
    client: trackd.TrackingClient, run_id: str, tmp_path: Path
) -> None:
    source = tmp_path / "notes.txt"
    source.write_text("hello")
    client.log_artifact(run_id, source)
    local = client.download_artifacts(run_id, "notes.txt")
    try:
        assert Path(local).read_text() == "hello"
        assert not Path(local).is_relative_to(tmp_path)
    finally:
        os.unlink(local)


def test_a_multi_part_file_round_trips(
    client: trackd.TrackingClient, run_id: str, tmp_path: Path
) -> None:
    # 20 MiB: 20 upload chunks, and three S3 multipart parts.
    source = tmp_path / "big.bin"
    block = hashlib.sha256(b"seed").digest() * 32768  # 1 MiB of non-repeating-per-chunk data
    with source.open("wb") as f:
        for i in range(20):
            f.write(bytes([i]) + block[1:])
    client.log_artifact(run_id, source, "data")
    assert client.list_artifacts(run_id, "data") == [FileInfo("data/big.bin", False, 20 * 2**20)]
    local = client.download_artifacts(run_id, "data/big.bin", tmp_path / "dl")
    assert (
        hashlib.sha256(Path(local).read_bytes()).digest()
        == hashlib.sha256(source.read_bytes()).digest()
    )


def test_an_empty_file_round_trips(
    client: trackd.TrackingClient, run_id: str, tmp_path: Path
) -> None:
    source = tmp_path / "empty"
    source.write_bytes(b"")
    client.log_artifact(run_id, source)
    assert client.list_artifacts(run_id) == [FileInfo("empty", False, 0)]
    assert Path(client.download_artifacts(run_id, "empty", tmp_path / "dl")).read_bytes() == b""


def test_uploading_again_replaces_the_file(
    client: trackd.TrackingClient, run_id: str, tmp_path: Path
) -> None:
    source = tmp_path / "state.txt"
    source.write_text("first")
    client.log_artifact(run_id, source)
    source.write_text("second, longer")
    client.log_artifact(run_id, source)
    local = client.download_artifacts(run_id, "state.txt", tmp_path / "dl")
    assert Path(local).read_text() == "second, longer"


def test_listing_a_missing_path_or_a_file_lists_nothing(
    client: trackd.TrackingClient, run_id: str, tmp_path: Path
) -> None:
    source = tmp_path / "f.txt"
    source.write_text("x")
    client.log_artifact(run_id, source)
    assert client.list_artifacts(run_id, "nothing/here") == []
    assert client.list_artifacts(run_id, "f.txt") == []


def test_missing_artifact_and_missing_run_are_not_found(
    client: trackd.TrackingClient, run_id: str, tmp_path: Path
) -> None:
    with pytest.raises(trackd.NotFoundError) as caught:
        client.download_artifacts(run_id, "no-such-file", tmp_path)
    assert caught.value.reason == "ARTIFACT_NOT_FOUND"
    assert list(tmp_path.iterdir()) == []  # no partial file left behind
    with pytest.raises(trackd.NotFoundError) as caught:
        client.list_artifacts("0" * 32)
    assert caught.value.reason == "RUN_NOT_FOUND"


def test_local_argument_errors_are_raised_before_any_request(
    client: trackd.TrackingClient, run_id: str, tmp_path: Path
) -> None:
    with pytest.raises(trackd.InvalidArgumentError):
        client.log_artifact(run_id, tmp_path)  # a directory
    with pytest.raises(trackd.InvalidArgumentError):
        client.log_artifacts(run_id, tmp_path / "missing")
    assert client.list_artifacts(run_id) == []


def test_list_artifacts_fetches_every_page(
    local_artifact_server: ArtifactServer, tmp_path: Path
) -> None:
    """More entries than the largest page (10000): files put straight into the run's
    directory on the server, then listed through the client."""
    with trackd.TrackingClient(local_artifact_server.server.grpc_uri) as client:
        run = client.create_run(client.create_experiment(f"many-{tmp_path.name}"))
        root = LocalView.run_dir(run.info.artifact_uri) / "many"
        root.mkdir(parents=True)
        for i in range(10_050):
            (root / f"f{i:05d}").write_bytes(b"")
        listed = client.list_artifacts(run.info.run_id, "many")
    assert [f.path for f in listed] == [f"many/f{i:05d}" for i in range(10_050)]
