"""Fixtures for the artifact tests: one real trackd server per artifact store, each with its
own database: a local-directory store over SQLite and an S3 store (a real moto S3 server on
loopback) over PostgreSQL, so both database backends are exercised too."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import trackd
from trackd.v1 import artifact_service_pb2_grpc

from tests.artifacts.stores import (
    BUCKET,
    FAKE_AWS_ENV,
    S3_PREFIX,
    ArtifactServer,
    LocalView,
    MotoServer,
    S3View,
    start_moto,
)
from tests.support.postgres import create_database, drop_database
from tests.support.servers import start_server


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: long-running; still part of `make test`")


@pytest.fixture(scope="session")
def aws_env() -> Iterator[None]:
    """Fake credentials for the server processes started with this environment (moto accepts
    any); the previous values come back afterwards."""
    saved = {name: os.environ.get(name) for name in FAKE_AWS_ENV}
    os.environ.update(FAKE_AWS_ENV)
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="session")
def moto(tmp_path_factory: pytest.TempPathFactory, aws_env: None) -> Iterator[MotoServer]:
    server = start_moto(tmp_path_factory.mktemp("moto"))
    server.client().create_bucket(Bucket=BUCKET)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def local_artifact_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ArtifactServer]:
    workdir = tmp_path_factory.mktemp("artifacts-local")
    destination = workdir / "artifacts"
    server = start_server(
        f"sqlite:///{workdir / 'trackd.db'}",
        workdir,
        "--artifacts-destination",
        str(destination),
    )
    yield ArtifactServer(server, LocalView(destination, workdir), destination.as_uri())
    server.stop()


def s3_server_args(moto: MotoServer) -> tuple[str, ...]:
    destination = f"s3://{BUCKET}/{S3_PREFIX}"
    return (
        "--artifacts-destination",
        destination,
        "--default-artifact-root",  # replaces start_server's local default
        destination,
        "--s3-endpoint-url",
        moto.endpoint,
    )


@pytest.fixture(scope="session")
def s3_artifact_server(
    tmp_path_factory: pytest.TempPathFactory, moto: MotoServer, pg_admin_url: str
) -> Iterator[ArtifactServer]:
    workdir = tmp_path_factory.mktemp("artifacts-s3")
    database = f"trackd_artifacts_{uuid.uuid4().hex[:10]}"
    url = create_database(pg_admin_url, database)
    server = start_server(url, workdir, *s3_server_args(moto))
    yield ArtifactServer(server, S3View(moto), f"s3://{BUCKET}/{S3_PREFIX}")
    server.stop()
    drop_database(pg_admin_url, database)


@pytest.fixture(params=["local", "s3"])
def artifact_server(request: pytest.FixtureRequest) -> ArtifactServer:
    """Each artifact store in turn: the local directory, then S3."""
    server: ArtifactServer = request.getfixturevalue(f"{request.param}_artifact_server")
    return server


@pytest.fixture()
def client(artifact_server: ArtifactServer) -> Iterator[trackd.TrackingClient]:
    with trackd.TrackingClient(artifact_server.server.grpc_uri) as c:
        yield c


@pytest.fixture()
def run(client: trackd.TrackingClient) -> trackd.Run:
    experiment_id = client.create_experiment(f"artifacts-{uuid.uuid4().hex[:10]}")
    return client.create_run(experiment_id)


@pytest.fixture()
def run_id(run: trackd.Run) -> str:
    return run.info.run_id


@pytest.fixture()
def stub(
    client: trackd.TrackingClient,
) -> artifact_service_pb2_grpc.ArtifactServiceStub:
    """The raw gRPC stub, for what the client would never send (attacks, bad checksums)."""
    from trackd._artifact_transfer import artifact_stub

    return artifact_stub(client._transport)


@pytest.fixture()
def local_tree(tmp_path: Path) -> Path:
    """A small directory tree to upload."""
    root = tmp_path / "tree"
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / "top.txt").write_text("top")
    (root / "sub" / "a.bin").write_bytes(bytes(range(256)) * 10)
    (root / "sub" / "deeper" / "b.json").write_text('{"b": 1}')
    return root
