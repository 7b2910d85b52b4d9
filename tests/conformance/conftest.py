"""Counts the outcomes of the Python conformance runner per backend and prints them at the end
of the session in the line format all three runners share:
`conformance python <backend>: N passed, M failed, K unsupported`."""

from __future__ import annotations

from collections import defaultdict

import pytest

_counts: dict[str, dict[str, int]] = defaultdict(
    lambda: {"passed": 0, "failed": 0, "unsupported": 0}
)
_unsupported: dict[str, list[str]] = defaultdict(list)
_backend_of: dict[str, str] = {}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        callspec = getattr(item, "callspec", None)
        if "test_conformance_python.py" in item.nodeid and callspec is not None:
            _backend_of[item.nodeid] = str(callspec.params.get("backend_url", "?"))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    backend = _backend_of.get(report.nodeid)
    if backend is None:
        return
    counts = _counts[backend]
    if report.skipped:
        counts["unsupported"] += 1
        _unsupported[backend].append(report.nodeid.split("[", 1)[-1].rstrip("]"))
    elif report.when == "call" and report.passed:
        counts["passed"] += 1
    elif report.failed:
        counts["failed"] += 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for backend, c in sorted(_counts.items()):
        terminalreporter.write_line(
            f"conformance python {backend}: {c['passed']} passed, {c['failed']} failed, "
            f"{c['unsupported']} unsupported"
        )
