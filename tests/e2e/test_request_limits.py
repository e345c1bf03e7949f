"""What gunicorn reads before the app sees a request is bounded: an over-long request line or
header is refused without being read to its end, and the worker answers the next request."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from urllib.parse import urlsplit

import pytest
import requests

from dutyservice.server import LIMIT_REQUEST_FIELD_SIZE, LIMIT_REQUEST_FIELDS, LIMIT_REQUEST_LINE

pytestmark = pytest.mark.slow
EIGHT_MEGABYTES = 8 * 1024 * 1024
# The bound for refusing 8 MB (unbounded, reading it took 16.5 s).
REFUSED_WITHIN_SECONDS = 2.0


def _status_of(server: str, request: bytes) -> tuple[str, float]:
    """The status line the server answers `request` with (sent while the answer is read, as a
    client that does not wait would), and the seconds it took."""
    address = urlsplit(server)
    started = time.monotonic()
    with socket.create_connection((address.hostname, address.port), timeout=10) as connection:

        def send() -> None:
            # Refused and closed before it was all sent: what a bound does.
            with contextlib.suppress(OSError):
                connection.sendall(request)

        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        answer = b""
        while b"\r\n" not in answer:
            chunk = connection.recv(4096)
            if not chunk:
                break
            answer += chunk
        elapsed = time.monotonic() - started
        with contextlib.suppress(OSError):  # already closed by the server
            connection.shutdown(socket.SHUT_RDWR)
    sender.join(timeout=10)
    return answer.split(b"\r\n", 1)[0].decode("latin-1"), elapsed


def _answers_at_once(server: str) -> None:
    assert requests.get(f"{server}/readyz", timeout=1).status_code == 200


def test_an_eight_megabyte_request_line_is_refused_at_once_and_the_next_request_answered(
    server: str,
) -> None:
    line = b"GET /api/v1/forces?q=" + b"a" * EIGHT_MEGABYTES + b" HTTP/1.1\r\n"
    status, elapsed = _status_of(server, line + b"Host: localhost\r\n\r\n")
    assert status.startswith("HTTP/1.1 414 "), status
    assert elapsed < REFUSED_WITHIN_SECONDS, f"refused after {elapsed:.1f} s"
    _answers_at_once(server)
    print(f"\n8 MB request line refused with 414 in {elapsed * 1000:.0f} ms")


def test_a_request_line_within_the_bound_reaches_the_app(server: str) -> None:
    path = "/readyz?pad=" + "a" * (LIMIT_REQUEST_LINE - 200)
    assert requests.get(f"{server}{path}", timeout=5).status_code == 200


def test_an_over_long_header_field_is_refused_with_431(server: str) -> None:
    header = b"X-Padding: " + b"a" * (LIMIT_REQUEST_FIELD_SIZE * 4) + b"\r\n"
    status, _ = _status_of(
        server, b"GET /readyz HTTP/1.1\r\nHost: localhost\r\n" + header + b"\r\n"
    )
    assert status.startswith("HTTP/1.1 431 "), status
    _answers_at_once(server)


def test_too_many_header_fields_are_refused_with_431(server: str) -> None:
    fields = b"".join(b"X-Field-%d: 1\r\n" % n for n in range(LIMIT_REQUEST_FIELDS + 1))
    status, _ = _status_of(
        server, b"GET /readyz HTTP/1.1\r\nHost: localhost\r\n" + fields + b"\r\n"
    )
    assert status.startswith("HTTP/1.1 431 "), status
    _answers_at_once(server)


def test_many_headers_within_the_bounds_reach_the_app(server: str) -> None:
    headers = {f"X-Field-{n}": "a" * 100 for n in range(LIMIT_REQUEST_FIELDS - 10)}
    assert requests.get(f"{server}/readyz", headers=headers, timeout=5).status_code == 200
