"""Transfers have no overall deadline, but one that stops moving is cancelled after the
client's timeout: here the (real) server process is frozen with SIGSTOP mid-test."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import trackd

from tests.support.servers import ServerProcess, start_server


@pytest.fixture()
def freezable_server(tmp_path: Path) -> Iterator[ServerProcess]:
    server = start_server(
        f"sqlite:///{tmp_path / 'stall.db'}",
        tmp_path,
        "--artifacts-destination",
        str(tmp_path / "artifacts"),
    )
    yield server
    os.kill(server.process.pid, signal.SIGCONT)
    server.stop()


def test_a_stalled_transfer_is_cancelled_after_the_timeout(
    freezable_server: ServerProcess, tmp_path: Path
) -> None:
    source = tmp_path / "big.bin"
    with source.open("wb") as f:
        f.truncate(64 * 1024 * 1024)
    with trackd.TrackingClient(freezable_server.grpc_uri, timeout=2, max_retries=0) as client:
        run_id = client.create_run(client.create_experiment("stalls")).info.run_id
        client.log_artifact(run_id, source)

        os.kill(freezable_server.process.pid, signal.SIGSTOP)
        try:
            for transfer in (
                lambda: client.download_artifacts(run_id, "big.bin", tmp_path / "dl"),
                lambda: client.log_artifact(run_id, source, "again"),
            ):
                started = time.monotonic()
                with pytest.raises(trackd.DeadlineExceededError) as caught:
                    transfer()
                assert caught.value.reason == "TRANSFER_STALLED"
                assert time.monotonic() - started < 30
        finally:
            os.kill(freezable_server.process.pid, signal.SIGCONT)

        assert not (tmp_path / "dl" / "big.bin").exists()
        assert [p.name for p in (tmp_path / "dl").iterdir()] == []  # no partial download
        # The server, running again, discarded the cancelled upload.
        assert [f.path for f in client.list_artifacts(run_id)] == ["big.bin"]
