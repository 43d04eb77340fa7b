"""A delegate's bookings in a subject access request, and what erasure does to them.

Bookings hold a delegate's address, name and organisation. On erasure they are anonymised,
not deleted: the address becomes `erased-<booking id>@erased.invalid` (unique per event, and
undeliverable: .invalid is reserved) and the name, organisation and member link go, while
status and attendance stay, so utilisation and non-attendance counts for past events do not
change. Their evaluation invitations and named answers are unlinked beforehand by
bot.domain.surveys.privacy (they are keyed by booking). Re-importing an old booking file would bring
the booking back under the person's address: re-import only current files after erasure.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.store.tables import Booking, Course, TrainingEvent

ERASED_DOMAIN = "erased.invalid"


def _theirs(address: str, member_id: int | None) -> Any:
    """Bookings under their address, or linked to their member record."""
    mine = col(Booking.email) == address
    return or_(mine, col(Booking.member_id) == member_id) if member_id else mine


async def person_bookings(
    session: AsyncSession, address: str, member_id: int | None
) -> list[dict[str, Any]]:
    """Every booking held for the person, with the event and course, oldest first."""
    rows = await session.exec(
        select(Booking, TrainingEvent, Course.title)
        .join(TrainingEvent, col(TrainingEvent.id) == col(Booking.event_id))
        .join(Course, col(Course.id) == col(TrainingEvent.course_id))
        .where(_theirs(address, member_id))
        .order_by(col(TrainingEvent.starts_at))
    )
    return [
        {
            "event_ref": event.ref,
            "course": title,
            "starts_at": event.starts_at.isoformat(),
            "email": booking.email,
            "name": booking.name,
            "organisation": booking.organisation,
            "status": booking.status,
            "attended": booking.attended,
        }
        for booking, event, title in rows.all()
    ]


async def erase_bookings(
    session: AsyncSession, address: str, member_id: int | None
) -> int:
    """Anonymise the person's bookings (see the module's note). Flushes; returns how many."""
    bookings = list(
        (await session.exec(select(Booking).where(_theirs(address, member_id)))).all()
    )
    for booking in bookings:
        booking.email = f"erased-{booking.id}@{ERASED_DOMAIN}"
        booking.name = booking.organisation = booking.member_id = None
        session.add(booking)
    await session.flush()
    return len(bookings)
