"""Delegates' bookings and attendance. A delegate is anyone with a work address, member or
not; `member_id` is filled when the address belongs to a member, so a member's evaluation can
reach them in Slack. One booking per (event, address): importing again updates it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain import members as m
from bot.domain.mime import clean_header_text
from bot.domain.training.events import take_turn
from bot.errors import InvalidInputError, UserFacingError
from bot.store.tables import Booking, Member, TrainingEvent

BOOKED, CANCELLED = "booked", "cancelled"
STATUSES = {
    "booked": BOOKED,
    "confirmed": BOOKED,
    "attended": BOOKED,
    "": BOOKED,
    "cancelled": CANCELLED,
    "canceled": CANCELLED,
}
YES = {"yes", "y", "true", "1", "attended"}
NO = {"no", "n", "false", "0", "did not attend", "no show", "no-show", "absent"}
LIMITS = {"name": 100, "organisation": 150}


@dataclass(frozen=True)
class Delegate:
    """One delegate on one event, checked: a normalised address, trimmed text."""

    email: str
    name: str | None = None
    organisation: str | None = None
    status: str = BOOKED
    attended: bool | None = None


def parse_attended(raw: str) -> bool | None:
    """yes/no (and the usual spellings) to True/False; empty means not known yet.

    Raises:
        InvalidInputError: Neither yes, no nor empty.
    """
    text = raw.strip().lower()
    if not text:
        return None
    if text in YES | NO:
        return text in YES
    raise InvalidInputError(f"attended must be yes or no, not {raw.strip()[:40]!r}")


def parse_status(raw: str) -> str:
    """Raises:
    InvalidInputError: Not a booking status we know (booked, confirmed, cancelled).
    """
    status = STATUSES.get(raw.strip().lower())
    if status is None:
        raise InvalidInputError(
            f"booking status must be booked or cancelled, not {raw.strip()[:40]!r}"
        )
    return status


def _text(value: str | None, name: str) -> str | None:
    cleaned = clean_header_text(value or "", limit=10_000)
    if len(cleaned) > LIMITS[name]:
        raise InvalidInputError(f"the {name} is longer than {LIMITS[name]} characters")
    return cleaned or None


def delegate(
    email: str,
    name: str | None = None,
    organisation: str | None = None,
    *,
    status: str = BOOKED,
    attended: bool | None = None,
) -> Delegate:
    """A checked delegate. Raises:
    InvalidInputError: The address is not valid, or a name is too long.
    """
    return Delegate(
        m.normalise_email(email),
        _text(name, "name"),
        _text(organisation, "organisation"),
        status,
        attended,
    )


async def member_ids(session: AsyncSession, emails: list[str]) -> dict[str, int]:
    """Member ids by (normalised) address, for the addresses that belong to members."""
    if not emails:
        return {}
    rows = await session.exec(
        select(Member.email, Member.id).where(col(Member.email).in_(emails))
    )
    return {str(e): int(i) for e, i in rows.all() if e and i is not None}


async def bookings_of(session: AsyncSession, event_id: int) -> dict[str, Booking]:
    rows = await session.exec(select(Booking).where(col(Booking.event_id) == event_id))
    return {b.email: b for b in rows.all()}


def apply(booking: Booking, who: Delegate, *, attendance_only: bool) -> bool:
    """Copy what the row knows onto the booking; whether anything changed.

    An attendance file only says who came: it leaves name, organisation and status alone,
    and an empty `attended` cell never clears what was recorded.
    """
    wanted: dict[str, object] = {}
    if not attendance_only:
        wanted = {"status": who.status}
        wanted |= {"name": who.name} if who.name else {}
        wanted |= {"organisation": who.organisation} if who.organisation else {}
    if who.attended is not None:
        wanted["attended"] = who.attended
    changed = {k: v for k, v in wanted.items() if getattr(booking, k) != v}
    for name, value in changed.items():
        setattr(booking, name, value)
    return bool(changed)


def new_booking(event_id: int, who: Delegate, member_id: int | None) -> Booking:
    return Booking(
        event_id=event_id,
        email=who.email,
        name=who.name,
        organisation=who.organisation,
        member_id=member_id,
        status=who.status,
        attended=who.attended,
    )


def check_held(event: TrainingEvent, now: datetime) -> None:
    """Raises:
    UserFacingError: The event has not started yet, so nobody can have attended it.
    """
    if event.starts_at > now:
        raise UserFacingError(
            f"Event {event.ref} has not started yet, so there is no attendance to record."
        )


async def mark_attended(
    session: AsyncSession,
    event: TrainingEvent,
    delegates: list[Delegate],
    *,
    now: datetime,
) -> tuple[int, int]:
    """Mark delegates as attended (from Slack). Someone who came without a booking gets one,
    so they count. Flushes; the caller commits.

    Returns:
        (newly marked, of whom walk-ins without a booking).
    """
    check_held(event, now)
    await take_turn(session)
    existing = await bookings_of(session, event.id or 0)
    ids = await member_ids(session, [d.email for d in delegates])
    newly = walk_ins = 0
    for who in {d.email: d for d in delegates}.values():
        booking = existing.get(who.email)
        if booking is None:
            booking = new_booking(event.id or 0, who, ids.get(who.email))
            session.add(booking)
            walk_ins += 1
        newly += booking.attended is not True
        booking.attended = True
    await session.flush()
    return newly, walk_ins
