"""A 1 GiB upload and download keep the server's resident memory within 64 MiB of where it
started, on both stores: content streams through in bounded chunks and parts, and the
buffers a transfer reused go back to the system when it ends."""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import trackd

from tests.artifacts.conftest import s3_server_args
from tests.artifacts.stores import MotoServer
from tests.support.servers import ServerProcess, start_server

GIB = 1024**3
MIB = 1024**2
ALLOWED_GROWTH = 64 * MIB


def _status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} in /proc/{pid}/status")


class PeakMemory:
    """The peak resident memory of a process during a block: the kernel's high-water mark
    (reset at the start through clear_refs) and, as a cross-check, frequent samples."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.baseline = 0
        self.sampled_peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.sampled_peak = max(self.sampled_peak, _status_kib(self.pid, "VmRSS") * 1024)

    def __enter__(self) -> PeakMemory:
        Path(f"/proc/{self.pid}/clear_refs").write_text("5")  # resets VmHWM to VmRSS
        self.baseline = _status_kib(self.pid, "VmRSS") * 1024
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def growth(self) -> int:
        peak = max(_status_kib(self.pid, "VmHWM") * 1024, self.sampled_peak)
        return peak - self.baseline


def _sparse_file(path: Path, size: int) -> Path:
    """A file of `size` bytes that takes no disk space until read (it reads as zeros), with
    a few marked blocks so that a misplaced chunk changes the checksum."""
    with path.open("wb") as f:
        f.truncate(size)
        for offset in range(0, size, 128 * MIB):
            f.seek(offset)
            f.write(offset.to_bytes(8, "big") * 512)
    return path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(4 * MIB):
            digest.update(chunk)
    return digest.hexdigest()


@pytest.fixture(params=["local", "s3"])
def fresh_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServerProcess]:
    """A server of its own, so that nothing else runs in it while it is measured."""
    extra: tuple[str, ...] = ("--artifacts-destination", str(tmp_path / "artifacts"))
    if request.param == "s3":
        moto: MotoServer = request.getfixturevalue("moto")
        extra = s3_server_args(moto)
    server = start_server(f"sqlite:///{tmp_path / 'memory.db'}", tmp_path, *extra)
    yield server
    server.stop()


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_1_gib_round_trip_keeps_server_memory_bounded(
    fresh_server: ServerProcess, tmp_path: Path
) -> None:
    source = _sparse_file(tmp_path / "big.bin", GIB)
    with trackd.TrackingClient(fresh_server.grpc_uri) as client:
        run_id = client.create_run(
            client.create_experiment(f"mem-{uuid.uuid4().hex[:8]}")
        ).info.run_id
        # Warm up every code path first, so imports and pools do not count as growth.
        warm = tmp_path / "warm.bin"
        warm.write_bytes(b"w" * (17 * MIB))
        client.log_artifact(run_id, warm)
        client.download_artifacts(run_id, "warm.bin", tmp_path / "warm-dl")

        with PeakMemory(fresh_server.process.pid) as upload:
            client.log_artifact(run_id, source, "big")
        with PeakMemory(fresh_server.process.pid) as download:
            downloaded = Path(client.download_artifacts(run_id, "big/big.bin", tmp_path / "dl"))
        assert downloaded.stat().st_size == GIB
        assert _sha256(downloaded) == _sha256(source)
        downloaded.unlink()
    for what, memory in (("upload", upload), ("download", download)):
        assert memory.growth <= ALLOWED_GROWTH, (
            f"server memory grew by {memory.growth / MIB:.1f} MiB (from "
            f"{memory.baseline / MIB:.0f} MiB) during a 1 GiB {what}"
        )
    # The buffers the transfers reused are handed back once they end (measured: 4-9 MiB
    # above where the upload started).
    kept = _status_kib(fresh_server.process.pid, "VmRSS") * 1024 - upload.baseline
    assert kept <= ALLOWED_GROWTH // 2, f"the server kept {kept / MIB:.1f} MiB after the transfers"
