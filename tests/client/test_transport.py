"""Tracking URIs: parsing, TLS for grpcs://, and where the client takes its URI from."""

from __future__ import annotations

import pytest
import trackd
from trackd._transport import parse_tracking_uri
from trackd.exceptions import InvalidArgumentError, UnavailableError
from trackd_server.cli import _parser as server_parser

# A grpc:// URI without a port means the port `trackd server` listens on with no flags.
SERVER_PORT = server_parser().parse_args(["server"]).port


@pytest.mark.parametrize(
    ("uri", "target", "tls"),
    [
        ("grpc://127.0.0.1:7001", "127.0.0.1:7001", False),
        ("grpc://tracking.example.com", f"tracking.example.com:{SERVER_PORT}", False),
        ("GRPC://Host:1234", "host:1234", False),
        ("grpcs://tracking.example.com", "tracking.example.com:443", True),
        ("grpcs://tracking.example.com:8443/", "tracking.example.com:8443", True),
        ("grpc://[::1]:7001", "[::1]:7001", False),
    ],
)
def test_parse_tracking_uri(uri: str, target: str, tls: bool) -> None:
    assert parse_tracking_uri(uri) == (target, tls)


@pytest.mark.parametrize(
    "uri", ["http://127.0.0.1:5000", "127.0.0.1:7001", "grpc://", "grpc://host:notaport", ""]
)
def test_invalid_tracking_uri(uri: str) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        parse_tracking_uri(uri)
    assert caught.value.reason == "INVALID_TRACKING_URI"


def test_client_rejects_a_bad_uri_at_construction() -> None:
    with pytest.raises(InvalidArgumentError):
        trackd.TrackingClient("http://127.0.0.1:5000")


def test_grpcs_speaks_tls(tracking_uri: str) -> None:
    # The test server speaks plaintext, so a TLS handshake with it must fail.
    tls_uri = tracking_uri.replace("grpc://", "grpcs://")
    with pytest.raises(UnavailableError):
        trackd.TrackingClient(tls_uri, max_retries=0, timeout=10).get_experiment("0")
    assert trackd.TrackingClient(tracking_uri).get_experiment("0").name == "Default"


def test_client_uri_from_environment(tracking_uri: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKD_TRACKING_URI", tracking_uri)
    client = trackd.TrackingClient()
    assert client.tracking_uri == tracking_uri
    assert client.get_experiment("0").name == "Default"


def test_request_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKD_REQUEST_TIMEOUT", "2.5")
    monkeypatch.setenv("TRACKD_REQUEST_MAX_RETRIES", "1")
    monkeypatch.setenv("TRACKD_REQUEST_BACKOFF_FACTOR", "0.01")
    transport = trackd.TrackingClient("grpc://127.0.0.1:1")._transport
    assert transport.timeout == 2.5
    assert transport.retry_policy.max_retries == 1
    assert transport.retry_policy.backoff_factor == 0.01
    monkeypatch.setenv("TRACKD_REQUEST_MAX_RETRIES", "many")
    with pytest.raises(ValueError):
        trackd.TrackingClient("grpc://127.0.0.1:1")
