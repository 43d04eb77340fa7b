"""Publishing a briefing: once, to the forum channel in Slack and by email to its audience.

The row is locked (FOR UPDATE on PostgreSQL; SQLite's transactions begin IMMEDIATE, one
writer at a time) and its status checked in the same transaction that queues the messages,
so a double click or two processes publishing at once send it once: the second finds it
published and queues nothing. The outbox keys (`briefing:{id}:member:{member_id}`) would
catch a repeat anyway. The caller commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain import members as m
from bot.domain.briefings.records import (
    APPROVED,
    PUBLISHED,
    can_approve,
    get_briefing,
)
from bot.domain.briefings.style import (
    TEMPLATE,
    OnceRenderer,
    facts,
    fallback_text,
    slack_blocks,
)
from bot.domain.chat import ChatMessage, queue_chat
from bot.domain.membership import Mailroom
from bot.domain.outgoing import Email, queue_emails
from bot.errors import InvalidInputError
from bot.store.tables import Briefing, Member


@dataclass(frozen=True)
class Published:
    """The outcome: `already` when another click or process published it first."""

    briefing: Briefing
    emails: int
    posts: int
    already: bool = False


def campaign(row: Briefing) -> str:
    return f"briefing:{row.id}"


async def audience(session: AsyncSession, row: Briefing) -> list[Member]:
    """Active members who take email and share a topic with it (everyone, if it has none)."""
    active = await m.list_members(session, status=m.ACTIVE, limit=1_000_000)
    wanted = set(row.topics)
    return [
        x
        for x in active
        if x.email
        and "email" in x.channels
        and (not wanted or wanted.intersection(x.topics))
    ]


def emails_for(room: Mailroom, row: Briefing, members: list[Member]) -> list[Email]:
    context = facts(row, room.links.base_url)
    return [
        room.list_email(
            member,
            key=f"{campaign(row)}:member:{member.id}",
            template=TEMPLATE,
            campaign=campaign(row),
            context=context,
        )
        for member in members
    ]


async def _post(
    session: AsyncSession,
    row: Briefing,
    channel: str | None,
    base_url: str,
    now: datetime,
) -> int:
    if not channel:
        return 0
    message = ChatMessage(
        key=f"{campaign(row)}:slack",
        to=channel,
        text=fallback_text(row),
        blocks=slack_blocks(row, base_url),
        campaign=campaign(row),
    )
    return await queue_chat(session, [message], now=now)


async def publish(
    session: AsyncSession,
    ref: str | int,
    *,
    room: Mailroom,
    roles: Sequence[str],
    channel: str | None,
    now: datetime,
) -> Published:
    """Publish an approved briefing and queue its messages, once. The caller commits."""
    if not can_approve(roles):
        raise InvalidInputError(
            "Only an admin or the communications team can publish briefings."
        )
    row = await get_briefing(session, ref, lock=True)
    if row.status == PUBLISHED:
        return Published(row, 0, 0, already=True)
    if row.status != APPROVED:
        raise InvalidInputError(
            f"'{row.title}' is {row.status}: only an approved briefing can be published."
        )
    row.status, row.published_at, row.updated_at = PUBLISHED, now, now
    session.add(row)
    await session.flush()
    emails = emails_for(room, row, await audience(session, row))
    sent = await queue_emails(
        session,
        emails,
        sender=room.sender,
        renderer=OnceRenderer(room.renderer),
        now=now,
    )
    posts = await _post(session, row, channel, room.links.base_url, now)
    return Published(row, sent, posts)


def preview(room: Mailroom, row: Briefing) -> str:
    """The email's HTML as a member would see it, with placeholder links."""
    context = {
        "recipient_name": "Forum member",
        "sender": room.sender,
        "unsubscribe_url": "#unsubscribe",
        "preferences_url": "#preferences",
        **facts(row, room.links.base_url),
    }
    return room.renderer.render_email(TEMPLATE, context).html
