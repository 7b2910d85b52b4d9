"""The fluent artifact API (trackd.log_artifact, log_artifacts, log_text, log_dict,
log_figure) against real servers, on both stores."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import trackd
import yaml
from trackd import _env, fluent

from tests.artifacts.stores import ArtifactServer


@pytest.fixture()
def tracking(artifact_server: ArtifactServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The fluent API pointed at the server, with no active experiment or run."""
    for name in (_env.TRACKING_URI, _env.EXPERIMENT_NAME, _env.EXPERIMENT_ID, _env.RUN_ID):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(fluent, "_active_experiment_id", None)
    trackd.set_tracking_uri(artifact_server.server.grpc_uri)
    try:
        yield artifact_server.server.grpc_uri
    finally:
        while trackd.active_run() is not None:
            trackd.end_run()
        _env.set_tracking_uri(None)


def _fetch(uri: str, run_id: str, path: str, dst: Path) -> Path:
    with trackd.TrackingClient(uri) as client:
        return Path(client.download_artifacts(run_id, path, dst))


def test_log_artifact_and_log_artifacts_go_to_the_active_run(
    tracking: str, local_tree: Path, tmp_path: Path
) -> None:
    with trackd.start_run() as run:
        trackd.log_artifact(local_tree / "top.txt")
        trackd.log_artifact(local_tree / "top.txt", artifact_path="copies")
        trackd.log_artifacts(local_tree, artifact_path="tree")
    with trackd.TrackingClient(tracking) as client:
        assert [f.path for f in client.list_artifacts(run.info.run_id)] == [
            "copies",
            "top.txt",
            "tree",
        ]
        assert [f.path for f in client.list_artifacts(run.info.run_id, "tree/sub/deeper")] == [
            "tree/sub/deeper/b.json"
        ]
    assert _fetch(tracking, run.info.run_id, "copies/top.txt", tmp_path).read_text() == "top"


def test_log_artifact_starts_a_run_when_none_is_active(tracking: str, local_tree: Path) -> None:
    trackd.log_artifact(local_tree / "top.txt")
    active = trackd.active_run()
    assert active is not None
    with trackd.TrackingClient(tracking) as client:
        assert [f.path for f in client.list_artifacts(active.info.run_id)] == ["top.txt"]


def test_log_text_and_log_dict(tracking: str, tmp_path: Path) -> None:
    data = {"lr": 0.01, "layers": [64, 32], "name": "net"}
    with trackd.start_run() as run:
        trackd.log_text("héllo\nworld", "notes/readme.txt")
        trackd.log_dict(data, "config.json")
        trackd.log_dict(data, "config/params.yaml")
        trackd.log_dict(data, "params.yml")
    run_id = run.info.run_id
    assert _fetch(tracking, run_id, "notes/readme.txt", tmp_path).read_text("utf-8") == (
        "héllo\nworld"
    )
    assert json.loads(_fetch(tracking, run_id, "config.json", tmp_path).read_text()) == data
    assert yaml.safe_load(_fetch(tracking, run_id, "config/params.yaml", tmp_path).read_text()) == (
        data
    )
    assert yaml.safe_load(_fetch(tracking, run_id, "params.yml", tmp_path).read_text()) == data


def test_log_dict_to_yaml_without_pyyaml_is_a_clear_error(
    tracking: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "yaml", None)  # makes `import yaml` fail
    with trackd.start_run() as run:
        with pytest.raises(ImportError, match="pip install pyyaml"):
            trackd.log_dict({"a": 1}, "x.yaml")
        trackd.log_dict({"a": 1}, "x.json")  # JSON needs nothing extra
    with trackd.TrackingClient(tracking) as client:
        assert [f.path for f in client.list_artifacts(run.info.run_id)] == ["x.json"]


def test_log_figure_stores_a_matplotlib_figure(tracking: str, tmp_path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure()
    figure.add_subplot().plot([1, 2, 3], [3, 1, 2])
    with trackd.start_run() as run:
        trackd.log_figure(figure, "plots/curve.png")
        trackd.log_figure(figure, "plots/curve.svg")
    png = _fetch(tracking, run.info.run_id, "plots/curve.png", tmp_path).read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    svg = _fetch(tracking, run.info.run_id, "plots/curve.svg", tmp_path).read_text()
    assert "<svg" in svg


def test_log_figure_errors(tracking: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with trackd.start_run() as run:
        with pytest.raises(TypeError, match=r"matplotlib\.figure\.Figure"):
            trackd.log_figure(object(), "x.png")
        monkeypatch.setitem(sys.modules, "matplotlib", None)
        with pytest.raises(ImportError, match="pip install matplotlib"):
            trackd.log_figure(object(), "x.png")
    with trackd.TrackingClient(tracking) as client:
        assert client.list_artifacts(run.info.run_id) == []


def test_the_client_offers_the_same_helpers(
    client: trackd.TrackingClient, run_id: str, tmp_path: Path
) -> None:
    client.log_text(run_id, "plain", "a.txt")
    client.log_dict(run_id, {"k": [1, 2]}, "b.json")
    assert [f.path for f in client.list_artifacts(run_id)] == ["a.txt", "b.json"]
    local = Path(client.download_artifacts(run_id, "b.json", tmp_path))
    assert json.loads(local.read_text()) == {"k": [1, 2]}
