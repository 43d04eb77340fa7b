"""Forum sessions: create, edit, cancel, look up. Every channel (Slack, web, CLI) calls these.

Times arrive as local wall times in the partnership's zone and are stored as UTC. The
stored agenda is the configured fixed items followed by the session's own, as sent. The
iCalendar `sequence` goes up whenever a change must reach attendees' calendars (time,
joining link, agenda) and on cancellation, so invitations can be re-sent idempotently.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.forum.notices import ForumPost
from bot.domain.forum.places import fill_places
from bot.domain.forum.rules import ForumRules
from bot.domain.forum.session_checks import clean_details
from bot.domain.forum.times import to_local, to_utc
from bot.errors import InvalidInputError, NotFoundError, UserFacingError
from bot.store.tables import ForumSession

__all__ = ["ForumRules"]  # re-exported: channels build the rules from here

SCHEDULED = "scheduled"
CANCELLED = "cancelled"


@dataclass(frozen=True)
class SessionDetails:
    """What the chair types for a session. `starts`/`ends` are naive local wall times;
    `items` are the session's own agenda items (the fixed ones are added from config)."""

    title: str
    starts: datetime
    ends: datetime
    topic: str | None = None
    description: str = ""
    join_url: str | None = None
    capacity: int | None = None
    items: tuple[str, ...] = ()
    audience_topics: tuple[str, ...] = field(default_factory=tuple)
    audience_organisations: tuple[str, ...] = field(default_factory=tuple)


def agenda_of(details: SessionDetails, rules: ForumRules) -> list[str]:
    return [*rules.fixed_agenda, *details.items]


def details_of(row: ForumSession, rules: ForumRules) -> SessionDetails:
    """The editable details of a stored session (own items without the fixed ones)."""
    return SessionDetails(
        title=row.title,
        starts=to_local(row.starts_at, rules.zone),
        ends=to_local(row.ends_at, rules.zone),
        topic=row.topic,
        description=row.description,
        join_url=row.join_url,
        capacity=row.capacity,
        items=tuple(a for a in row.agenda if a not in rules.fixed_agenda),
        audience_topics=tuple(row.audience_topics),
        audience_organisations=tuple(row.audience_organisations),
    )


def _apply(row: ForumSession, details: SessionDetails, rules: ForumRules) -> None:
    row.title = details.title
    row.topic = details.topic
    row.description = details.description
    row.starts_at = to_utc(details.starts, rules.zone, field="start")
    row.ends_at = to_utc(details.ends, rules.zone, field="end")
    row.join_url = details.join_url
    row.capacity = details.capacity
    row.agenda = agenda_of(details, rules)
    row.audience_topics = list(details.audience_topics)
    row.audience_organisations = list(details.audience_organisations)


def _refuse_past(details: SessionDetails, rules: ForumRules, now: datetime) -> None:
    if to_utc(details.starts, rules.zone) <= now:
        raise InvalidInputError("The start time has already passed.", field="start")


async def create_session(
    session: AsyncSession,
    rules: ForumRules,
    details: SessionDetails,
    *,
    created_by: str | None,
    now: datetime,
) -> ForumSession:
    """Add a scheduled session (flushed, so it has an id); the caller commits."""
    cleaned = clean_details(details, rules)
    _refuse_past(cleaned, rules, now)
    if cleaned.join_url is None and rules.default_join_url:
        cleaned = replace(cleaned, join_url=rules.default_join_url)
    row = ForumSession(
        uid=f"forum-session-{uuid.uuid4()}@{rules.uid_domain}",
        title=cleaned.title,
        starts_at=now,
        ends_at=now,
        created_by=created_by,
        created_at=now,
        updated_at=now,
    )
    _apply(row, cleaned, rules)
    session.add(row)
    await session.flush()
    return row


def _calendar_view(row: ForumSession) -> tuple[object, ...]:
    return (row.starts_at, row.ends_at, row.join_url, tuple(row.agenda))


def _more_room(before: int | None, after: int | None) -> bool:
    """Whether a capacity change frees places: raised, or removed (no limit)."""
    return before is not None and (after is None or after > before)


async def edit_session(
    session: AsyncSession,
    post: ForumPost,
    session_id: int,
    details: SessionDetails,
    *,
    now: datetime,
) -> tuple[ForumSession, bool]:
    """Change a scheduled session. Returns it and whether calendars must be updated (the
    time, joining link or agenda changed, so `sequence` went up). The caller commits.

    Raising or removing the capacity gives the new places to those waiting, in order, in
    this same transaction on the locked row (every channel edits through here, so none
    can forget to), and tells them."""
    rules = post.rules
    row = await get_session(session, session_id, lock=True)
    if row.status == CANCELLED:
        raise UserFacingError(
            f"Session {session_id} is cancelled; it cannot be edited."
        )
    cleaned = clean_details(details, rules)
    before, capacity = _calendar_view(row), row.capacity
    if to_utc(cleaned.starts, rules.zone) != row.starts_at:
        _refuse_past(cleaned, rules, now)
    _apply(row, cleaned, rules)
    changed = _calendar_view(row) != before
    if changed:
        row.sequence += 1
    row.updated_at = now
    session.add(row)
    await session.flush()
    if _more_room(capacity, row.capacity):
        await fill_places(session, post, row, now=now)
    return row, changed


async def cancel_session(
    session: AsyncSession, session_id: int, *, now: datetime
) -> ForumSession:
    """Cancel a session: calendars must drop it, so `sequence` goes up. The caller commits."""
    row = await get_session(session, session_id, lock=True)
    if row.status == CANCELLED:
        raise UserFacingError(f"Session {session_id} is already cancelled.")
    if row.ends_at <= now:
        raise UserFacingError(f"Session {session_id} is over; it cannot be cancelled.")
    row.status = CANCELLED
    row.sequence += 1
    row.cancelled_at = now
    row.updated_at = now
    session.add(row)
    await session.flush()
    return row


async def get_session(
    session: AsyncSession, session_id: int, *, lock: bool = False
) -> ForumSession:
    """The session; with `lock`, its row is locked until commit (PostgreSQL: FOR UPDATE), so
    an edit, a cancellation, invitations and RSVPs to one session take turns."""
    statement = select(ForumSession).where(col(ForumSession.id) == session_id)
    row = (
        await session.exec(statement.with_for_update() if lock else statement)
    ).first()
    if row is None:
        raise NotFoundError(f"There is no session {session_id}.")
    return row


async def list_sessions(
    session: AsyncSession,
    *,
    now: datetime,
    when: Literal["upcoming", "past", "all"] = "upcoming",
    include_cancelled: bool = True,
) -> list[ForumSession]:
    """Upcoming sessions (not yet ended) soonest first, or past ones latest first."""
    statement = select(ForumSession)
    if when == "upcoming":
        statement = statement.where(col(ForumSession.ends_at) > now)
    elif when == "past":
        statement = statement.where(col(ForumSession.ends_at) <= now)
    if not include_cancelled:
        statement = statement.where(col(ForumSession.status) != CANCELLED)
    order = col(ForumSession.starts_at)
    statement = statement.order_by(order.desc() if when == "past" else order)
    return list((await session.exec(statement)).all())


async def sessions_between(
    session: AsyncSession, start: datetime, end: datetime
) -> list[ForumSession]:
    """Sessions (any status) starting in [start, end), soonest first."""
    statement = (
        select(ForumSession)
        .where(col(ForumSession.starts_at) >= start)
        .where(col(ForumSession.starts_at) < end)
        .order_by(col(ForumSession.starts_at))
    )
    return list((await session.exec(statement)).all())


def default_end(
    starts: datetime, rules: ForumRules, minutes: int | None = None
) -> datetime:
    """The end of a session of `minutes` (or the configured length) from a local start."""
    return starts + timedelta(minutes=minutes or rules.default_minutes)


def session_data(row: ForumSession, zone: ZoneInfo) -> dict[str, object]:
    """The session as JSON-ready values: UTC instants and local wall times both."""
    data = row.model_dump()
    data = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in data.items()}
    data["starts_local"] = f"{to_local(row.starts_at, zone):%Y-%m-%d %H:%M}"
    data["ends_local"] = f"{to_local(row.ends_at, zone):%Y-%m-%d %H:%M}"
    data["timezone"] = zone.key
    return data
