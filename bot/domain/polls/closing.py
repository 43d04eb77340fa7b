"""Closing polls, by the chair or on time, and making sure their results go out.

Closing commits first (so no vote slips in afterwards), then the results are queued. If
queuing fails in between (drawing the post raised, the database went away), the poll is
closed but silent; so the scheduled job also takes up recently closed polls whose results
post was never queued, while a channel is set to post them in.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, String, cast, exists, literal
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.polls.announcing import Draw, publish_results
from bot.domain.polls.drafts import PollNotFoundError
from bot.domain.polls.voting import CLOSED, OPEN
from bot.store.tables import OutboxMessage, Poll

CATCH_UP = timedelta(days=7)  # results of polls closed longer ago are not posted late


async def close_poll(session: AsyncSession, poll_id: int, *, now: datetime) -> bool:
    """Close a poll now (closing twice is harmless). Commits.

    Returns:
        True if this call closed it, False if it was closed already.

    Raises:
        PollNotFoundError: No such poll.
    """
    statement = (
        select(Poll)
        .where(col(Poll.id) == poll_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    poll = (await session.exec(statement)).first()
    if poll is None:
        raise PollNotFoundError(f"There is no poll number {poll_id}.")
    if poll.status == CLOSED:
        await session.commit()
        return False
    poll.status, poll.closed_at = CLOSED, now
    if poll.closes_at is None or poll.closes_at > now:
        poll.closes_at = now  # closed early: the stated closing time is now
    await session.commit()
    return True


async def due_poll_ids(session: AsyncSession, now: datetime) -> list[int]:
    """Polls still marked open whose closing time has come."""
    statement = select(Poll.id).where(
        col(Poll.status) == OPEN, col(Poll.closes_at) <= now
    )
    return [int(i) for i in (await session.exec(statement)).all() if i is not None]


def _results_key() -> ColumnElement[str]:
    """`poll:{id}:results`, the results post's outbox key, built in SQL for each poll."""
    return literal("poll:") + cast(col(Poll.id), String) + literal(":results")


async def unpublished_poll_ids(
    session: AsyncSession, slack_channel: str | None, now: datetime
) -> list[int]:
    """Polls closed in the last week whose results post was never queued, where there is
    somewhere to post it (the forum channel, or the channel of the poll's own post)."""
    queued = exists().where(col(OutboxMessage.idempotency_key) == _results_key())
    statement = select(Poll.id).where(
        col(Poll.status) == CLOSED,
        col(Poll.closed_at) >= now - CATCH_UP,
        ~queued,
    )
    if not slack_channel:
        statement = statement.where(col(Poll.slack_channel).is_not(None))
    return [int(i) for i in (await session.exec(statement)).all() if i is not None]


async def close_and_publish(
    session: AsyncSession,
    poll_id: int,
    *,
    slack_channel: str | None,
    draw: Draw,
    now: datetime,
) -> bool:
    """Close a poll now and publish its results (the chair's "close" in every channel).
    Commits.

    Returns:
        True if this call closed it, False if it was closed already.

    Raises:
        PollNotFoundError: No such poll.
    """
    closed = await close_poll(session, poll_id, now=now)
    await publish_results(
        session, poll_id, slack_channel=slack_channel, draw=draw, now=now
    )
    return closed


async def close_due_polls(
    session: AsyncSession, *, slack_channel: str | None, draw: Draw, now: datetime
) -> list[int]:
    """Close every poll whose time has come and publish its results, and publish those of
    polls closed without their results going out (the scheduled job).

    Returns:
        The polls this run closed.
    """
    closed = []
    for poll_id in await due_poll_ids(session, now):
        if await close_poll(session, poll_id, now=now):
            closed.append(poll_id)
        await publish_results(
            session, poll_id, slack_channel=slack_channel, draw=draw, now=now
        )
    for poll_id in await unpublished_poll_ids(session, slack_channel, now):
        await publish_results(
            session, poll_id, slack_channel=slack_channel, draw=draw, now=now
        )
    return closed
