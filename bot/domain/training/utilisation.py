"""Utilisation and non-attendance, per event and per course, as the L&D sub-group reports them.

Utilisation is delegates attending over places offered (3,066 of 3,540 in 2019/20).
Non-attendance is a delegate booked (not cancelled) and recorded as not attending: the
partnership charges for it, so the list names them. A booking whose attendance is not known
yet counts as neither.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.spreadsheets import write_csv
from bot.domain.training.bookings import BOOKED, CANCELLED
from bot.domain.training.events import get_event
from bot.store.tables import Booking, Course, TrainingEvent

NON_ATTENDANCE_COLUMNS = (
    "event_ref",
    "course",
    "start",
    "email",
    "name",
    "organisation",
)


def rate(attended: int, places: int) -> float | None:
    """Attended over places, to one decimal of a per cent; None when no places were offered."""
    return round(100 * attended / places, 1) if places else None


@dataclass(frozen=True)
class Counts:
    places: int = 0
    booked: int = 0
    cancelled: int = 0
    attended: int = 0
    non_attended: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(a + b for a, b in zip(self.row(), other.row(), strict=True)))

    def row(self) -> tuple[int, int, int, int, int]:
        return (
            self.places,
            self.booked,
            self.cancelled,
            self.attended,
            self.non_attended,
        )

    @property
    def utilisation(self) -> float | None:
        return rate(self.attended, self.places)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "utilisation": self.utilisation}


@dataclass(frozen=True)
class EventFigures:
    event_id: int
    ref: str
    course_id: int
    course: str
    starts_at: datetime
    counts: Counts

    def as_dict(self) -> dict[str, Any]:
        head = {k: v for k, v in asdict(self).items() if k != "counts"}
        return {
            **head,
            "starts_at": self.starts_at.isoformat(),
            **self.counts.as_dict(),
        }


@dataclass(frozen=True)
class CourseFigures:
    course_id: int
    course: str
    events: int
    counts: Counts

    def as_dict(self) -> dict[str, Any]:
        head = {
            "course_id": self.course_id,
            "course": self.course,
            "events": self.events,
        }
        return {**head, **self.counts.as_dict()}


async def _tallies(session: AsyncSession, event_ids: list[int]) -> dict[int, Counts]:
    """Booked, cancelled, attended and non-attended per event, counted in the database."""
    rows = await session.exec(
        select(Booking.event_id, Booking.status, Booking.attended, func.count())
        .where(col(Booking.event_id).in_(event_ids))
        .group_by(col(Booking.event_id), col(Booking.status), col(Booking.attended))
    )
    found: dict[int, Counts] = defaultdict(Counts)
    for event_id, status, attended, n in rows.all():
        found[event_id] += Counts(
            booked=n * (status == BOOKED),
            cancelled=n * (status == CANCELLED),
            attended=n * (attended is True),
            non_attended=n * (status == BOOKED and attended is False),
        )
    return found


async def event_figures(
    session: AsyncSession,
    *,
    course_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[EventFigures]:
    """Figures for each event (not cancelled) starting in [since, until), oldest first."""
    query = (
        select(TrainingEvent, Course.title)
        .join(Course, col(Course.id) == col(TrainingEvent.course_id))
        .where(col(TrainingEvent.status) != CANCELLED)
        .order_by(col(TrainingEvent.starts_at), col(TrainingEvent.id))
    )
    if course_id is not None:
        query = query.where(col(TrainingEvent.course_id) == course_id)
    if since is not None:
        query = query.where(col(TrainingEvent.starts_at) >= since)
    if until is not None:
        query = query.where(col(TrainingEvent.starts_at) < until)
    pairs = (await session.exec(query)).all()
    tallies = await _tallies(session, [e.id for e, _ in pairs if e.id is not None])
    return [
        EventFigures(
            event_id=e.id or 0,
            ref=e.ref or "",
            course_id=e.course_id,
            course=title,
            starts_at=e.starts_at,
            counts=Counts(places=e.places) + tallies.get(e.id or 0, Counts()),
        )
        for e, title in pairs
    ]


def by_course(events: list[EventFigures]) -> list[CourseFigures]:
    """The events' figures added up per course, in course title order."""
    grouped: dict[tuple[str, int], list[EventFigures]] = defaultdict(list)
    for figures in events:
        grouped[(figures.course, figures.course_id)].append(figures)
    return [
        CourseFigures(cid, title, len(group), sum((f.counts for f in group), Counts()))
        for (title, cid), group in sorted(grouped.items())
    ]


def total(events: list[EventFigures]) -> Counts:
    return sum((f.counts for f in events), Counts())


async def non_attendance(session: AsyncSession, ref: str) -> list[Booking]:
    """The delegates booked on an event who did not attend, by name then address.

    Raises:
        NotFoundError: No event has that reference.
    """
    event = await get_event(session, ref)
    rows = await session.exec(
        select(Booking)
        .where(
            col(Booking.event_id) == event.id,
            col(Booking.status) == BOOKED,
            col(Booking.attended).is_(False),
        )
        .order_by(col(Booking.name), col(Booking.email))
    )
    return list(rows.all())


async def non_attendance_csv(session: AsyncSession, ref: str, zone: Any) -> str:
    """The non-attendance list as CSV for invoicing; cells cannot start a formula."""
    event = await get_event(session, ref)
    course = await session.get(Course, event.course_id)
    start = f"{event.starts_at.astimezone(zone):%Y-%m-%d %H:%M}"
    return write_csv(
        NON_ATTENDANCE_COLUMNS,
        (
            (
                event.ref,
                course.title if course else "",
                start,
                x.email,
                x.name,
                x.organisation,
            )
            for x in await non_attendance(session, ref)
        ),
    )
