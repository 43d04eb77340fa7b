"""The evaluation after each course: made once, a set time after the event ends, for those
who attended only; Slack members get a DM, others an email with a link; late attendance is
still asked; reminders reach only those who have not answered; one answer each."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import col, select

from bot.domain import surveys
from bot.domain.surveys import AlreadyAnsweredError
from bot.domain.training.evaluations import DEFAULT, default_definition
from bot.runtime import Services
from bot.store.tables import Booking, Survey, SurveyInvitation, TrainingEvent
from jobs.training import send_evaluations
from tests.conftest import StepClock
from tests.domain.mailbox import link, outbox_rows, subject
from tests.training.kit import add_member, load

HEAD = "ref,course,start,end,places,email,name,status,attended\n"
ENDS = datetime(2026, 3, 2, 12, 30, tzinfo=UTC)  # 12:30 in March is GMT
ROW = "E1,Neglect – Graded Care Profile 2,2026-03-02 09:30,2026-03-02 12:30,12"
ANSWERS = {"overall": 5, "objectives_met": "yes", "comments": "<b>Useful</b>"}


async def _setup(services: Services) -> None:
    await add_member(services, "kim@northshire.example.org", "Kim Lee", slack="U0KIM")
    text = HEAD + "".join(
        f"{ROW},{who}@northshire.example.org,{who},{status},{came}\n"
        for who, status, came in (
            ("kim", "booked", "yes"),
            ("ann", "booked", "yes"),
            ("bob", "booked", "no"),
            ("cy", "booked", ""),
            ("dee", "cancelled", ""),
        )
    )
    text += "E2,Coercive Control,2026-03-02 09:30,2026-03-02 12:30,12,eve@x.example.org,Eve,booked,\n"
    assert (await load(services, text.encode())).rejected == []


async def _invited(services: Services) -> list[str]:
    async with services.sessions() as session:
        rows = await session.exec(
            select(SurveyInvitation.respondent).order_by(col(SurveyInvitation.id))
        )
        return list(rows.all())


async def _booking_key(services: Services, email: str) -> str:
    async with services.sessions() as session:
        row = (
            await session.exec(select(Booking).where(col(Booking.email) == email))
        ).one()
        return surveys.booking_key(row.id or 0)


async def test_only_those_who_attended_are_asked_once_after_the_delay(
    services: Services, clock: StepClock
) -> None:
    await _setup(services)
    clock.current = ENDS + timedelta(minutes=119)  # the delay is 120 minutes
    assert await send_evaluations() == 0
    async with services.sessions() as session:
        assert (await session.exec(select(Survey))).all() == []
    clock.advance(minutes=1)
    assert await send_evaluations() == 2
    assert await send_evaluations() == 0  # a re-run asks nobody twice
    async with services.sessions() as session:
        (survey,) = (await session.exec(select(Survey))).all()
        event = (
            await session.exec(
                select(TrainingEvent).where(col(TrainingEvent.ref) == "E1")
            )
        ).one()
    assert (survey.kind, survey.event_id, survey.anonymous, survey.status) == (
        "evaluation",
        event.id,
        True,
        "open",
    )
    assert event.evaluation_survey_id == survey.id and survey.reminder_days == [3]
    assert survey.title == "Evaluation: Neglect – Graded Care Profile 2 (02 March 2026)"
    assert [q["id"] for q in survey.definition["questions"]] == [
        "overall",
        "objectives_met",
        "confidence_before",
        "confidence_after",
        "do_differently",
        "comments",
    ]
    assert sorted(await _invited(services)) == sorted(
        [
            await _booking_key(services, "kim@northshire.example.org"),
            await _booking_key(services, "ann@northshire.example.org"),
        ]
    )
    (dm,) = await outbox_rows(services, "U0KIM")
    assert dm.channel == "slack" and b"survey_open" in dm.payload
    (mail,) = await outbox_rows(services, "ann@northshire.example.org")
    assert "Evaluation: Neglect" in subject(mail.payload)
    link(mail.payload, services.links.base_url, "surveys")
    assert await outbox_rows(services, "kim@northshire.example.org") == []
    for nobody in ("bob", "cy", "dee"):
        assert await outbox_rows(services, f"{nobody}@northshire.example.org") == []


async def test_late_attendance_is_asked_and_reminders_skip_those_who_answered(
    services: Services, clock: StepClock
) -> None:
    await _setup(services)
    clock.current = ENDS + timedelta(hours=3)
    assert await send_evaluations() == 2
    late = "ref,email,attended\nE1,cy@northshire.example.org,yes\n"
    assert (await load(services, late.encode(), "attendance")).updated == 1
    clock.advance(minutes=15)
    assert await send_evaluations() == 1
    async with services.sessions() as session:
        survey_id = (await session.exec(select(Survey.id))).one() or 0
    ann = await _booking_key(services, "ann@northshire.example.org")
    async with services.sessions() as session:
        await surveys.submit(session, survey_id, ann, ANSWERS, now=clock.now())
    with pytest.raises(AlreadyAnsweredError):
        async with services.sessions() as session:
            await surveys.submit(session, survey_id, ann, ANSWERS, now=clock.now())
    clock.advance(days=3, minutes=-10)  # Kim's 3 days are up (invited 15 min before Cy)
    async with services.sessions() as session:
        reminded = await surveys.send_reminders(
            session, post=services.mailroom, now=clock.now()
        )
    assert reminded == 1  # Kim (invited 3 days ago), not Ann; Cy's 3 days are not up
    assert len(await outbox_rows(services, "U0KIM")) == 2
    assert len(await outbox_rows(services, "ann@northshire.example.org")) == 1


async def test_an_event_past_the_open_period_or_cancelled_is_not_evaluated(
    services: Services, clock: StepClock
) -> None:
    await _setup(services)
    async with services.sessions() as session:
        event = (
            await session.exec(
                select(TrainingEvent).where(col(TrainingEvent.ref) == "E1")
            )
        ).one()
        event.status = "cancelled"
        await session.commit()
    clock.current = ENDS + timedelta(hours=3)
    assert await send_evaluations() == 0


async def test_the_questions_can_be_replaced_by_a_file(tmp_path: Path) -> None:
    folder = tmp_path
    assert default_definition(folder) is DEFAULT
    (folder / "evaluations").mkdir()
    (folder / "evaluations" / "default.yaml").write_text(
        "slug: our-evaluation\ntitle: Ours\nanonymous: false\nquestions:\n"
        "  - id: useful\n    type: yes_no\n    text: Was it useful?\n",
        encoding="utf-8",
    )
    ours = default_definition(folder)
    assert [q.id for q in ours.questions] == ["useful"] and ours.anonymous is False
