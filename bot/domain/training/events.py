"""Courses and their events: checked once here, whether typed in the admin pages or read
from a booking system's CSV, so both paths refuse the same mistakes in the same words.

Times are typed in local time (the partnership's zone) and stored in UTC. An event's `ref` is
the booking system's id; events made in the admin pages get one of our own (`FB-<id>`), so
every event can be named in Slack and in CSV files.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.forum.times import to_utc
from bot.domain.mime import clean_header_text
from bot.errors import InvalidInputError, NotFoundError
from bot.store.db import dialect_name
from bot.store.tables import Course, TrainingEvent

LIMITS = {"title": 300, "trainer": 200, "location": 300, "ref": 100}
MAX_PLACES = 10_000
OWN_REF = "FB-"
CANCELLED = "cancelled"
LOCK = 0x7472_6169_6E  # "train": the advisory lock that training writes take in turn


async def take_turn(session: AsyncSession) -> None:
    """Wait until no other transaction is writing training data, until this one ends.

    Two uploads of the same file at once would otherwise both find a course or booking
    missing and both insert it. SQLite already runs one writer at a time (BEGIN IMMEDIATE);
    PostgreSQL takes a transaction-level advisory lock.
    """
    if dialect_name(session) == "postgresql":
        await session.exec(select(func.pg_advisory_xact_lock(LOCK)))


@dataclass(frozen=True)
class EventDetails:
    """An event as someone typed it: local (naive) or aware times, raw text."""

    title: str
    starts: datetime
    ends: datetime
    places: int
    trainer: str | None = None
    location: str | None = None
    ref: str | None = None


@dataclass(frozen=True)
class CleanEvent:
    """An event ready to store: trimmed text, UTC times."""

    title: str
    starts_at: datetime
    ends_at: datetime
    places: int
    trainer: str | None
    location: str | None
    ref: str | None


def _text(value: str | None, name: str) -> str | None:
    cleaned = clean_header_text(value or "", limit=10_000)
    if len(cleaned) > LIMITS[name]:
        raise InvalidInputError(
            f"The {name} must be at most {LIMITS[name]} characters.", field=name
        )
    return cleaned or None


def clean_event(details: EventDetails, zone: ZoneInfo) -> CleanEvent:
    """Check an event. Raises:
    InvalidInputError: No title, an end not after the start, a time the clocks skip, a
        negative or absurd number of places, or text too long.
    """
    title = _text(details.title, "title")
    if not title:
        raise InvalidInputError("Give the course title.", field="title")
    starts_at = to_utc(details.starts, zone, field="start")
    ends_at = to_utc(details.ends, zone, field="end")
    if ends_at <= starts_at:
        raise InvalidInputError("The event must end after it starts.", field="end")
    if not 0 <= details.places <= MAX_PLACES:
        raise InvalidInputError(
            f"The places offered must be a number from 0 to {MAX_PLACES}.",
            field="places",
        )
    return CleanEvent(
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        places=details.places,
        trainer=_text(details.trainer, "trainer"),
        location=_text(details.location, "location"),
        ref=_text(details.ref, "ref"),
    )


async def course_named(session: AsyncSession, title: str) -> Course:
    """The course with this title, made if new (titles are unique, compared exactly)."""
    found = (
        await session.exec(select(Course).where(col(Course.title) == title))
    ).first()
    if found is None:
        found = Course(title=title)
        session.add(found)
        await session.flush()
    return found


async def find_event(session: AsyncSession, ref: str) -> TrainingEvent | None:
    return (
        await session.exec(
            select(TrainingEvent).where(col(TrainingEvent.ref) == ref.strip())
        )
    ).first()


async def get_event(session: AsyncSession, ref: str) -> TrainingEvent:
    """Raises:
    NotFoundError: No event has that reference.
    """
    event = await find_event(session, ref)
    if event is None:
        raise NotFoundError(f"No training event has the reference {ref.strip()!r}.")
    return event


def _fields(clean: CleanEvent, course_id: int) -> dict[str, object]:
    return {
        "course_id": course_id,
        "starts_at": clean.starts_at,
        "ends_at": clean.ends_at,
        "places": clean.places,
        "trainer": clean.trainer,
        "location": clean.location,
    }


async def save_event(
    session: AsyncSession, clean: CleanEvent
) -> tuple[TrainingEvent, str]:
    """Store an event, updating the one with the same ref. Flushes; the caller commits.

    Returns:
        The event and what happened: "created", "updated" or "unchanged".
    """
    course = await course_named(session, clean.title)
    fields = _fields(clean, course.id or 0)
    event = await find_event(session, clean.ref) if clean.ref else None
    if event is None:
        event = TrainingEvent(
            ref=clean.ref,
            course_id=course.id or 0,
            starts_at=clean.starts_at,
            ends_at=clean.ends_at,
        )
        for name, value in fields.items():
            setattr(event, name, value)
        session.add(event)
        await session.flush()
        if event.ref is None:
            event.ref = f"{OWN_REF}{event.id}"
            await session.flush()
        return event, "created"
    changed = {k: v for k, v in fields.items() if getattr(event, k) != v}
    for name, value in changed.items():
        setattr(event, name, value)
    await session.flush()
    return event, "updated" if changed else "unchanged"


async def course_titles(session: AsyncSession) -> dict[int, str]:
    rows = await session.exec(select(Course.id, Course.title))
    return {int(cid): str(title) for cid, title in rows.all() if cid is not None}
