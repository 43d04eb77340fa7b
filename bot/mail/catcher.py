"""The local mail catcher: an SMTP server that keeps every message in a Maildir instead of sending it.

With no relay configured, `forumbot serve` runs it so a newcomer sees every email the bot sends
(on the web UI's /mail page) and nothing reaches a real inbox.
"""

from __future__ import annotations

import asyncio
import email
import mailbox
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session


class MaildirHandler:
    """aiosmtpd handler that files each message, with its envelope recipients, in a Maildir."""

    def __init__(self, folder: Path) -> None:
        # Maildir makes only the last folder: data/ may not exist yet (PostgreSQL, first run).
        folder.parent.mkdir(parents=True, exist_ok=True)
        self._box = mailbox.Maildir(folder, create=True)

    async def handle_DATA(
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        content = envelope.original_content or b""
        header = f"X-Caught-Rcpt-To: {', '.join(envelope.rcpt_tos)}\r\n".encode()
        self._box.add(header + content)
        return (
            "250 Message caught (not delivered: this is forumbot's local mail catcher)"
        )


@asynccontextmanager
async def run_catcher(folder: Path, host: str, port: int) -> AsyncIterator[int]:
    """Serve SMTP on host:port (0 picks a free port) until the block ends; yields the port."""
    handler = MaildirHandler(folder)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="forumbot.local"), host, port
    )
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


@dataclass(frozen=True)
class CaughtMail:
    """A caught message, as the web UI lists it."""

    key: str
    subject: str
    sender: str
    recipients: str
    date: datetime
    message: EmailMessage

    def part(self, subtype: str) -> str | None:
        body = self.message.get_body(preferencelist=(subtype,))
        return None if body is None else str(body.get_content())


def list_caught(folder: Path, limit: int = 200) -> list[CaughtMail]:
    """The newest caught messages first."""
    if not folder.exists():
        return []
    box = mailbox.Maildir(folder, create=False)
    found = [_caught(key, box.get_bytes(key)) for key in box.iterkeys()]
    return sorted(found, key=lambda m: m.date, reverse=True)[:limit]


def find_caught(folder: Path, key: str) -> CaughtMail | None:
    if not folder.exists() or "/" in key:
        return None
    try:
        return _caught(key, mailbox.Maildir(folder, create=False).get_bytes(key))
    except KeyError:
        return None


def _caught(key: str, raw: bytes) -> CaughtMail:
    message: Any = email.message_from_bytes(raw, policy=policy.default)
    return CaughtMail(
        key=key,
        subject=str(message.get("Subject", "(no subject)")),
        sender=str(message.get("From", "")),
        recipients=str(message.get("X-Caught-Rcpt-To") or message.get("To", "")),
        date=_date(message.get("Date")),
        message=message,
    )


def _date(value: object) -> datetime:
    try:
        return parsedate_to_datetime(str(value)).astimezone(UTC)
    except (TypeError, ValueError):
        return datetime.fromtimestamp(0, UTC)
