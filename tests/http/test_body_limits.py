"""The request body limit (16 MiB for JSON routes): a larger body is answered 413 without being
read to its end, and the connection is closed, so neither a huge Content-Length nor an endless
chunked body can keep the server reading."""

from __future__ import annotations

import json
import socket
import threading
import time

from tests.support.http_errors import status_error
from tests.support.servers import ServerProcess

LIMIT = 16 * 1024 * 1024


def read_answer(
    sock: socket.socket, then_closed: bool = True
) -> tuple[int, dict[str, str], bytes, bool]:
    """(status, headers, body, closed): reads one response, then (with `then_closed`) whether
    the server closed the connection after it (a recv that times out fails the test)."""
    data = b""
    while b"\r\n\r\n" not in data:
        piece = sock.recv(65536)
        assert piece, f"connection closed before an answer: {data!r}"
        data += piece
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines)}
    while len(body) < int(headers["content-length"]):
        piece = sock.recv(65536)
        assert piece
        body += piece
    closed = False
    if then_closed:
        try:
            closed = sock.recv(1) == b""
        except ConnectionResetError:
            closed = True
    return int(status_line.split()[1]), headers, body, closed


def test_huge_content_length_is_413_before_the_body_is_read(
    server: ServerProcess, run_id: str
) -> None:
    head = (
        f"POST /v1/runs/{run_id}/tags HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: application/json\r\nContent-Length: {2 * 1024**3}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", server.http_port), timeout=10) as sock:
        sock.sendall(head)  # and not one byte of the announced 2 GiB
        status, headers, body, closed = read_answer(sock)
    assert (status, headers["connection"]) == (413, "close")
    error = status_error(json.loads(body))
    assert (error["code"], error["reason"]) == ("RESOURCE_EXHAUSTED", "REQUEST_TOO_LARGE")
    assert error["metadata"] == {"limit_bytes": str(LIMIT)} and str(LIMIT) in error["message"]
    assert closed


def test_endless_chunked_body_is_cut_off_after_the_limit(
    server: ServerProcess, run_id: str
) -> None:
    head = (
        f"POST /v1/runs/{run_id}/tags HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    ).encode()
    piece = b" " * 65536
    chunk = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    sent = 0
    stopped = threading.Event()
    with socket.create_connection(("127.0.0.1", server.http_port), timeout=30) as sock:
        sock.sendall(head)

        def send_forever() -> None:
            nonlocal sent
            try:
                while not stopped.is_set():
                    sock.sendall(chunk)
                    sent += len(piece)
            except OSError:
                pass  # the server closed the connection: what this test waits for
            stopped.set()

        sender = threading.Thread(target=send_forever)
        sender.start()
        try:
            status, headers, body, _ = read_answer(sock)
            # The sender fails once the server has closed; an endless read never ends.
            assert stopped.wait(20), f"server still reading after {sent} bytes"
        finally:
            stopped.set()
            sender.join()
    assert (status, headers["connection"]) == (413, "close")
    assert status_error(json.loads(body))["reason"] == "REQUEST_TOO_LARGE"
    # The limit plus what socket buffers hold, not "everything the client sent".
    assert LIMIT < sent < LIMIT + 32 * 1024 * 1024, sent


def test_server_answers_normally_after_cutting_a_body_off(
    server: ServerProcess, run_id: str
) -> None:
    test_huge_content_length_is_413_before_the_body_is_read(server, run_id)
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", server.http_port), timeout=10) as sock:
        sock.sendall(b"GET /v1/experiments/0 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        status, _, body, _ = read_answer(sock, then_closed=False)
    assert status == 200 and json.loads(body)["experiment"]["name"] == "Default"
    assert time.monotonic() - started < 5
