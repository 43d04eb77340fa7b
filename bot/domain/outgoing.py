"""Outgoing email: templates rendered for one person, built into a message, queued in the outbox.

Sending is the outbox worker's job, over whatever Transport the runtime wires in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.mime import (
    CalendarAttachment,
    ListHeaders,
    address,
    build_message,
    message_id_for,
)
from bot.outbox import queue
from bot.rendering import Rendered


class EmailRenderer(Protocol):
    def render_email(self, name: str, context: dict[str, Any]) -> Rendered: ...


@dataclass(frozen=True)
class Sender:
    """Who the partnership's mail comes from, built once from settings."""

    name: str
    address: str
    list_id: str
    list_name: str
    domain: str
    id_secret: str = ""


@dataclass(frozen=True)
class Email:
    """One email to one person, before rendering.

    Attributes:
        key: Idempotency key; queueing the same key again does nothing.
        template: Name under templates/email/ (without the .subject/.txt/.html parts).
        unsubscribe_url: Set for list mail (newsletters, briefings): adds RFC 8058 headers.
    """

    key: str
    to_name: str
    to_address: str
    template: str
    context: dict[str, Any]
    campaign: str | None = None
    unsubscribe_url: str | None = None
    in_reply_to: str | None = (
        None  # the Message-ID of the mail this answers (same thread)
    )
    calendar: CalendarAttachment | None = None  # an iCalendar invitation to attach


def compose(
    email: Email, *, sender: Sender, renderer: EmailRenderer, now: datetime
) -> bytes:
    """Render and build one email; pure apart from reading templates."""
    context = {"recipient_name": email.to_name, "sender": sender, **email.context}
    rendered = renderer.render_email(email.template, context)
    lists = None
    if email.unsubscribe_url:
        lists = ListHeaders(
            sender.list_id, sender.list_name, unsubscribe_url=email.unsubscribe_url
        )
    return build_message(
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        sender=address(sender.name, sender.address),
        to=address(email.to_name, email.to_address),
        message_id=message_id_for(email.key, sender.domain, sender.id_secret),
        date=now,
        list_headers=lists,
        extra=[("In-Reply-To", email.in_reply_to), ("References", email.in_reply_to)]
        if email.in_reply_to
        else (),
        calendar=email.calendar,
    )


async def queue_emails(
    session: AsyncSession,
    emails: list[Email],
    *,
    sender: Sender,
    renderer: EmailRenderer,
    now: datetime,
) -> int:
    """Render each email and write it to the outbox; the caller commits.

    Returns:
        How many were new (a key already queued is skipped).

    Raises:
        jinja2.UndefinedError: A template needs a value the context lacks (a bug, not bad input).
    """
    messages = [
        queue.NewMessage(
            key=e.key,
            channel="email",
            recipient=e.to_address,
            payload=compose(e, sender=sender, renderer=renderer, now=now),
            campaign=e.campaign,
        )
        for e in emails
    ]
    return await queue.enqueue(session, messages, now=now)
