"""The message on the wire, and one SMTP conversation (smtplib) that sends a batch of them.

What comes back from the server decides what happens to a message: accepted → sent; a 5yz
reply → failed for good; a 4yz reply, a refused connection or a time-out → tried again later.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.errors import MessageError
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import parse_qs, unquote, urlsplit

from ..clock import utc_now
from .rules import Text, is_permanent, without_addresses
from .transport import SENT, Outcome, Transport


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    implicit_tls: bool  # smtps://
    starttls: bool  # smtp://...?starttls=1
    username: str
    password: str

    def __repr__(self) -> str:  # the password is never shown
        return f"SmtpServer({self.host}:{self.port})"


def parse_smtp_url(url: str) -> SmtpServer:
    """`smtp://host:port`, `smtps://user:password@host:465`, `?starttls=1` (API.md)."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError("DUTYSERVICE_SMTP_URL is smtp://host:port or smtps://user:pass@host:465")
    implicit_tls = parts.scheme == "smtps"
    starttls = parse_qs(parts.query).get("starttls", ["0"])[0] in ("1", "true", "yes")
    return SmtpServer(
        host=parts.hostname,
        port=parts.port or (465 if implicit_tls else 25),
        implicit_tls=implicit_tls,
        starttls=starttls,
        username=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
    )


def build_message(
    text: Text,
    *,
    sender: str,
    to: str,
    message_id: str,
    calendar: bytes | None = None,
    calendar_name: str = "invite.ics",
) -> EmailMessage:
    """Plain text, and an RFC 5545 attachment for duties and events."""
    message = EmailMessage()
    message["Subject"] = text.subject
    message["From"] = sender
    message["To"] = to
    message["Date"] = format_datetime(utc_now())
    # The same id whenever it is sent: a copy sent again after a crash is recognisably a copy.
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text.body)
    if calendar is not None:
        message.add_attachment(
            calendar,
            maintype="text",
            subtype="calendar",
            filename=calendar_name,
            params={"method": "PUBLISH"},
        )
    return message


class Mailer(Transport[EmailMessage]):
    """One connection, opened when the first message is sent, used for the whole batch."""

    def __init__(self, server: SmtpServer, timeout: float) -> None:
        self.server = server
        self.timeout = timeout
        self._connection: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        server = self.server
        context = ssl.create_default_context()
        connection: smtplib.SMTP
        if server.implicit_tls:
            connection = smtplib.SMTP_SSL(
                server.host, server.port, timeout=self.timeout, context=context
            )
        else:
            connection = smtplib.SMTP(server.host, server.port, timeout=self.timeout)
        try:
            connection.ehlo()
            if server.starttls:
                connection.starttls(context=context)
                connection.ehlo()
            if server.username:
                connection.login(server.username, server.password)
        except BaseException:
            connection.close()
            raise
        return connection

    def send(self, message: EmailMessage) -> Outcome:
        try:
            if self._connection is None:
                self._connection = self._connect()
            self._connection.send_message(message)
        except MessageError as exc:  # written out before a byte is sent: this message alone
            return Outcome(False, permanent=True, error=f"the message cannot be written: {exc}")
        except smtplib.SMTPRecipientsRefused as exc:
            code, reply = next(iter(exc.recipients.values()))
            return self._refused(code, reply)
        except smtplib.SMTPAuthenticationError as exc:
            # The service's credentials, not this message: it waits until they are put right.
            self._drop()
            return Outcome(False, error=_reply(exc.smtp_code, exc.smtp_error), unreachable=True)
        except smtplib.SMTPServerDisconnected as exc:
            self._drop()
            return Outcome(
                False, error=f"disconnected: {without_addresses(str(exc))}", unreachable=True
            )
        except smtplib.SMTPConnectError as exc:
            self._drop()
            return Outcome(False, error=_reply(exc.smtp_code, exc.smtp_error), unreachable=True)
        except smtplib.SMTPResponseException as exc:  # sender refused, data refused
            return self._refused(exc.smtp_code, exc.smtp_error)
        except (OSError, smtplib.SMTPException) as exc:  # refused, time-out, TLS
            self._drop()
            return Outcome(
                False, error=f"{type(exc).__name__}: could not talk to the server", unreachable=True
            )
        return SENT

    @staticmethod
    def _refused(code: int, reply: bytes | str) -> Outcome:
        return Outcome(False, permanent=is_permanent(code), error=_reply(code, reply))

    def _drop(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            finally:
                self._connection = None

    def close(self) -> None:
        if self._connection is None:
            return
        try:
            self._connection.quit()
        except (OSError, smtplib.SMTPException):
            pass  # the messages are already accepted; a rude goodbye changes nothing
        finally:
            self._drop()


def _reply(code: int, reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return without_addresses(f"{code} {text}")
