"""The survey-reminders job, driven by stepping the clock: reminders on the survey's days,
closing on time, and nothing sent twice."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain import surveys
from bot.runtime import Services
from jobs import SCHEDULES
from jobs.surveys import remind
from tests.conftest import StepClock
from tests.domain.mailbox import outbox_rows, plain_text, subject
from tests.surveys.conftest import key, members, open_survey, sample


def test_the_job_runs_every_hour() -> None:
    [entry] = [s for s in SCHEDULES if s.id == "survey-reminders"]
    assert (entry.func, entry.trigger, entry.trigger_args) == (
        "jobs.surveys:remind",
        "interval",
        {"hours": 1},
    )


async def test_the_job_reminds_then_closes_the_survey(
    services: Services, clock: StepClock
) -> None:
    answered, waiting = await members(services, 2)
    local_now = clock.now().astimezone(services.settings.zone).replace(tzinfo=None)
    survey, _ = await open_survey(
        services, sample(reminders=[3], closes=local_now + timedelta(days=5))
    )
    async with services.sessions() as session:
        await surveys.submit(
            session, survey.id or 0, key(answered), {"aware": "no"}, now=clock.now()
        )

    clock.advance(days=3)
    assert (await remind(), await remind()) == (1, 0)
    [reminder] = [
        r for r in await outbox_rows(services) if ":remind:" in r.idempotency_key
    ]
    assert reminder.recipient == waiting.email
    assert (
        subject(reminder.payload)
        == "Reminder: Survey: The Resolution and Escalation Protocol"
    )
    assert "/surveys/" in plain_text(reminder.payload)

    clock.advance(days=2)
    assert await remind() == 0
    async with services.sessions() as session:
        assert (
            await surveys.get_survey(session, survey.id or 0)
        ).status == surveys.CLOSED
        with pytest.raises(surveys.SurveyClosedError):
            await surveys.submit(
                session, survey.id or 0, key(waiting), {"aware": "no"}, now=clock.now()
            )


async def test_a_survey_opened_ahead_invites_on_its_opening_day(
    services: Services, clock: StepClock
) -> None:
    (person,) = await members(services, 1)
    local_now = clock.now().astimezone(services.settings.zone).replace(tzinfo=None)
    survey, invited = await open_survey(
        services, sample(opens=local_now + timedelta(days=2))
    )
    assert invited == 0
    await remind()
    assert not [
        r
        for r in await outbox_rows(services)
        if r.recipient == person.email and r.idempotency_key.startswith("survey:")
    ]
    clock.advance(days=2)
    await remind()
    await remind()
    [invitation] = [
        r
        for r in await outbox_rows(services)
        if r.idempotency_key.startswith("survey:")
    ]
    assert invitation.idempotency_key == f"survey:{survey.id}:invite:{key(person)}"
    async with services.sessions() as session:
        await surveys.submit(
            session, survey.id or 0, key(person), {"aware": "no"}, now=clock.now()
        )
