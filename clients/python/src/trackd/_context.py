"""System tags describing where a run comes from (MLflow's tag names), for runs the fluent API
creates: who runs it, which script, which git commit."""

from __future__ import annotations

import functools
import getpass
import os
import subprocess
import sys

USER = "mlflow.user"
SOURCE_NAME = "mlflow.source.name"
SOURCE_TYPE = "mlflow.source.type"
GIT_COMMIT = "mlflow.source.git.commit"
RUN_NAME = "mlflow.runName"
PARENT_RUN_ID = "mlflow.parentRunId"
NOTE_CONTENT = "mlflow.note.content"


def current_user() -> str:
    """The OS user name, or "unknown" where there is none (some containers)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def source_name() -> str:
    """The entry script as invoked, or `<console>` in an interactive interpreter."""
    script = sys.argv[0] if sys.argv else ""
    if not script or script == "-c":
        return "<console>"
    return script


@functools.lru_cache(maxsize=8)
def _git_commit_of(directory: str) -> str | None:
    try:
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=directory,
            capture_output=True,
            text=True,
            timeout=2,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = result.stdout.strip()
    return commit if result.returncode == 0 and commit else None


def git_commit() -> str | None:
    """The HEAD commit of the git repository holding the entry script, if any (cached)."""
    script = source_name()
    directory = os.path.dirname(os.path.abspath(script)) if script != "<console>" else os.getcwd()
    if not os.path.isdir(directory):
        return None
    return _git_commit_of(directory)


def system_tags() -> dict[str, str]:
    """The tags every run created by the fluent API starts with; user tags override them."""
    tags = {
        USER: current_user(),
        SOURCE_NAME: source_name(),
        SOURCE_TYPE: "LOCAL",
    }
    commit = git_commit()
    if commit:
        tags[GIT_COMMIT] = commit
    return tags
