"""The Python runner of the conformance cases (tests/conformance/cases/*.json): one test per
case and backend, through the public `trackd.TrackingClient` against the session's real server
(SQLite, then PostgreSQL). A case the Python client does not support is reported as skipped with
its reason and counted as unsupported in the closing `conformance python <backend>` lines."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import trackd

from tests.conformance.cases import Case, load_cases, new_uid
from tests.conformance.execute import run_step

CASES = load_cases()


@pytest.fixture(scope="module")
def conformance_client(tracking_uri: str) -> Iterator[trackd.TrackingClient]:
    with trackd.TrackingClient(tracking_uri) as c:
        yield c


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case: Case, backend_url: str, conformance_client: trackd.TrackingClient) -> None:
    backend = "sqlite" if backend_url.startswith("sqlite") else "postgresql"
    reason = case.unsupported_reason("python", backend)
    if reason is not None:
        pytest.skip(f"unsupported by the Python client: {reason}")
    variables: dict[str, object] = {"uid": new_uid()}
    for index, step in enumerate(case.steps):
        try:
            run_step(conformance_client, step, variables)
        except AssertionError as e:
            pytest.fail(f"{case.file} {case.name}, step {index} ({step['op']}): {e}", False)
