"""A real SMTP server (aiosmtpd) on 127.0.0.1, port 0, that records messages and injects faults.

Faults live in the server, not in patches on our client (aiosmtplib's and Mailman's suites do
the same): refuse a recipient with a code, answer DATA with a code, or drop the connection.
"""

from __future__ import annotations

import asyncio
import email
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass
class Faults:
    rcpt: dict[str, int] = field(
        default_factory=dict
    )  # recipient -> reply code to RCPT
    data_code: int | None = None  # reply code to every DATA
    drop_connections: bool = False  # close the connection as soon as a client says MAIL


@dataclass(frozen=True)
class Received:
    sender: str
    recipients: tuple[str, ...]
    raw: bytes

    def parsed(self) -> EmailMessage:
        message: Any = email.message_from_bytes(self.raw, policy=policy.default)
        return message  # type: ignore[no-any-return]


class RecordingHandler:
    def __init__(self) -> None:
        self.faults = Faults()
        self.messages: list[Received] = []
        self.per_recipient: Counter[str] = Counter()
        self.connections = 0
        self._changed = asyncio.Condition()

    async def handle_EHLO(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        hostname: str,
        responses: list[str],
    ) -> list[str]:
        session.host_name = hostname
        self.connections += 1
        return responses

    async def handle_MAIL(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        options: list[str],
    ) -> str:
        if self.faults.drop_connections:
            assert server.transport is not None
            server.transport.close()
            return "421 closing"
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        options: list[str],
    ) -> str:
        code = self.faults.rcpt.get(address)
        if code is not None:
            return (
                f"{code} {'mailbox unavailable' if code >= 500 else 'try again later'}"
            )
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        if self.faults.data_code is not None:
            return f"{self.faults.data_code} refused by test"
        received = Received(
            str(envelope.mail_from),
            tuple(envelope.rcpt_tos),
            envelope.original_content or b"",
        )
        async with self._changed:
            self.messages.append(received)
            self.per_recipient.update(received.recipients)
            self._changed.notify_all()
        return "250 OK"

    async def wait_for_recipients(self, count: int) -> None:
        """Wait (on a condition, not a sleep) until `count` distinct recipients have mail."""
        async with self._changed:
            await self._changed.wait_for(lambda: len(self.per_recipient) >= count)

    async def wait_for_messages(self, count: int) -> None:
        async with self._changed:
            await self._changed.wait_for(lambda: len(self.messages) >= count)


@dataclass
class SmtpServer:
    host: str
    port: int
    handler: RecordingHandler

    @property
    def faults(self) -> Faults:
        return self.handler.faults

    @property
    def messages(self) -> list[Received]:
        return self.handler.messages


@asynccontextmanager
async def smtp_server() -> AsyncIterator[SmtpServer]:
    handler = RecordingHandler()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="test.local"), "127.0.0.1", 0
    )
    try:
        yield SmtpServer("127.0.0.1", server.sockets[0].getsockname()[1], handler)
    finally:
        server.close()
        await server.wait_closed()
