"""Every path attack, on both stores, through the raw API (the client would pass them on too):
the server refuses it on upload, download and listing, and nothing is written anywhere."""

from __future__ import annotations

import uuid

import grpc
import pytest
import trackd

from tests.artifacts import raw
from tests.artifacts.stores import BUCKET, ArtifactServer

MARKER = "escape-marker"
ATTACKS = [
    f"../{MARKER}",
    f"a/../../{MARKER}",
    "..",
    f"..\\{MARKER}",
    f"a\\..\\..\\{MARKER}",
    f"%2e%2e%2f{MARKER}",
    f"%2E%2E/{MARKER}",
    f"..%2f{MARKER}",
    f"a/%2e%2e/%2e%2e/{MARKER}",
    f"%252e%252e%252f{MARKER}",
    f"%25252e%25252e%25252f{MARKER}",
    f"..%5c{MARKER}",
    f"/{MARKER}",
    "/etc/passwd",
    "//proc/self/root/etc/passwd",
    f"file:///tmp/{MARKER}",
    f"s3://{BUCKET}/{MARKER}",
    f"http://127.0.0.1/{MARKER}",
    f"C:/{MARKER}",
    f"{MARKER}#fragment",
    f"{MARKER}?query=1",
    f"{MARKER};type=a",
    f"{MARKER}\x00.txt",
    f"{MARKER}%00.txt",
    f"{MARKER}\n.txt",
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_path_attacks_are_refused(
    artifact_server: ArtifactServer, stub: raw.Stub, run_id: str, attack: str
) -> None:
    code, reason = raw.failure(lambda: raw.upload(stub, run_id, attack, b"owned"))
    assert (code, reason) == (grpc.StatusCode.INVALID_ARGUMENT, "UNSAFE_ARTIFACT_PATH")
    code, reason = raw.failure(lambda: raw.download(stub, run_id, attack))
    assert (code, reason) == (grpc.StatusCode.INVALID_ARGUMENT, "UNSAFE_ARTIFACT_PATH")
    code, reason = raw.failure(lambda: raw.list_page(stub, run_id, attack))
    assert (code, reason) == (grpc.StatusCode.INVALID_ARGUMENT, "UNSAFE_ARTIFACT_PATH")

    assert raw.list_paths(stub, run_id) == []
    assert artifact_server.view.names_containing(MARKER) == []
    assert artifact_server.view.staged() == []


@pytest.mark.parametrize(
    ("path", "stored_as"),
    [
        ("a/./b//c.txt", "a/b/c.txt"),
        ("a/../b.txt", "b.txt"),  # canonicalised, and still inside the root
        ("dir/", None),
        ("100%.txt", "100%.txt"),
        ("a%20b.txt", "a%20b.txt"),  # a literal name: only checked in decoded form
        ("naïve ✓.txt", "naïve ✓.txt"),
    ],
)
def test_safe_paths_are_canonicalised(
    stub: raw.Stub, run_id: str, path: str, stored_as: str | None
) -> None:
    if stored_as is None:
        # "dir/" names a directory, and an upload needs a file name.
        code, _ = raw.failure(lambda: raw.upload(stub, run_id, "", b"x"))
        assert code == grpc.StatusCode.INVALID_ARGUMENT
        return
    assert raw.upload(stub, run_id, path, b"content").path == stored_as
    info, content = raw.download(stub, run_id, stored_as)
    assert (info.path, content) == (stored_as, b"content")


def test_experiment_location_inside_the_destination_is_used(
    artifact_server: ArtifactServer, client: trackd.TrackingClient
) -> None:
    location = f"{artifact_server.destination}/custom-{uuid.uuid4().hex[:8]}"
    experiment_id = client.create_experiment(f"loc-{uuid.uuid4().hex[:8]}", location)
    run = client.create_run(experiment_id)
    assert run.info.artifact_uri == f"{location}/{run.info.run_id}/artifacts"
    stub = _stub(client)
    raw.upload(stub, run.info.run_id, "placed.txt", b"here")
    assert artifact_server.view.run_files(run.info.artifact_uri) == ["placed.txt"]


def _stub(client: trackd.TrackingClient) -> raw.Stub:
    from trackd._artifact_transfer import artifact_stub

    return artifact_stub(client._transport)


def _bad_locations(server: ArtifactServer) -> list[str]:
    dest = server.destination
    common = [
        f"{dest}/../elsewhere",
        f"{dest}/%2e%2e/elsewhere",
        f"{dest}/%252e%252e/elsewhere",
        f"{dest}/x\x00y",
        f"{dest}/x?y=1",
        f"{dest}/x#y",
        f"{dest}\\..\\x",
        "http://127.0.0.1/x",
        "relative/path",
    ]
    if server.kind == "local":
        staging = f"{dest}/.trackd-uploads/x"
        return [*common, "s3://bucket/x", "file://otherhost/tmp/x", "file:relative", staging]
    return [*common, "s3://another-bucket/x", "/tmp/x", f"file:///tmp/{MARKER}", "s3:///x"]


def test_unsafe_experiment_locations_are_refused(
    artifact_server: ArtifactServer, client: trackd.TrackingClient
) -> None:
    for location in _bad_locations(artifact_server):
        name = f"bad-{uuid.uuid4().hex[:8]}"
        with pytest.raises(trackd.InvalidArgumentError) as caught:
            client.create_experiment(name, location)
        # NUL is refused by the generic text check before the artifact store sees it.
        expected = "INVALID_ARGUMENT" if "\x00" in location else "UNSAFE_ARTIFACT_PATH"
        assert caught.value.reason == expected, location
        assert client.get_experiment_by_name(name) is None


def test_a_well_formed_location_outside_the_destination_stores_nothing(
    artifact_server: ArtifactServer,
    client: trackd.TrackingClient,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Accepted when created (existing clients name such locations), but the server never
    reads or writes outside its destination: artifact calls are FAILED_PRECONDITION."""
    if artifact_server.kind == "local":
        outside_dir = tmp_path_factory.mktemp("outside")
        location = str(outside_dir)
    else:
        location = f"s3://{BUCKET}/not-the-prefix-{uuid.uuid4().hex[:8]}"
    experiment_id = client.create_experiment(f"outside-{uuid.uuid4().hex[:8]}", location)
    run = client.create_run(experiment_id)
    stub = _stub(client)
    for call in (
        lambda: raw.upload(stub, run.info.run_id, "x.txt", b"x"),
        lambda: raw.download(stub, run.info.run_id, "x.txt"),
        lambda: raw.list_page(stub, run.info.run_id),
    ):
        assert raw.failure(call) == (
            grpc.StatusCode.FAILED_PRECONDITION,
            "ARTIFACT_LOCATION_OUTSIDE_DESTINATION",
        )
    if artifact_server.kind == "local":
        assert list(outside_dir.iterdir()) == []
    else:
        assert artifact_server.view.names_containing("not-the-prefix") == []
