"""Telling members about a poll and keeping its Slack post current, all through the outbox.

The Slack post's Block Kit is drawn by the Slack adapter (`bot.slack.poll_blocks`), which
the domain may not import: callers pass its `draw` function in. Where the post is in Slack
(its `ts`) is known only once someone clicks one of its buttons, since the outbox sends it
later; until then email and web votes cannot be shown on it (the click updates it at once).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.blockkit import escape
from bot.domain.chat import ChatMessage, queue_chat
from bot.domain.members import ACTIVE
from bot.domain.membership import Mailroom
from bot.domain.mime import clean_header_text
from bot.domain.outgoing import queue_emails
from bot.domain.polls.drafts import PollClosedError, local_text
from bot.domain.polls.results import Results, poll_results
from bot.domain.polls.voting import get_poll, is_open
from bot.outbox import queue
from bot.settings import Settings
from bot.store.tables import Member, Poll, PollVote

Draw = Callable[[Poll, Results], list[dict[str, Any]]]
"""The Block Kit for a poll's post: option buttons and live counts, or the final results."""


@dataclass(frozen=True)
class Announced:
    slack_posts: int
    emails: int


def _summary(poll: Poll) -> str:
    """The notification text of a Slack post (what a phone shows); mrkdwn-escaped."""
    state = "Poll results" if poll.status == "closed" else "New poll"
    return f"{state}: {escape(poll.question)}"


async def announce_poll(
    session: AsyncSession,
    poll: Poll,
    *,
    room: Mailroom,
    slack_channel: str | None,
    draw: Draw,
    zone: ZoneInfo,
    now: datetime,
) -> Announced:
    """Queue the Slack post (when a channel is set) and an email with one vote link per
    option to every active member who takes email. Announcing again sends nothing twice.
    Commits.

    Raises:
        PollClosedError: The poll is closed.
    """
    assert poll.id is not None
    if not is_open(poll, now):
        raise PollClosedError("This poll has closed, so it cannot be announced.")
    posts = 0
    if slack_channel:
        poll.slack_channel = poll.slack_channel or slack_channel
        results = await poll_results(session, poll)
        message = ChatMessage(
            key=f"poll:{poll.id}:post",
            to=slack_channel,
            text=_summary(poll),
            blocks=draw(poll, results),
            campaign=f"poll:{poll.id}",
        )
        posts = await queue_chat(session, [message], now=now)
    emails = await _queue_emails(session, poll, room=room, zone=zone, now=now)
    await session.commit()
    return Announced(posts, emails)


async def announce_configured(
    session: AsyncSession,
    poll: Poll,
    *,
    room: Mailroom,
    settings: Settings,
    draw: Draw,
    now: datetime,
) -> Announced:
    """`announce_poll` as every channel calls it: to the configured forum channel
    (FORUMBOT_SLACK_FORUM_CHANNEL), times in the partnership's zone. Commits."""
    return await announce_poll(
        session,
        poll,
        room=room,
        slack_channel=settings.slack_forum_channel,
        draw=draw,
        zone=settings.zone,
        now=now,
    )


async def _queue_emails(
    session: AsyncSession, poll: Poll, *, room: Mailroom, zone: ZoneInfo, now: datetime
) -> int:
    members = (
        await session.exec(select(Member).where(col(Member.status) == ACTIVE))
    ).all()
    context = {
        "question": poll.question,
        "subject_question": clean_header_text(poll.question, 150),
        "multiple": poll.multiple,
        "anonymous": poll.anonymous,
        "closes": local_text(poll.closes_at or now, zone),
    }
    emails = [
        room.list_email(
            member,
            key=f"poll:{poll.id}:email:{member.id}",
            template="poll",
            campaign=f"poll:{poll.id}",
            context={**context, "options": _vote_links(room, member, poll)},
        )
        for member in members
        if "email" in member.channels and member.email
    ]
    return await queue_emails(
        session, emails, sender=room.sender, renderer=room.renderer, now=now
    )


def _vote_links(room: Mailroom, member: Member, poll: Poll) -> list[dict[str, str]]:
    assert poll.id is not None
    return [
        {"label": label, "url": room.links.item_url("vote", member, poll.id, n)}
        for n, label in enumerate(poll.options)
    ]


async def _tally_stamp(session: AsyncSession, poll_id: int) -> str:
    """Changes whenever any vote on the poll does: the newest vote time, and the count."""
    latest, count = (
        await session.exec(
            select(func.max(col(PollVote.updated_at)), func.count()).where(
                col(PollVote.poll_id) == poll_id
            )
        )
    ).one()
    return f"{latest.isoformat() if latest else '-'}:{count}"


async def refresh_slack_post(
    session: AsyncSession, poll: Poll, *, draw: Draw, now: datetime
) -> int:
    """Queue an update of the poll's Slack post with the counts as they are now, if it
    changed since the last one. The key holds the newest vote's time and a digest of the
    post, so a re-run queues nothing new. The caller commits.

    Returns:
        1 if an update was queued, else 0 (nothing new, or the post is not located yet).
    """
    if poll.id is None or not await locate_post(session, poll):
        return 0
    assert poll.slack_channel is not None
    blocks = draw(poll, await poll_results(session, poll))
    digest = hashlib.sha256(json.dumps(blocks, sort_keys=True).encode()).hexdigest()
    stamp = await _tally_stamp(session, poll.id)
    message = ChatMessage(
        key=f"poll:{poll.id}:tally:{stamp}:{digest[:12]}",
        to=poll.slack_channel,
        text=_summary(poll),
        blocks=blocks,
        update_ts=poll.slack_ts,
    )
    return await queue_chat(session, [message], now=now)


async def locate_post(session: AsyncSession, poll: Poll) -> bool:
    """Whether the poll's Slack post is known, learning it from the outbox's receipt for
    the announcement once that has been delivered (a click in Slack also records it)."""
    if poll.slack_ts:
        return True
    receipt = await queue.receipt_for(session, f"poll:{poll.id}:post")
    channel, _, ts = (receipt or "").partition("/")
    if not (channel and ts):
        return False
    poll.slack_channel, poll.slack_ts = channel[:32], ts[:32]
    session.add(poll)
    return True


async def publish_results(
    session: AsyncSession,
    poll_id: int,
    *,
    slack_channel: str | None,
    draw: Draw,
    now: datetime,
) -> int:
    """After closing: the Slack post shows the final results without buttons, and the
    results are posted in the forum channel. Idempotent. Commits.

    Returns:
        How many Slack messages were newly queued.
    """
    poll = await get_poll(session, poll_id)
    results = await poll_results(session, poll)
    blocks = draw(poll, results)
    queued = await refresh_slack_post(session, poll, draw=draw, now=now)
    channel = slack_channel or poll.slack_channel
    if channel:
        post = ChatMessage(
            key=f"poll:{poll_id}:results",
            to=channel,
            text=_summary(poll),
            blocks=blocks,
            campaign=f"poll:{poll_id}",
        )
        queued += await queue_chat(session, [post], now=now)
    await session.commit()
    return queued


async def refresh_open_polls(
    session: AsyncSession, *, draw: Draw, now: datetime
) -> int:
    """Bring the Slack posts of open polls up to date with votes from email and the web.
    Commits.

    Returns:
        How many updates were queued.
    """
    statement = select(Poll).where(col(Poll.status) == "open")  # a few at a time
    queued = 0
    for poll in (await session.exec(statement)).all():
        queued += await refresh_slack_post(session, poll, draw=draw, now=now)
    await session.commit()
    return queued
