"""Who came to a session: from a meeting tool's attendance report, or marked by the chair.

A report is the whole record of a session: importing it marks the members in it as
attended and those who said they would come but are not in it as no-shows, and counts
everyone else as guests (a number only: no non-member's name is kept). Importing the same
report again gives the same result. Someone who came without replying gets a place row
with status "invited" and channel "attendance", so they count as attended but not as
having accepted. Marking in Slack only adds attendees, so mark after importing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.forum.attendance_reports import Attendee, Report, read_report
from bot.domain.forum.sessions import CANCELLED, get_session
from bot.domain.forum.times import to_local
from bot.domain.imports import Rejected
from bot.errors import UserFacingError
from bot.store.tables import ForumSession, Member, Rsvp

WALK_IN = "attendance"  # the channel of a place row made because someone came


@dataclass
class Imported:
    """What an import did, as the CLI prints it (--json) and the chair reads it."""

    format: str
    attended: int = 0
    no_shows: int = 0
    guests: int = 0
    walk_ins: int = 0
    rejected: list[Rejected] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Figures:
    session_id: int
    title: str
    starts_at: datetime
    invited: int
    accepted: int
    attended: int
    no_shows: int
    guests: int

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "starts_at": self.starts_at.isoformat()}


def _check_held(forum_session: ForumSession, now: datetime) -> None:
    if forum_session.status == CANCELLED:
        raise UserFacingError(
            f"{forum_session.title!r} was cancelled, so nobody attended."
        )
    if forum_session.starts_at > now:
        raise UserFacingError(
            f"{forum_session.title!r} has not started yet, so there is no attendance to record."
        )


async def _members_for(
    session: AsyncSession, attendees: list[Attendee]
) -> dict[str, int]:
    """Member ids by attendee identity: by address, else by a name only one member has."""
    emails = {a.email for a in attendees if a.email}
    found: dict[str, int] = {}
    if emails:
        pairs = await session.exec(
            select(func.lower(Member.email), Member.id).where(
                func.lower(Member.email).in_(emails)
            )
        )
        found = {str(email): int(mid) for email, mid in pairs.all() if mid is not None}
    for attendee in attendees:
        if attendee.email is None and attendee.name:
            rows = await session.exec(
                select(Member.id).where(
                    func.lower(Member.name) == attendee.name.lower(),
                    col(Member.email).is_not(None),
                )
            )
            ids = list(rows.all())
            if len(ids) == 1 and ids[0] is not None:
                found[attendee.identity] = ids[0]
    return found


async def _places(session: AsyncSession, forum_session_id: int) -> dict[int, Rsvp]:
    rows = await session.exec(
        select(Rsvp).where(col(Rsvp.session_id) == forum_session_id)
    )
    return {r.member_id: r for r in rows.all()}


def _came(in_report: bool, place: Rsvp) -> bool | None:
    """Attended if in the report; a no-show (False) if they had said yes; else unknown."""
    if in_report:
        return True
    return False if place.status == "attending" else None


def _walk_in(forum_session_id: int, member_id: int) -> Rsvp:
    return Rsvp(
        session_id=forum_session_id,
        member_id=member_id,
        status="invited",
        channel=WALK_IN,
    )


def _check_day(
    forum_session: ForumSession, report: Report, zone: ZoneInfo, force: bool
) -> None:
    """A report whose meeting was on another day is most likely for another session:
    importing it would mark the wrong people as no-shows. `force` imports it anyway."""
    day = to_local(forum_session.starts_at, zone).date()
    if force or not report.days or day in report.days:
        return
    raise UserFacingError(
        f"This report is for a meeting that started {report.started}, but "
        f"{forum_session.title!r} was on {day:%A %-d %B %Y}. Check that you chose the "
        "right session and report; to import it anyway, use --force."
    )


async def import_report(
    session: AsyncSession,
    forum_session_id: int,
    data: bytes,
    *,
    zone: ZoneInfo,
    now: datetime,
    force: bool = False,
) -> Imported:
    """Record a session's attendance from a report's bytes. Flushes; the caller commits.

    Raises:
        InvalidInputError: The file cannot be read as an attendance report.
        UserFacingError: The session was cancelled or has not started, or (unless `force`)
            the report's meeting date, in `zone`, is not the session's.
    """
    forum_session = await get_session(session, forum_session_id)
    _check_held(forum_session, now)
    report = read_report(data)
    _check_day(forum_session, report, zone, force)
    matched = await _members_for(session, report.attendees)
    came = set(matched.values())
    places = await _places(session, forum_session_id)
    result = Imported(report.format, rejected=report.rejected)
    for member_id in came - places.keys():
        places[member_id] = _walk_in(forum_session_id, member_id)
        session.add(places[member_id])
        result.walk_ins += 1
    for member_id, place in places.items():
        place.attended = _came(member_id in came, place)
    result.attended = len(came)
    result.no_shows = sum(1 for p in places.values() if p.attended is False)
    result.guests = len({a.identity for a in report.attendees} - matched.keys())
    forum_session.guests = result.guests
    await session.flush()
    return result


async def mark_attended(
    session: AsyncSession,
    forum_session_id: int,
    member_ids: list[int],
    *,
    now: datetime,
) -> int:
    """Mark members as attended (the chair, from Slack). Returns how many were newly marked."""
    _check_held(await get_session(session, forum_session_id), now)
    places = await _places(session, forum_session_id)
    newly = 0
    for member_id in dict.fromkeys(member_ids):
        place = places.get(member_id)
        if place is None:
            place = _walk_in(forum_session_id, member_id)
            session.add(place)
        newly += place.attended is not True
        place.attended = True
    await session.flush()
    return newly


async def figures(session: AsyncSession, forum_session_id: int) -> Figures:
    """Invited, accepted, attended, no-shows and guests for one session."""
    forum_session = await get_session(session, forum_session_id)
    places = list((await _places(session, forum_session_id)).values())
    return Figures(
        session_id=forum_session_id,
        title=forum_session.title,
        starts_at=forum_session.starts_at,
        invited=sum(
            1 for p in places if not (p.channel == WALK_IN and p.invited_at is None)
        ),
        accepted=sum(1 for p in places if p.status == "attending"),
        attended=sum(1 for p in places if p.attended is True),
        no_shows=sum(
            1 for p in places if p.status == "attending" and p.attended is False
        ),
        guests=forum_session.guests,
    )


async def all_figures(session: AsyncSession, *, now: datetime) -> list[Figures]:
    """Figures for every session held so far (not cancelled, started), oldest first."""
    rows = await session.exec(
        select(ForumSession.id)
        .where(
            col(ForumSession.status) != CANCELLED, col(ForumSession.starts_at) <= now
        )
        .order_by(col(ForumSession.starts_at))
    )
    return [await figures(session, int(sid)) for sid in rows.all() if sid is not None]
