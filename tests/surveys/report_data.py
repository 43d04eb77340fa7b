"""Surveys with answers for the report tests: the shipped sample survey, opened, with
respondents invited and answering through the engine's `submit`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.domain import surveys
from bot.domain.training.evaluations import DEFAULT
from bot.runtime import Services
from bot.store.tables import Booking, Course, SurveyInvitation, TrainingEvent

SAMPLE = (
    Path(__file__).resolve().parents[2]
    / "config/surveys/resolution-and-escalation-protocol.yaml"
)
HOSTILE = "<script>alert(1)</script><b>x</b>"
FORMULA = '=HYPERLINK("http://evil","x")'


async def open_sample(services: Services, **changes: Any) -> int:
    """Import the sample survey (with `changes` to its definition) and open it."""
    return await open_survey(
        services, surveys.read_definition(SAMPLE).model_copy(update=changes)
    )


async def open_survey(services: Services, definition: surveys.Definition) -> int:
    """Save a definition as a survey and open it, as `forumbot surveys import/open` do."""
    now = services.clock.now()
    async with services.sessions() as session:
        survey = await surveys.save_definition(
            session, definition, zone=services.settings.zone, now=now
        )
        assert survey.id is not None
        await surveys.set_status(session, survey.id, surveys.OPEN, now=now)
        await session.commit()
        return survey.id


async def answer(
    services: Services,
    survey_id: int,
    responses: Sequence[dict[str, object]],
    *,
    respondents: Sequence[str] | None = None,
    invite_more: int = 0,
) -> None:
    """Invite one respondent per response (and `invite_more` who never answer), then
    submit each response through the engine, as the web form and Slack modal do."""
    keys = list(respondents or [f"booking:{n + 1}" for n in range(len(responses))])
    spare = [f"booking:{100_000 + n}" for n in range(invite_more)]
    now = services.clock.now()
    async with services.sessions() as session:
        for key in keys + spare:
            session.add(
                SurveyInvitation(survey_id=survey_id, respondent=key, invited_at=now)
            )
        await session.commit()
    for key, answers in zip(keys, responses, strict=True):
        async with services.sessions() as session:
            await surveys.submit(session, survey_id, key, answers, now=now)


def shaped_2019() -> list[dict[str, object]]:
    """123 practitioners as in June 2019: 74 aware (60%); of those, 36 had used the
    Protocol (nearly half); of those, 30 had resolved their concern (83%)."""
    resolved = [{"aware": "yes", "used": "yes", "resolved": "yes"}] * 30
    unresolved = [{"aware": "yes", "used": "yes", "resolved": "no"}] * 6
    unused = [{"aware": "yes", "used": "no"}] * 38
    unaware = [{"aware": "no"}] * 49
    return [dict(a) for a in resolved + unresolved + unused + unaware]


async def course_with_evaluations(services: Services) -> tuple[int, list[int]]:
    """A course with two events held, 10 places each, 8 of 9 booked delegates attending
    each, and each event's evaluation open: (course id, evaluation survey ids)."""
    now = services.clock.now()
    async with services.sessions() as session:
        course = Course(title="Neglect: recognising and responding")
        session.add(course)
        await session.flush()
        assert course.id is not None
        events = [
            TrainingEvent(
                course_id=course.id,
                ref=f"NEG-{n}",
                starts_at=now - timedelta(days=10 - n),
                ends_at=now - timedelta(days=10 - n, hours=-3),
                places=10,
            )
            for n in (1, 2)
        ]
        session.add_all(events)
        await session.flush()
        survey_ids = []
        for event in events:
            assert event.id is not None
            definition = DEFAULT.model_copy(
                update={"slug": f"evaluation-event-{event.id}"}
            )
            survey = await surveys.save_definition(
                session,
                definition,
                kind="evaluation",
                event_id=event.id,
                zone=services.settings.zone,
                now=now,
            )
            assert survey.id is not None
            await surveys.set_status(session, survey.id, surveys.OPEN, now=now)
            event.evaluation_survey_id = survey.id
            survey_ids.append(survey.id)
            session.add_all(
                Booking(event_id=event.id, email=f"d{n}@example.org", attended=n < 8)
                for n in range(9)
            )
        await session.commit()
        return course.id, survey_ids
