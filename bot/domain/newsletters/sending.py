"""Sending an issue: freeze its content, then queue one copy per member, batch by batch.

Resumable and never double: every copy has the outbox key `{campaign}:member:{member_id}`,
members are taken in id order in batches the caller commits one by one, and the content
is frozen into `Newsletter.content` before the first batch, so a run started again after a
crash queues only the copies still missing, and everyone gets the same issue. A second run
beside a live one (the job and the CLI) is refused by the issue's lease (`turns`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain import members as m
from bot.domain.clicks import track_items
from bot.domain.links import Links
from bot.domain.membership import Mailroom
from bot.domain.newsletters.digest import Period, compose_digest
from bot.domain.newsletters.drafts import (
    DRAFT,
    SCHEDULED,
    SENDING,
    SENT,
    get_newsletter,
)
from bot.domain.newsletters.personal import answerable_surveys, copy_for
from bot.domain.newsletters.turns import SendTurn
from bot.domain.outgoing import queue_emails
from bot.errors import InvalidInputError
from bot.store.tables import FeedItem, Member, Newsletter, OutboxMessage

BATCH = 200
log = logging.getLogger(__name__)
Progress = Callable[[int], None]


@dataclass(frozen=True)
class SendResult:
    campaign: str
    members: int  # copies the issue holds for members (queued now or before)
    queued: int  # copies new in this run


def member_key(campaign: str, member_id: int) -> str:
    return f"{campaign}:member:{member_id}"


async def content_for(
    session: AsyncSession,
    row: Newsletter,
    *,
    zone: ZoneInfo,
    base_url: str,
    now: datetime,
) -> dict[str, Any]:
    """The issue as it stands: frozen content once sending started, else composed now."""
    if row.content is not None:
        return row.content
    period = Period(row.period_start, row.period_end, now, zone, base_url)
    return {
        "title": row.title,
        "chair_note": row.chair_note,
        "sections": await compose_digest(session, period),
        "composed_at": now.isoformat(),
    }


async def start_sending(
    session: AsyncSession,
    row: Newsletter,
    *,
    zone: ZoneInfo,
    base_url: str,
    now: datetime,
    track: Links | None = None,
) -> None:
    """Freeze the content and mark the issue sending (once); the caller commits.
    With `track` (click tracking on), the items' links become counted `/c/` links.

    Raises:
        InvalidInputError: It has been sent already.
    """
    if row.status == SENT:
        raise InvalidInputError(f"{row.campaign} has been sent already.")
    if row.status in (DRAFT, SCHEDULED):
        content = await content_for(session, row, zone=zone, base_url=base_url, now=now)
        if track is not None:
            content["sections"] = track_items(track, row.campaign, content["sections"])
        row.content = content
        row.status, row.started_at = SENDING, now
        await _mark_feed_items(session, row)


async def _mark_feed_items(session: AsyncSession, row: Newsletter) -> None:
    """The chosen reading now belongs to this issue, so the next one does not repeat it."""
    assert row.content is not None
    for section in row.content["sections"]:
        if section["key"] == "reading":
            for item in section["items"]:
                found = await session.get(FeedItem, item["id"])
                if found is not None:
                    found.newsletter_id = row.id


def _recipients_after(after_id: int, size: int) -> Any:
    return (
        select(Member)
        .where(col(Member.status) == m.ACTIVE, col(Member.email).is_not(None))
        .where(col(Member.id) > after_id)
        .order_by(col(Member.id))
        .limit(size)
    )


async def count_recipients(session: AsyncSession) -> int:
    """Active members with an address (an upper bound: some may not take email)."""
    statement = select(func.count()).where(
        col(Member.status) == m.ACTIVE, col(Member.email).is_not(None)
    )
    return int((await session.exec(statement)).one())


async def _already_queued(session: AsyncSession, keys: list[str]) -> set[str]:
    statement = select(OutboxMessage.idempotency_key).where(
        col(OutboxMessage.idempotency_key).in_(keys)
    )
    return set((await session.exec(statement)).all())


async def queue_batch(
    session: AsyncSession,
    room: Mailroom,
    row: Newsletter,
    *,
    after_id: int,
    size: int,
    now: datetime,
) -> tuple[int | None, int, int]:
    """Queue the copies of the next `size` members after `after_id`; the caller commits.

    Returns:
        (the last member id seen or None when there are no more, members in the batch,
        copies new). Copies already in the outbox are not rendered again.
    """
    assert row.content is not None
    batch = list((await session.exec(_recipients_after(after_id, size))).all())
    if not batch:
        return None, 0, 0
    wanted = [x for x in batch if "email" in x.channels]
    keys = {member_key(row.campaign, x.id or 0): x for x in wanted}
    done = await _already_queued(session, list(keys))
    todo = {key: x for key, x in keys.items() if key not in done}
    surveys = await answerable_surveys(
        session, row.content, [x.id or 0 for x in todo.values()]
    )
    emails = [
        copy_for(
            room,
            row.content,
            member,
            key=key,
            campaign=row.campaign,
            surveys=surveys[member.id or 0],
        )
        for key, member in todo.items()
    ]
    new = await queue_emails(
        session, emails, sender=room.sender, renderer=room.renderer, now=now
    )
    return batch[-1].id, len(batch), new


async def send_newsletter(
    sessions: async_sessionmaker[AsyncSession],
    room: Mailroom,
    ref: int | str,
    *,
    zone: ZoneInfo,
    now: Callable[[], datetime],
    progress: Progress | None = None,
    batch_size: int = BATCH,
    track_clicks: bool = False,
    take_over: bool = False,
) -> SendResult:
    """Freeze, then queue every member's copy in committed batches, then mark it sent.
    Holds the issue's lease throughout (`turns`), so no other run sends it alongside;
    `take_over` breaks a lease left by a sender known to be dead.

    Raises:
        NewsletterNotFoundError: There is no such issue.
        NewsletterBusyError: Another process is sending it now.
        InvalidInputError: It has been sent already.
    """
    async with sessions() as session:
        found = await get_newsletter(session, ref)
        turn = SendTurn(sessions, found.id or 0, found.campaign, now)
    await (turn.take_over() if take_over else turn.keep())
    try:
        return await _send(
            sessions,
            room,
            turn,
            ref,
            found.id or 0,
            zone,
            now,
            progress,
            batch_size,
            track_clicks,
        )
    finally:
        await turn.release()


async def _send(
    sessions: async_sessionmaker[AsyncSession],
    room: Mailroom,
    turn: SendTurn,
    ref: int | str,
    newsletter_id: int,
    zone: ZoneInfo,
    now: Callable[[], datetime],
    progress: Progress | None,
    batch_size: int,
    track_clicks: bool,
) -> SendResult:
    async with sessions() as session:
        row = await get_newsletter(session, newsletter_id, lock=True)
        track = room.links if track_clicks else None
        await start_sending(
            session,
            row,
            zone=zone,
            base_url=room.links.base_url,
            now=now(),
            track=track,
        )
        await session.commit()
    after: int | None = 0
    members = queued = 0
    while after is not None:
        await turn.keep()
        async with sessions() as session:
            row = await get_newsletter(session, newsletter_id)
            last, count, new = await queue_batch(
                session, room, row, after_id=after, size=batch_size, now=now()
            )
            await session.commit()
        after, members, queued = last, members + count, queued + new
        log.info("newsletter %s: %d members done, %d copies new", ref, members, queued)
        if progress is not None:
            progress(members)
    return await _finish(sessions, newsletter_id, queued, now())


async def _finish(
    sessions: async_sessionmaker[AsyncSession],
    newsletter_id: int,
    queued: int,
    now: datetime,
) -> SendResult:
    async with sessions() as session:
        row = await get_newsletter(session, newsletter_id, lock=True)
        held = select(func.count()).where(col(OutboxMessage.campaign) == row.campaign)
        row.recipients = int((await session.exec(held)).one())
        row.status, row.sent_at = SENT, row.sent_at or now
        await session.commit()
        return SendResult(row.campaign, row.recipients, queued)
