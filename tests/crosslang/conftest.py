"""Cross-language artifact checks need the R package installed (build/r-lib), which only
`make test-r` provides: `make test-crosslang` (run by `make test-r` after `r-install`) sets
TRACKD_CROSSLANG=1. Without it these modules are not collected at all, so `make test-python`
(which may run before R exists) neither runs nor skips them. When they do run, a missing R or
package is a failure, never a skip."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

collect_ignore_glob = [] if os.environ.get("TRACKD_CROSSLANG") == "1" else ["test_*.py"]


@pytest.fixture(scope="session")
def rscript() -> str:
    path = shutil.which("Rscript")
    if path is None:
        pytest.fail("Rscript is not on PATH: run `make test-r`, which installs R")
    return path


@pytest.fixture(scope="session")
def r_lib() -> Path:
    lib = Path(os.environ.get("TRACKD_R_LIB", REPO / "build" / "r-lib"))
    if not (lib / "trackd" / "DESCRIPTION").is_file():
        pytest.fail(f"the trackd R package is not installed in {lib}: run `make r-install`")
    return lib
