"""Layers import one way: api -> service -> store, and domain imports none of them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import trackd_server

PACKAGE = Path(trackd_server.__file__).parent
# What each layer must never import (module prefixes inside trackd_server).
FORBIDDEN = {
    "domain": ("api", "service", "store", "artifacts", "runtime", "cli"),
    "store": ("api", "service", "runtime", "cli"),
    "artifacts": ("api", "service", "store", "runtime", "cli"),
    "service": ("api", "runtime", "cli"),
}


def _imports(path: Path) -> set[str]:
    """Modules imported by a file, as dotted names relative to trackd_server."""
    layer_depth = len(path.relative_to(PACKAGE).parts) - 1
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(path.relative_to(PACKAGE).parts[:layer_depth])
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                found.add(".".join([*base, *(node.module or "").split(".")]).strip("."))
            elif node.module and node.module.startswith("trackd_server."):
                found.add(node.module.removeprefix("trackd_server."))
        elif isinstance(node, ast.Import):
            found.update(
                a.name.removeprefix("trackd_server.")
                for a in node.names
                if a.name.startswith("trackd_server.")
            )
    return found


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_point_one_way(layer: str) -> None:
    violations = [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in sorted((PACKAGE / layer).rglob("*.py"))
        for name in sorted(_imports(path))
        if name.split(".")[0] in FORBIDDEN[layer]
    ]
    assert violations == []


def test_the_check_sees_relative_imports() -> None:
    # store/sql/runs.py imports ...domain.entities and .dialect: both must be seen as such.
    names = _imports(PACKAGE / "store" / "sql" / "runs.py")
    assert "domain.entities" in names and "store.sql.dialect" in names


def _client_imports(path: Path) -> set[str]:
    """Modules and names of the client package `trackd` that a file imports, dotted
    (`trackd._env` for `from trackd import _env` as much as for `import trackd._env`)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and not node.level and node.module:
            if node.module == "trackd" or node.module.startswith("trackd."):
                found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(
                a.name for a in node.names if a.name == "trackd" or a.name.startswith("trackd.")
            )
    return found


def _private(dotted: str) -> bool:
    return any(part.startswith("_") for part in dotted.split(".")[1:])


def test_the_server_imports_nothing_private_of_the_client() -> None:
    # The client's private modules (`trackd._transport`, `trackd._env`...) may change with
    # any release of the client; the server may use its public API and the generated stubs.
    violations = [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for name in sorted(_client_imports(path))
        if _private(name)
    ]
    assert violations == []


def test_the_client_check_sees_every_import_form(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "import trackd._transport\n"
        "from trackd import _env, client\n"
        "from trackd.export import export_runs\n"
        "def f():\n"
        "    from trackd._run_writes import x\n"
    )
    names = _client_imports(module)
    assert {name for name in names if _private(name)} == {
        "trackd._transport",
        "trackd._env",
        "trackd._run_writes.x",
    }
    assert not _private("trackd.export.export_runs") and not _private("trackd.v1.run_pb2")
