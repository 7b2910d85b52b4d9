"""Symbolic links in a local artifact directory (put there by other means than the API: the
API never creates links) must not lead a read, a write or a listing outside the run's root."""

from __future__ import annotations

import os
from pathlib import Path

import grpc
import pytest
import trackd
from trackd.v1 import artifact_service_pb2_grpc

from tests.artifacts import raw
from tests.artifacts.stores import ArtifactServer, LocalView


@pytest.fixture()
def local_run(local_artifact_server: ArtifactServer, tmp_path: Path) -> tuple[raw.Stub, str, Path]:
    """(stub, run id, the run's artifact directory) on the local store."""
    channel = grpc.insecure_channel(f"127.0.0.1:{local_artifact_server.server.port}")
    with trackd.TrackingClient(local_artifact_server.server.grpc_uri) as client:
        run = client.create_run(client.create_experiment(f"links-{tmp_path.name}"))
    stub = artifact_service_pb2_grpc.ArtifactServiceStub(channel)
    raw.upload(stub, run.info.run_id, "real/inside.txt", b"inside")
    return stub, run.info.run_id, LocalView.run_dir(run.info.artifact_uri)


@pytest.fixture()
def outside(tmp_path: Path) -> Path:
    secret = tmp_path / "outside"
    secret.mkdir()
    (secret / "secret.txt").write_text("do not leak")
    return secret


def test_links_leading_outside_are_refused(
    local_run: tuple[raw.Stub, str, Path], outside: Path
) -> None:
    stub, run_id, root = local_run
    (root / "dir-link").symlink_to(outside)
    (root / "file-link.txt").symlink_to(outside / "secret.txt")
    (root / "real" / "up-link").symlink_to("../../../../")  # relative, climbing out

    denied = (grpc.StatusCode.PERMISSION_DENIED, "ARTIFACT_PATH_OUTSIDE_ROOT")
    assert raw.failure(lambda: raw.download(stub, run_id, "dir-link/secret.txt")) == denied
    assert raw.failure(lambda: raw.download(stub, run_id, "file-link.txt")) == denied
    assert raw.failure(lambda: raw.list_page(stub, run_id, "dir-link")) == denied
    assert raw.failure(lambda: raw.list_page(stub, run_id, "real/up-link")) == denied
    assert raw.failure(lambda: raw.upload(stub, run_id, "dir-link/new.txt", b"x")) == denied
    assert raw.failure(lambda: raw.upload(stub, run_id, "file-link.txt", b"x")) == denied

    assert sorted(p.name for p in outside.iterdir()) == ["secret.txt"]
    assert (outside / "secret.txt").read_text() == "do not leak"
    # Listings hide the links a client could not follow anyway.
    assert raw.list_paths(stub, run_id) == ["real"]
    assert raw.list_paths(stub, run_id, "real") == ["real/inside.txt"]


def test_links_that_stay_inside_the_run_work(local_run: tuple[raw.Stub, str, Path]) -> None:
    stub, run_id, root = local_run
    (root / "alias").symlink_to("real")
    assert raw.download(stub, run_id, "alias/inside.txt")[1] == b"inside"
    assert raw.list_paths(stub, run_id, "alias") == ["alias/inside.txt"]


def test_a_run_directory_linked_outside_the_destination_is_refused(
    local_artifact_server: ArtifactServer, outside: Path, tmp_path: Path
) -> None:
    with trackd.TrackingClient(local_artifact_server.server.grpc_uri) as client:
        run = client.create_run(client.create_experiment(f"run-link-{tmp_path.name}"))
        root = LocalView.run_dir(run.info.artifact_uri)
        root.parent.mkdir(parents=True)
        os.symlink(outside, root)
        with pytest.raises(trackd.FailedPreconditionError) as caught:
            client.list_artifacts(run.info.run_id)
    assert caught.value.reason == "ARTIFACT_LOCATION_OUTSIDE_DESTINATION"
