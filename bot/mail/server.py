"""The inbound SMTP server: mail to the bot's address becomes a call to the domain's inbox router."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiosmtpd.smtp import SMTP, Envelope, Session

from bot.domain.inbox import Inbox, handle_incoming
from bot.mail.inbound import parse_incoming
from bot.runtime import Services

log = logging.getLogger(__name__)
MAX_MESSAGE_BYTES = 10 * 1024 * 1024


class InboxHandler:
    """aiosmtpd handler: accepts mail for the bot's own addresses only, then routes it."""

    def __init__(self, services: Services) -> None:
        self._services = services
        settings = services.settings
        self._accepted = {
            str(a).lower()
            for a in (
                settings.bot_address,
                settings.sender_address,
                settings.bounce_address,
            )
            if a
        }

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        options: list[str],
    ) -> str:
        if address.lower() not in self._accepted:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        mail = parse_incoming(
            envelope.original_content or b"", str(envelope.mail_from or "")
        )
        services = self._services
        try:
            async with services.sessions() as db:
                inbox = Inbox(
                    db,
                    services.mailroom,
                    services.clock.now(),
                    services.settings.bounce_threshold,
                    services.knowledge,
                    services.conversation.wording(),
                    zone=services.settings.zone,
                )
                route = await handle_incoming(inbox, mail)
        except Exception:  # keep the message: the sending server will try again
            log.exception("could not handle mail from %s", mail.sender)
            return "451 4.3.0 Temporary problem here; please try again later"
        log.info("mail from %s handled as %s", mail.sender, route)
        return "250 OK"


@asynccontextmanager
async def run_inbound(services: Services, host: str, port: int) -> AsyncIterator[int]:
    """Serve inbound SMTP until the block ends; yields the port (0 picks a free one)."""
    handler = InboxHandler(services)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(
            handler, hostname="forumbot.inbound", data_size_limit=MAX_MESSAGE_BYTES
        ),
        host,
        port,
    )
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()
