"""A delegate's bookings in a subject access request, and erasure that keeps the counts."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from bot.domain import privacy, surveys
from bot.domain.training import utilisation as u
from bot.domain.training.evaluations import DEFAULT
from bot.errors import MemberNotFoundError
from bot.runtime import Services
from bot.store.tables import Booking, SurveyInvitation
from tests.conftest import StepClock
from tests.training.kit import add_member, load

TEXT = (
    "ref,course,start,end,places,email,name,organisation,status,attended\n"
    "E1,Neglect,2020-02-04 09:30,2020-02-04 12:30,4,ann@x.example.org,Ann Ash,School,booked,no\n"
    "E1,Neglect,2020-02-04 09:30,2020-02-04 12:30,4,kim@x.example.org,Kim Lee,NHS,booked,yes\n"
    "E2,Neglect,2020-03-04 09:30,2020-03-04 12:30,4,ann@x.example.org,Ann Ash,School,booked,yes\n"
)


async def _figures(services: Services) -> list[tuple[int, ...]]:
    async with services.sessions() as session:
        return [e.counts.row() for e in await u.event_figures(session)]


async def test_export_lists_bookings_and_erasure_keeps_the_counts(
    services: Services, clock: StepClock
) -> None:
    await add_member(services, "kim@x.example.org", "Kim Lee")
    assert (await load(services, TEXT.encode())).rejected == []
    before = await _figures(services)
    async with services.sessions() as session:
        ann = await privacy.export_member_data(session, "Ann@X.example.org")
        kim = await privacy.export_member_data(session, "kim@x.example.org")
        survey = await surveys.save_definition(
            session,
            DEFAULT,
            kind="evaluation",
            zone=services.settings.zone,
            now=clock.now(),
        )
        ids = (await session.exec(select(Booking.id).order_by(col(Booking.id)))).all()
        for booking_id, answered in zip(ids, (False, False, True), strict=True):
            row = SurveyInvitation(
                survey_id=survey.id or 0,
                respondent=f"booking:{booking_id}",
                answered=answered,
            )
            session.add(row)
        await session.commit()
    assert ann["member"] is None
    assert [
        (b["event_ref"], b["name"], b["attended"]) for b in ann["training_bookings"]
    ] == [
        ("E1", "Ann Ash", False),
        ("E2", "Ann Ash", True),
    ]
    assert [b["event_ref"] for b in kim["training_bookings"]] == ["E1"]

    async with services.sessions() as session:
        erased = await privacy.erase_member(
            session, "ann@x.example.org", now=clock.now()
        )
    assert erased.members == 0 and erased.extra["training_bookings"] == 2
    assert await _figures(services) == before
    async with services.sessions() as session:
        rows = (await session.exec(select(Booking).order_by(col(Booking.id)))).all()
        left = [(b.email, b.name, b.organisation) for b in rows]
    assert left[1] == ("kim@x.example.org", "Kim Lee", "NHS")
    assert [x for i, x in enumerate(left) if i != 1] == [
        (f"erased-{rows[0].id}@erased.invalid", None, None),
        (f"erased-{rows[2].id}@erased.invalid", None, None),
    ]
    kept = await _invited(services)
    assert kept[1] == f"booking:{ids[1]}" and kept[0].startswith("erased:")
    assert kept[2].startswith("erased:")
    with pytest.raises(MemberNotFoundError):
        async with services.sessions() as session:
            await privacy.export_member_data(session, "ann@x.example.org")


async def _invited(services: Services) -> list[str]:
    """Invitation keys in order: Ann's are unlinked (the survey engine's erasure), Kim's stay."""
    async with services.sessions() as session:
        rows = await session.exec(
            select(SurveyInvitation.respondent).order_by(col(SurveyInvitation.id))
        )
        return list(rows.all())
