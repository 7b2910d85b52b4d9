"""The `trackd` command on a client-only install (`pip install trackd`, no extras).

The test environment has every extra installed, so each command runs in a process that can
import only what `pip install trackd` brings: the distributions of trackd's own requirements
without extras, and their requirements, read from the installed metadata. Every other
installed top-level module (uvicorn, sqlalchemy, pandas, pytest...) fails to import there, as
it would in a fresh virtualenv.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, packages_distributions, requires
from pathlib import Path

import pytest

from tests.export.conftest import Exported, run_export
from tests.support.servers import trackd_command

_BLOCKER = """
import importlib.abc, sys

BLOCKED = frozenset({blocked!r})


class _NotInstalled(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None


sys.meta_path.insert(0, _NotInstalled())
"""


def _name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;(]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _client_closure() -> set[str]:
    """trackd and the distributions `pip install trackd` installs with it."""
    seen: set[str] = set()
    pending = ["trackd"]
    while pending:
        dist = pending.pop()
        if dist in seen:
            continue
        seen.add(dist)
        try:
            needs = requires(dist) or []
        except PackageNotFoundError:
            continue
        pending += [_name(r) for r in needs if "extra ==" not in r.replace('"', "'")]
    return seen


def _blocked_modules() -> set[str]:
    closure = _client_closure()
    return {
        module
        for module, dists in packages_distributions().items()
        if not module.startswith("_")
        and module not in sys.stdlib_module_names
        and not {_name(d) for d in dists} & closure
    }


@pytest.fixture(scope="module")
def client_only_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """PYTHONPATH with a sitecustomize that makes the modules trackd does not require
    uninstallable."""
    site = tmp_path_factory.mktemp("client-only-site")
    (site / "sitecustomize.py").write_text(_BLOCKER.format(blocked=sorted(_blocked_modules())))
    return {"PYTHONPATH": str(site)}


def _run(
    command: list[str], env: dict[str, str], cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, capture_output=True, text=True, timeout=120, cwd=cwd, env={**os.environ, **env}
    )


def _trackd(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return _run([*trackd_command(), *args], env)


def test_the_environment_is_client_only(client_only_env: dict[str, str]) -> None:
    # Guards the tests below: they prove nothing if the server's modules still import.
    for module in ("uvicorn", "sqlalchemy", "alembic", "pandas", "pyarrow"):
        done = _run([sys.executable, "-c", f"import {module}"], client_only_env)
        assert done.returncode == 1 and "ModuleNotFoundError" in done.stderr, module
    done = _run([sys.executable, "-c", "import trackd, grpc"], client_only_env)
    assert done.returncode == 0, done.stderr


def test_help_and_version_work_without_the_server_extra(client_only_env: dict[str, str]) -> None:
    for args in (["--help"], ["runs", "export", "--help"], ["server", "--help"], ["--version"]):
        done = _trackd(client_only_env, *args)
        assert done.returncode == 0, (args, done.stderr)
        assert "Traceback" not in done.stderr
    assert "server extra" in _trackd(client_only_env, "--help").stdout


@pytest.mark.parametrize("command", [["server"], ["db", "upgrade", "sqlite:///never.db"]])
def test_server_commands_name_the_extra_they_need(
    client_only_env: dict[str, str], command: list[str], tmp_path: Path
) -> None:
    done = _run([*trackd_command(), *command], client_only_env, cwd=tmp_path)

    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "needs the server extra" in done.stderr
    assert "pip install 'trackd[server]'" in done.stderr
    assert list(tmp_path.iterdir()) == []  # no database was created


def test_runs_export_works_without_the_server_extra(
    client_only_env: dict[str, str], tracking_uri: str, known_runs: Exported, tmp_path: Path
) -> None:
    out = tmp_path / "runs.jsonl"

    done = run_export(
        tracking_uri,
        "--experiment",
        known_runs.experiment,
        "--format",
        "jsonl",
        "-o",
        str(out),
        env=client_only_env,
    )

    assert done.returncode == 0, done.stderr
    assert len(out.read_text().splitlines()) == 3


def test_parquet_export_without_pyarrow_names_its_extra(
    client_only_env: dict[str, str], tracking_uri: str, known_runs: Exported, tmp_path: Path
) -> None:
    done = run_export(
        tracking_uri,
        "--experiment",
        known_runs.experiment,
        "--format",
        "parquet",
        "-o",
        str(tmp_path / "runs.parquet"),
        env=client_only_env,
    )

    assert done.returncode == 1
    assert "pip install 'trackd[parquet]'" in done.stderr
