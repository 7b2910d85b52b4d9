"""Run artifacts: files (models, plots, data) stored by the server beside a run.

Two ways in, like the rest of trackd: `TrackingClient.log_artifact(run_id, ...)`,
`log_artifacts`, `list_artifacts`, `download_artifacts`, `log_text`, `log_dict` and
`log_figure` (from `ArtifactMethods`, which `TrackingClient` includes), and the fluent
`trackd.log_artifact(...)`, `log_artifacts`, `log_text`, `log_dict` and `log_figure`, which
log to the active run. Every byte goes through the trackd server (the client never needs
storage credentials), in chunks of 1 MiB, with a SHA-256 checked on both sides.

Artifact paths are relative to the run's artifact root and use `/`, whatever the local OS.
"""

from __future__ import annotations

import json
import os
import posixpath
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from trackd import _artifact_transfer as transfer
from trackd._transport import Transport
from trackd.exceptions import FailedPreconditionError, InvalidArgumentError
from trackd.v1 import artifact_pb2, artifact_service_pb2

# The server's largest listing page.
MAX_LIST_PAGE_SIZE = 10000


@dataclass(frozen=True)
class FileInfo:
    """A file or directory among a run's artifacts (MLflow's `FileInfo` fields).

    Attributes:
        path: relative to the run's artifact root, for example ``"model/weights.bin"``.
        is_dir: True for a directory.
        file_size: bytes; None for a directory.
    """

    path: str
    is_dir: bool
    file_size: int | None = None


def _file_info(msg: artifact_pb2.FileInfo) -> FileInfo:
    return FileInfo(msg.path, msg.is_dir, None if msg.is_dir else int(msg.size))


def _artifact_dir(artifact_path: str | None) -> str:
    """The `/`-separated form of an artifact directory; "" for the root."""
    if not artifact_path:
        return ""
    return artifact_path.replace(os.sep, "/").strip("/")


def _log_artifact(
    transport: Transport, run_id: str, local_path: str | os.PathLike[str], artifact_path: str | None
) -> FileInfo:
    """Uploads one local file into directory `artifact_path` of the run (root if None), under
    its own name. The server stores it atomically and checks its SHA-256."""
    local = os.fspath(local_path)
    if not os.path.isfile(local):
        raise InvalidArgumentError(
            f"log_artifact needs a file; {local!r} is not one (use log_artifacts for a directory)",
            reason="NOT_A_FILE",
        )
    destination = posixpath.join(_artifact_dir(artifact_path), os.path.basename(local))
    return _file_info(transfer.upload_file(transport, run_id, local, destination))


def _log_artifacts(
    transport: Transport, run_id: str, local_dir: str | os.PathLike[str], artifact_path: str | None
) -> list[FileInfo]:
    """Uploads every file under `local_dir` (recursively) into directory `artifact_path` of
    the run, keeping the layout. Empty directories are not represented."""
    root = os.fspath(local_dir)
    if not os.path.isdir(root):
        raise InvalidArgumentError(
            f"log_artifacts needs a directory; {root!r} is not one", reason="NOT_A_DIRECTORY"
        )
    base = _artifact_dir(artifact_path)
    stored = []
    for directory, subdirs, files in os.walk(root):
        subdirs.sort()
        for name in sorted(files):
            local = os.path.join(directory, name)
            relative = os.path.relpath(local, root).replace(os.sep, "/")
            destination = posixpath.join(base, relative) if base else relative
            stored.append(_file_info(transfer.upload_file(transport, run_id, local, destination)))
    return stored


def _list_pages(transport: Transport, run_id: str, path: str) -> Iterator[FileInfo]:
    token = ""
    while True:
        request = artifact_service_pb2.ListArtifactsRequest(
            run_id=run_id, path=path, page_size=MAX_LIST_PAGE_SIZE, page_token=token
        )
        reply = transport.call(lambda s: transfer.artifact_stub(transport).ListArtifacts, request)
        yield from (_file_info(f) for f in reply.files)
        token = reply.next_page_token
        if not token:
            return


def _list_artifacts(transport: Transport, run_id: str, path: str | None) -> list[FileInfo]:
    """The direct children of directory `path` (root if None), ordered by name, all pages.
    A missing path or a file lists nothing."""
    return list(_list_pages(transport, run_id, _artifact_dir(path)))


def _local_target(root: str, artifact_path: str) -> str:
    """Where `artifact_path` goes under `root`; refuses a path that would leave it (only a
    misbehaving server could send one)."""
    target = os.path.normpath(os.path.join(root, *artifact_path.split("/")))
    root_normal = os.path.normpath(root)
    if target != root_normal and not target.startswith(root_normal.rstrip(os.sep) + os.sep):
        raise InvalidArgumentError(
            f"artifact path {artifact_path!r} would be written outside {root!r}",
            reason="UNSAFE_ARTIFACT_PATH",
        )
    return target


def _download_artifacts(
    transport: Transport, run_id: str, path: str, dst_path: str | os.PathLike[str] | None
) -> str:
    """Downloads file or directory `path` of the run to `dst_path/path` (a new temporary
    directory if `dst_path` is None) and returns that local path. Each file is checked against
    the server's SHA-256 and appears only when complete."""
    root = os.fspath(dst_path) if dst_path is not None else tempfile.mkdtemp(prefix="trackd-")
    os.makedirs(root, exist_ok=True)
    rel = _artifact_dir(path)
    target = _local_target(root, rel)
    if rel:
        try:
            transfer.download_file(transport, run_id, rel, target)
            return target
        except FailedPreconditionError as err:
            if err.reason != "ARTIFACT_IS_DIRECTORY":
                raise
    _download_tree(transport, run_id, rel, root)
    return target


def _download_tree(transport: Transport, run_id: str, directory: str, root: str) -> None:
    os.makedirs(_local_target(root, directory), exist_ok=True)
    pending = [directory]
    while pending:
        current = pending.pop()
        for entry in _list_pages(transport, run_id, current):
            local = _local_target(root, entry.path)
            if entry.is_dir:
                os.makedirs(local, exist_ok=True)
                pending.append(entry.path)
            else:
                transfer.download_file(transport, run_id, entry.path, local)


# ------------------------------------------------------------------- in-memory objects as files


def _split_artifact_file(artifact_file: str) -> tuple[str, str]:
    """(directory, file name) of an artifact file path such as "plots/loss.png"."""
    normal = _artifact_dir(artifact_file)
    name = posixpath.basename(normal)
    if not name:
        raise InvalidArgumentError(
            f"artifact_file {artifact_file!r} names no file", reason="INVALID_ARTIFACT_FILE"
        )
    return posixpath.dirname(normal), name


def _log_written(transport: Transport, run_id: str, artifact_file: str, write: Any) -> FileInfo:
    """Calls `write(local_path)` in a temporary directory, then uploads the file it wrote."""
    directory, name = _split_artifact_file(artifact_file)
    with tempfile.TemporaryDirectory(prefix="trackd-") as scratch:
        local = os.path.join(scratch, name)
        write(local)
        return _log_artifact(transport, run_id, local, directory or None)


def _log_text(transport: Transport, run_id: str, text: str, artifact_file: str) -> FileInfo:
    """Stores `text` (UTF-8) as artifact `artifact_file`, for example ``"notes/readme.txt"``."""

    def write(local: str) -> None:
        with open(local, "w", encoding="utf-8") as f:
            f.write(text)

    return _log_written(transport, run_id, artifact_file, write)


def _yaml_module() -> Any:
    try:
        import yaml
    except ImportError:
        raise ImportError(
            "log_dict writes .yaml/.yml files with PyYAML, which is not installed: "
            "`pip install pyyaml`, or use a .json file name"
        ) from None
    return yaml


def _log_dict(
    transport: Transport, run_id: str, dictionary: Mapping[str, Any], artifact_file: str
) -> FileInfo:
    """Stores `dictionary` as YAML if `artifact_file` ends in .yaml or .yml (needs PyYAML),
    else as JSON."""
    is_yaml = artifact_file.lower().endswith((".yaml", ".yml"))
    yaml = _yaml_module() if is_yaml else None

    def write(local: str) -> None:
        with open(local, "w", encoding="utf-8") as f:
            if yaml is not None:
                yaml.safe_dump(dict(dictionary), f, default_flow_style=False, sort_keys=False)
            else:
                json.dump(dictionary, f, indent=2)

    return _log_written(transport, run_id, artifact_file, write)


def _is_from(obj: Any, package: str) -> bool:
    return any(cls.__module__.split(".")[0] == package for cls in type(obj).__mro__)


def _log_figure(transport: Transport, run_id: str, figure: Any, artifact_file: str) -> FileInfo:
    """Stores a matplotlib figure (any format `savefig` knows from the file extension, such as
    .png or .svg) or a plotly figure (.html, or an image format with kaleido installed)."""
    if _is_from(figure, "matplotlib"):

        def write(local: str) -> None:
            figure.savefig(local)

    elif _is_from(figure, "plotly"):

        def write(local: str) -> None:
            if local.lower().endswith(".html"):
                figure.write_html(local)
            else:
                figure.write_image(local)

    else:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            raise ImportError(
                "log_figure stores matplotlib (or plotly) figures, and matplotlib is not "
                "installed: `pip install matplotlib`"
            ) from None
        raise TypeError(
            f"log_figure cannot store a {type(figure).__name__}: pass a "
            "matplotlib.figure.Figure or a plotly Figure"
        )
    return _log_written(transport, run_id, artifact_file, write)


# ------------------------------------------------------------------------ TrackingClient methods


class ArtifactMethods:
    """The artifact methods of `TrackingClient` (MLflow's `MlflowClient` names)."""

    _transport: Transport

    def log_artifact(
        self, run_id: str, local_path: str | os.PathLike[str], artifact_path: str | None = None
    ) -> None:
        """Uploads a local file into directory `artifact_path` of the run (its root if None),
        under the file's own name. The file is streamed (never read into memory whole) and
        its SHA-256 is checked by the server, which stores it atomically."""
        _log_artifact(self._transport, run_id, local_path, artifact_path)

    def log_artifacts(
        self, run_id: str, local_dir: str | os.PathLike[str], artifact_path: str | None = None
    ) -> None:
        """Uploads every file under `local_dir`, recursively, into directory `artifact_path`
        of the run (its root if None), keeping the directory layout."""
        _log_artifacts(self._transport, run_id, local_dir, artifact_path)

    def list_artifacts(self, run_id: str, path: str | None = None) -> list[FileInfo]:
        """The files and directories directly in directory `path` of the run (its root if
        None), ordered by name, fetching every page. Paths are relative to the run's root."""
        return _list_artifacts(self._transport, run_id, path)

    def download_artifacts(
        self, run_id: str, path: str, dst_path: str | os.PathLike[str] | None = None
    ) -> str:
        """Downloads artifact file or directory `path` ("" for everything) to
        `dst_path/path` and returns that local path. `dst_path` None means a new temporary
        directory. Every file is checked against its SHA-256 and appears only when complete."""
        return _download_artifacts(self._transport, run_id, path, dst_path)

    def log_text(self, run_id: str, text: str, artifact_file: str) -> None:
        """Stores `text` as UTF-8 in artifact `artifact_file`, for example "notes/info.txt"."""
        _log_text(self._transport, run_id, text, artifact_file)

    def log_dict(self, run_id: str, dictionary: Mapping[str, Any], artifact_file: str) -> None:
        """Stores `dictionary` as YAML when `artifact_file` ends in .yaml/.yml (needs PyYAML),
        else as JSON."""
        _log_dict(self._transport, run_id, dictionary, artifact_file)

    def log_figure(self, run_id: str, figure: Any, artifact_file: str) -> None:
        """Stores a matplotlib or plotly figure; the format follows the file extension."""
        _log_figure(self._transport, run_id, figure, artifact_file)


# ---------------------------------------------------------------------------------- fluent API


def _active(run_id: str | None) -> tuple[Any, str]:
    # Imported here: trackd.fluent imports the client, which imports this module.
    from trackd import fluent

    return fluent._target(run_id)


def log_artifact(
    local_path: str | os.PathLike[str], artifact_path: str | None = None, run_id: str | None = None
) -> None:
    """Uploads a local file to the active run (started if there is none), into directory
    `artifact_path` (the run's artifact root if None)."""
    client, target = _active(run_id)
    client.log_artifact(target, local_path, artifact_path)


def log_artifacts(
    local_dir: str | os.PathLike[str], artifact_path: str | None = None, run_id: str | None = None
) -> None:
    """Uploads every file under `local_dir` to the active run, keeping the layout."""
    client, target = _active(run_id)
    client.log_artifacts(target, local_dir, artifact_path)


def log_text(text: str, artifact_file: str, run_id: str | None = None) -> None:
    """Stores `text` as artifact `artifact_file` of the active run."""
    client, target = _active(run_id)
    client.log_text(target, text, artifact_file)


def log_dict(dictionary: Mapping[str, Any], artifact_file: str, run_id: str | None = None) -> None:
    """Stores `dictionary` as JSON, or YAML for a .yaml/.yml name, in the active run."""
    client, target = _active(run_id)
    client.log_dict(target, dictionary, artifact_file)


def log_figure(figure: Any, artifact_file: str, run_id: str | None = None) -> None:
    """Stores a matplotlib or plotly figure as artifact `artifact_file` of the active run."""
    client, target = _active(run_id)
    client.log_figure(target, figure, artifact_file)


__all__ = [
    "ArtifactMethods",
    "FileInfo",
    "log_artifact",
    "log_artifacts",
    "log_dict",
    "log_figure",
    "log_text",
]
