"""A real SMTP server (aiosmtpd) for tests: it keeps every message it accepts, so a test reads the
mail a patient would get. A recipient starting ``nobody@`` is refused, as a real server would."""

from __future__ import annotations

import dataclasses
import email
import email.policy
import threading
import time

from aiosmtpd.controller import Controller

from portal_app import config
from tests.support.server import free_port

MAIL_FROM = "portal@maplegrove.example"


class Inbox:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self):
        self.received: list[tuple[str, list[str], bytes]] = []
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nobody@"):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"

    def messages(self) -> list[email.message.EmailMessage]:
        with self._lock:
            return [email.message_from_bytes(content, policy=email.policy.default) for *_, content in self.received]

    def recipients(self) -> list[str]:
        with self._lock:
            return [rcpt for _sender, rcpts, _content in self.received for rcpt in rcpts]


class SmtpServer:
    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.inbox = Inbox()
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    def start(self) -> "SmtpServer":
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def wait_for(self, recipient: str, subject: str, timeout: float = 90) -> email.message.EmailMessage:
        """The first mail to ``recipient`` with ``subject``, waiting for the portal's sender job."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.inbox.messages():
                if message["To"] == recipient and message["Subject"] == subject:
                    return message
            time.sleep(1)
        got = [(m["To"], m["Subject"]) for m in self.inbox.messages()]
        raise AssertionError(f"no {subject!r} mail to {recipient}; got {got}")

    def portal_settings(self) -> dict[str, str]:
        """The environment that points a served portal's outbox sender at this server."""
        return {"PORTAL_SMTP_HOST": "127.0.0.1", "PORTAL_SMTP_PORT": str(self.port), "PORTAL_MAIL_FROM": MAIL_FROM}


def mail_settings(port: int, **changes) -> config.Settings:
    """In-process settings that send through the server on ``port``."""
    return dataclasses.replace(config.settings, smtp_host="127.0.0.1", smtp_port=port, mail_from=MAIL_FROM, **changes)
