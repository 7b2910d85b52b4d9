"""How `trackd server` chooses and checks its artifact store, and what HTTP/JSON offers."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import trackd

from tests.artifacts.stores import BUCKET, ArtifactServer, MotoServer
from tests.support.servers import (
    ServerProcess,
    free_port,
    start_server,
    trackd_command,
    wait_until_serving,
)


@pytest.fixture()
def bare_server(tmp_path: Path) -> Iterator[list[ServerProcess]]:
    """Started by the test with exactly the flags it names; stopped afterwards."""
    started: list[ServerProcess] = []
    yield started
    for server in started:
        server.stop()


def _serve(tmp_path: Path, *flags: str, env: dict[str, str] | None = None) -> ServerProcess:
    port = free_port()
    log_path = tmp_path / f"server-{port}.log"
    args = [*trackd_command(), "server", "--port", str(port), "--http-port", "0", *flags]
    args += ["--backend-store-uri", f"sqlite:///{tmp_path / f'{port}.db'}"]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            args, stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path, env=env or dict(os.environ)
        )
    wait_until_serving(port, process, log_path)
    return ServerProcess(process, port, 0, log_path)


def _default_location(server: ServerProcess) -> str:
    with trackd.TrackingClient(server.grpc_uri) as client:
        return client.get_experiment("0").artifact_location


def test_without_flags_artifacts_go_beside_the_database(
    tmp_path: Path, bare_server: list[ServerProcess]
) -> None:
    bare_server.append(_serve(tmp_path))
    assert _default_location(bare_server[0]) == (tmp_path / "trackd-artifacts" / "0").as_uri()


def test_the_destination_alone_is_also_the_default_root(
    tmp_path: Path, bare_server: list[ServerProcess]
) -> None:
    bare_server.append(_serve(tmp_path, "--artifacts-destination", str(tmp_path / "dest")))
    assert _default_location(bare_server[0]) == (tmp_path / "dest" / "0").as_uri()


def test_a_root_outside_the_destination_is_refused_at_start(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="is not inside --artifacts-destination"):
        start_server(
            f"sqlite:///{tmp_path / 'x.db'}",
            tmp_path,
            "--artifacts-destination",
            str(tmp_path / "elsewhere"),
        )


def test_a_missing_bucket_is_refused_at_start(tmp_path: Path, moto: MotoServer) -> None:
    destination = f"s3://no-such-bucket-{uuid.uuid4().hex[:8]}/x"
    with pytest.raises(RuntimeError, match="cannot use bucket"):
        _serve(
            tmp_path,
            "--artifacts-destination",
            destination,
            "--s3-endpoint-url",
            moto.endpoint,
        )


def test_the_s3_endpoint_may_come_from_aws_endpoint_url(
    tmp_path: Path, moto: MotoServer, bare_server: list[ServerProcess]
) -> None:
    destination = f"s3://{BUCKET}/from-env-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "AWS_ENDPOINT_URL": moto.endpoint}
    bare_server.append(_serve(tmp_path, "--artifacts-destination", destination, env=env))
    with trackd.TrackingClient(bare_server[0].grpc_uri) as client:
        run = client.create_run("0")
        client.log_text(run.info.run_id, "via env", "note.txt")
        assert [f.path for f in client.list_artifacts(run.info.run_id)] == ["note.txt"]
    assert run.info.artifact_uri == f"{destination}/0/{run.info.run_id}/artifacts"
    key = f"{run.info.artifact_uri[len(f's3://{BUCKET}/') :]}/note.txt"
    assert moto.client().get_object(Bucket=BUCKET, Key=key)["Body"].read() == b"via env"


def test_listing_over_http_json(local_artifact_server: ArtifactServer) -> None:
    server = local_artifact_server.server
    with trackd.TrackingClient(server.grpc_uri) as client:
        run_id = client.create_run(
            client.create_experiment(f"http-{uuid.uuid4().hex[:8]}")
        ).info.run_id
        client.log_text(run_id, "hello", "docs/readme.txt")
    base = f"{server.http_url}/v1/runs/{run_id}/artifacts"
    reply = httpx.get(base, params={"path": "docs"}, timeout=30)
    assert reply.status_code == 200
    # Listings leave sha256 empty: S3 listings do not carry object metadata.
    assert reply.json()["files"] == [
        {"path": "docs/readme.txt", "is_dir": False, "size": "5", "sha256": ""}
    ]
    attack = httpx.get(base, params={"path": "../../etc"}, timeout=30)
    assert attack.status_code == 400
