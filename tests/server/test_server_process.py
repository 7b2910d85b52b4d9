"""The server as a process: CLI, health, reflection, workers, graceful shutdown, migrations."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import grpc
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from trackd.v1 import (
    experiment_service_pb2 as exp_pb,
)
from trackd.v1 import (
    experiment_service_pb2_grpc as exp_grpc,
)
from trackd.v1 import (
    metric_service_pb2 as met_pb,
)
from trackd.v1 import (
    metric_service_pb2_grpc as met_grpc,
)
from trackd.v1 import (
    run_pb2,
)
from trackd.v1 import (
    run_service_pb2 as run_pb,
)
from trackd.v1 import (
    run_service_pb2_grpc as run_grpc,
)
from trackd_server import __version__
from trackd_server.cli import _parser
from trackd_server.store.sql.models import Base
from trackd_server.store.sql.store import SqlStore, alembic_config

from tests.support.postgres import create_database, drop_database
from tests.support.servers import ServerProcess, free_port, start_server, trackd_command


def test_version() -> None:
    out = subprocess.run(
        [*trackd_command(), "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == f"trackd {__version__}"


def test_models_match_migrations(backend_url: str) -> None:
    store = SqlStore(backend_url)
    store.upgrade()
    with store.engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
        )
    store.dispose()
    assert diff == []


def test_db_upgrade_command(pg_admin_url: str, tmp_path: Path) -> None:
    name = f"trackd_upgrade_{uuid.uuid4().hex[:8]}"
    url = create_database(pg_admin_url, name)
    try:
        for _ in range(2):  # idempotent
            out = subprocess.run(
                [*trackd_command(), "db", "upgrade", url], capture_output=True, text=True
            )
            assert out.returncode == 0, out.stderr
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names())
            version = conn.execute(sa.text("select version_num from alembic_version")).scalar_one()
        engine.dispose()
        assert {"experiments", "runs", "metrics", "latest_metrics", "params", "run_tags"} <= tables
        head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
        assert version == head
    finally:
        drop_database(pg_admin_url, name)


def test_default_addresses_match_the_docs_and_the_clients_default() -> None:
    """With no flags `trackd server` serves the gRPC and HTTP/JSON ports that docs/server.md's
    flag table names, on ./trackd.db, and a client with no URI finds it there. Read from the
    parser rather than by binding the ports: a developer's `make run` may hold them while the
    tests run."""
    docs = (Path(__file__).parents[2] / "docs" / "server.md").read_text()
    documented = {
        flag: int(port) for flag, port in re.findall(r"^\| `--([a-z-]+)` \| `(\d+)` \|", docs, re.M)
    }
    defaults = _parser().parse_args(["server"])
    assert defaults.host == "127.0.0.1"
    assert (defaults.port, defaults.http_port) == (documented["port"], documented["http-port"])
    assert defaults.backend_store_uri == "sqlite:///trackd.db"
    environment = {k: v for k, v in os.environ.items() if k != "TRACKD_TRACKING_URI"}
    done = subprocess.run(
        [sys.executable, "-c", "import trackd; print(trackd.TrackingClient().tracking_uri)"],
        capture_output=True,
        text=True,
        check=True,
        env=environment,
    )
    assert done.stdout.strip() == f"grpc://{defaults.host}:{defaults.port}"


def test_defaults_serve_sqlite_in_working_directory(tmp_path: Path) -> None:
    """`trackd server` with only its ports given (free ones): ./trackd.db, the Default
    experiment, and it prints the URIs."""
    port, http_port = free_port(), free_port()
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen(
        [*trackd_command(), "server", "--port", str(port), "--http-port", str(http_port)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    try:
        assert process.stdout is not None
        first_line = process.stdout.readline().strip()
        assert first_line == f"trackd serving at grpc://127.0.0.1:{port}", (
            tmp_path / "server.log"
        ).read_text()
        assert process.stdout.readline().strip() == f"HTTP/JSON at http://127.0.0.1:{http_port}"
        assert (tmp_path / "trackd.db").exists()
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = exp_grpc.ExperimentServiceStub(channel)
            assert (
                stub.GetExperiment(exp_pb.GetExperimentRequest(experiment_id="0")).experiment.name
                == "Default"
            )
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
        log.close()


def test_health_and_reflection(server: ServerProcess) -> None:
    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        health = health_pb2_grpc.HealthStub(channel)
        for service in (
            "",
            "trackd.v1.RunService",
            "trackd.v1.ExperimentService",
            "trackd.v1.MetricService",
        ):
            reply = health.Check(health_pb2.HealthCheckRequest(service=service))
            assert reply.status == health_pb2.HealthCheckResponse.SERVING
        reflection = reflection_pb2_grpc.ServerReflectionStub(channel)
        answer = next(
            iter(
                reflection.ServerReflectionInfo(
                    iter([reflection_pb2.ServerReflectionRequest(list_services="")])
                )
            )
        )
        names = {s.name for s in answer.list_services_response.service}
        assert {
            "trackd.v1.RunService",
            "trackd.v1.ExperimentService",
            "trackd.v1.MetricService",
        } <= names


def test_graceful_shutdown_finishes_in_flight_calls(sqlite_url: str, tmp_path: Path) -> None:
    server = start_server(f"sqlite:///{tmp_path / 'graceful.db'}", tmp_path)
    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        runs = run_grpc.RunServiceStub(channel)
        run_id = runs.CreateRun(run_pb.CreateRunRequest()).run.info.run_id
        batch = run_pb.LogBatchRequest(
            run_id=run_id,
            metrics=[run_pb2.Metric(key=f"m{i % 50}", value=i, step=i) for i in range(1000)],
        )
        results: list[object] = []
        first_call_done = threading.Event()

        def log_many() -> None:
            for _ in range(30):
                try:
                    runs.LogBatch(batch, timeout=30)
                    results.append("ok")
                except grpc.RpcError as exc:
                    results.append(exc.code())
                    return
                finally:
                    first_call_done.set()

        thread = threading.Thread(target=log_many)
        thread.start()
        # SIGTERM once a call has been accepted and completed, while the next is in flight.
        assert first_call_done.wait(timeout=60)
        assert server.stop(signal.SIGTERM) == 0
        thread.join()
    # Every call the server accepted completed; later ones were refused, none half-done.
    assert results.count("ok") >= 1
    assert all(r == "ok" for r in results[:-1])
    restarted = start_server(f"sqlite:///{tmp_path / 'graceful.db'}", tmp_path)
    try:
        with grpc.insecure_channel(f"127.0.0.1:{restarted.port}") as channel:
            run = run_grpc.RunServiceStub(channel).GetRun(run_pb.GetRunRequest(run_id=run_id)).run
            history = met_grpc.MetricServiceStub(channel).GetMetricHistory(
                met_pb.GetMetricHistoryRequest(run_id=run_id, metric_key="m0", page_size=25000)
            )
        assert len(history.metrics) == 20 * results.count("ok")
        assert run.info.run_id == run_id
    finally:
        restarted.stop()


@pytest.mark.parametrize("workers", [2])
def test_several_workers_share_one_postgresql(pg_url: str, tmp_path: Path, workers: int) -> None:
    server = start_server(pg_url, tmp_path, workers=workers)
    try:
        pids = set()
        run_ids = []
        for _ in range(12):  # new connections are spread over the worker processes
            with grpc.insecure_channel(
                f"127.0.0.1:{server.port}", options=[("grpc.use_local_subchannel_pool", 1)]
            ) as ch:
                runs = run_grpc.RunServiceStub(ch)
                run_ids.append(
                    runs.CreateRun(
                        run_pb.CreateRunRequest(request_id=uuid.uuid4().hex)
                    ).run.info.run_id
                )
        out = subprocess.run(
            ["pgrep", "-P", str(server.process.pid)], capture_output=True, text=True
        )
        pids = {int(p) for p in out.stdout.split()}
        assert len(pids) >= workers
        with grpc.insecure_channel(f"127.0.0.1:{server.port}") as ch:
            runs = run_grpc.RunServiceStub(ch)
            for run_id in run_ids:
                assert runs.GetRun(run_pb.GetRunRequest(run_id=run_id)).run.info.run_id == run_id
    finally:
        assert server.stop() == 0
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in pids if _alive(pid)], "worker processes outlived the server"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
