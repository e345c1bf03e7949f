"""A real HTTP feed receiver on 127.0.0.1 that answers as a script says, and records what came."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .serving import on_a_thread


@dataclass
class Received:
    headers: dict[str, str]
    parts: dict[str, tuple[str, bytes]]  # name -> (content type, body)


@dataclass
class Receiver:
    url: str
    script: list[tuple[str, float]]  # ("status", 503) or ("sleep", seconds) then a 201
    received: list[Received] = field(default_factory=list)
    accepted: set[str] = field(default_factory=set)  # Idempotency-Keys answered 2xx

    def accepted_count(self) -> int:
        return len(self.accepted)


def _parse_multipart(content_type: str, body: bytes) -> dict[str, tuple[str, bytes]]:
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    parts: dict[str, tuple[str, bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        assert isinstance(name, str), "every part is named"
        assert isinstance(payload, bytes), "no part is itself multipart"
        parts[name] = (part.get_content_type(), payload)
    return parts


@contextmanager
def receiver(script: list[tuple[str, float]]) -> Iterator[Receiver]:
    state = Receiver(url="", script=list(script))
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            key = self.headers.get("Idempotency-Key", "")
            with lock:
                state.received.append(
                    Received(
                        dict(self.headers.items()),
                        _parse_multipart(self.headers["Content-Type"], body),
                    )
                )
                step = state.script.pop(0) if state.script else ("status", 201)
            kind, value = step
            if kind == "sleep":
                time.sleep(value)
                status = 201
            else:
                status = int(value)
            if 200 <= status < 300:
                with lock:
                    if key in state.accepted:
                        status = 409
                    state.accepted.add(key)
            answer = b'{"error": "bad manifest"}' if status == 400 else b"{}"
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                if 300 <= status < 400:
                    self.send_header("Location", f"{state.url}/moved")
                self.end_headers()
                self.wfile.write(answer)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (a time-out test)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}/returns"
    with on_a_thread(server):
        yield state
