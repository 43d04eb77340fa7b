"""Reminders to those attending a session: by default 7 days, 1 day and 15 minutes before.

The rule, for each scheduled session and each offset (minutes before the start):
- the reminder is due at start - offset, and stays due until the next (shorter) reminder
  is due, or the session starts; so a scheduler that was down for a day sends the latest
  reminder, not a burst of stale ones;
- it goes to members attending whose `responded_at` (when their place began) is before the
  due time: someone who accepts after the 7-day point got a confirmation instead;
- never to those waiting or declined, nor for a cancelled session;
- the key `reminder:{session_id}:{start}:{offset}:{member_id}` means nothing goes twice
  for one start time, while a session moved to a new time is reminded afresh.
A reminder under an hour before the start carries the joining link prominently.

The job calls `send_due` every few minutes, so the query is kept cheap: only sessions
starting within the longest offset are read, and keys already queued are not rendered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.blockkit import escape as mrkdwn
from bot.domain.blockkit import link
from bot.domain.forum.notices import ForumPost, tell
from bot.domain.forum.places import ATTENDING
from bot.domain.members import ACTIVE
from bot.store.tables import ForumSession, Member, OutboxMessage, Rsvp

SOON = 60  # minutes: a reminder this close to the start leads with the joining link


@dataclass(frozen=True)
class Reminder:
    """One reminder to send: which session, which offset (minutes before), to whom."""

    row: ForumSession
    offset: int
    member: Member

    @property
    def key(self) -> str:
        """Carries the start time, so a session moved after a reminder went out gets
        fresh reminders for its new time."""
        start = self.row.starts_at.astimezone(UTC).strftime("%Y%m%dT%H%MZ")
        return f"reminder:{self.row.id}:{start}:{self.offset}:{self.member.id}"


def due_offset(row: ForumSession, offsets: Sequence[int], now: datetime) -> int | None:
    """The one offset whose reminder is due now for this session, if any."""
    if row.status != "scheduled" or now >= row.starts_at:
        return None
    ordered = sorted({o for o in offsets if o > 0}, reverse=True)
    for offset, following in zip(ordered, [*ordered[1:], 0], strict=True):
        due, until = (row.starts_at - timedelta(minutes=m) for m in (offset, following))
        if due <= now < until:
            return offset
    return None


async def _sessions_soon(
    session: AsyncSession, offsets: Sequence[int], now: datetime
) -> list[ForumSession]:
    horizon = now + timedelta(minutes=max(offsets, default=0))
    statement = (
        select(ForumSession)
        .where(col(ForumSession.status) == "scheduled")
        .where(col(ForumSession.starts_at) > now)
        .where(col(ForumSession.starts_at) <= horizon)
        .order_by(col(ForumSession.starts_at))
    )
    return list((await session.exec(statement)).all())


async def _attending_before(
    session: AsyncSession, row: ForumSession, due: datetime
) -> list[Member]:
    statement = (
        select(Member)
        .join(Rsvp, col(Rsvp.member_id) == col(Member.id))
        .where(col(Rsvp.session_id) == row.id)
        .where(col(Rsvp.status) == ATTENDING)
        .where(col(Rsvp.responded_at) < due)
        .where(col(Member.status) == ACTIVE)
        .order_by(col(Member.id))
    )
    return list((await session.exec(statement)).all())


async def _already_queued(session: AsyncSession, keys: list[str]) -> set[str]:
    if not keys:
        return set()
    statement = select(OutboxMessage.idempotency_key).where(
        col(OutboxMessage.idempotency_key).in_(keys)
    )
    return set((await session.exec(statement)).all())


async def due_reminders(
    session: AsyncSession, offsets: Sequence[int], now: datetime
) -> list[Reminder]:
    """Every reminder due now and not yet queued."""
    due: list[Reminder] = []
    for row in await _sessions_soon(session, offsets, now):
        offset = due_offset(row, offsets, now)
        if offset is not None:
            at = row.starts_at - timedelta(minutes=offset)
            members = await _attending_before(session, row, at)
            due += [Reminder(row, offset, m) for m in members]
    sent = await _already_queued(session, [r.key for r in due])
    return [r for r in due if r.key not in sent]


def starts_in(offset: int) -> str:
    """ "in 7 days", "in 1 day", "in 2 hours", "in 15 minutes"."""
    for size, unit in ((1440, "day"), (60, "hour"), (1, "minute")):
        if offset % size == 0:
            count = offset // size
            return f"in {count} {unit}{'' if count == 1 else 's'}"
    return f"in {offset} minutes"  # pragma: no cover  (every int divides by 1)


def _slack_text(reminder: Reminder, facts: dict[str, object]) -> str:
    title, when = mrkdwn(reminder.row.title), facts["when"]
    join = link(str(facts["join_url"] or ""), "Join the session")
    if reminder.offset < SOON and join:
        return f"*{title}* starts {starts_in(reminder.offset)}. {join}"
    return f"Reminder: you have a place at *{title}*, {starts_in(reminder.offset)} ({when})."


async def send_due(
    session: AsyncSession, post: ForumPost, offsets: Sequence[int], *, now: datetime
) -> int:
    """Queue every reminder due now (email, and a DM to Slack members). The caller commits.

    Returns:
        How many reminders were queued.
    """
    reminders = await due_reminders(session, offsets, now)
    for reminder in reminders:
        facts = post.facts(reminder.row, reminder.member)
        context = {
            **facts,
            "soon": reminder.offset < SOON,
            "starts_in": starts_in(reminder.offset),
        }
        await tell(
            session,
            post,
            reminder.member,
            key=reminder.key,
            template="session_reminder",
            context=context,
            slack_text=_slack_text(reminder, facts),
            now=now,
        )
    return len(reminders)
