"""A real SMTP server (aiosmtpd) on 127.0.0.1 that records what it accepts, and can refuse."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Mailbox:
    port: int
    #: address → the reply its RCPT TO gets instead of 250 ("550 ...", "451 ...").
    refuse: dict[str, str] = field(default_factory=dict)
    received: list[tuple[str, EmailMessage]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def recipients(self) -> list[str]:
        with self._lock:
            return sorted(to for to, _ in self.received)

    def messages_to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [m for to, m in self.received if to == address]

    def wait_for(self, count: int, timeout: float = 30) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.received) >= count:
                    return True
            time.sleep(0.05)
        return False


class _Handler:
    def __init__(self, box: Mailbox) -> None:
        self.box = box

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        refusal = self.box.refuse.get(address)
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=default)
        with self.box._lock:
            for to in envelope.rcpt_tos:
                self.box.received.append((to, message))
        return "250 Message accepted for delivery"


def plain_text(message: EmailMessage) -> str:
    """The message's plain-text body; a failure if it has none."""
    part = message.get_body(("plain",))
    assert part is not None, "the message has no plain-text body"
    text: str = part.get_content()
    return text


@contextmanager
def smtp_server(port: int | None = None, mailbox: Mailbox | None = None) -> Iterator[Mailbox]:
    box = mailbox or Mailbox(port=port or free_port())
    controller = Controller(_Handler(box), hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()
