"""Safeguards found in review, on SQLite and PostgreSQL: anonymity cannot be switched off
once people are asked, evaluations are not opened to everyone, impossible conditions are
refused, control characters are dropped from text answers, one response per named
respondent, and reminder rounds wait for an answer in flight."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import col, select

from bot.domain import surveys
from bot.errors import InvalidInputError
from bot.runtime import Services
from bot.store.tables import SurveyInvitation, SurveyResponse
from tests.surveys.conftest import key, members, open_survey, sample, save


async def test_anonymity_cannot_change_once_anyone_is_invited(
    services: Services,
) -> None:
    await members(services, 2)
    draft = await save(services, sample(slug="draft-one"))
    switched = await save(services, sample(slug="draft-one", anonymous=False))
    assert (draft.id, switched.anonymous) == (switched.id, False)  # a draft may change

    survey, invited = await open_survey(services)
    assert invited == 2 and survey.anonymous
    with pytest.raises(InvalidInputError, match="already been sent") as caught:
        await save(services, sample(anonymous=False))
    assert caught.value.field == "anonymous"
    async with services.sessions() as session:
        stored = await surveys.get_survey(session, survey.id or 0)
    assert stored.anonymous and surveys.definition_of(stored).anonymous


async def test_an_evaluation_cannot_be_opened_to_everyone(services: Services) -> None:
    await members(services, 3)
    survey = await save(services, sample(slug="course-evaluation"), kind="evaluation")
    async with services.sessions() as session:
        with pytest.raises(InvalidInputError, match="course evaluation") as caught:
            await surveys.open_survey(
                session,
                survey.id or 0,
                post=services.mailroom,
                now=services.clock.now(),
            )
        await session.commit()
    assert "delegates" in str(caught.value)
    async with services.sessions() as session:
        assert (await surveys.get_survey(session, survey.id or 0)).status == "draft"
        assert (await session.exec(select(SurveyInvitation))).all() == []


def _with_condition(leader: dict[str, Any], equals: object) -> dict[str, Any]:
    return {
        "slug": "x",
        "title": "X",
        "questions": [
            {"id": "first", "text": "First", **leader},
            {
                "id": "then",
                "type": "text",
                "text": "Then",
                "show_if": {"question": "first", "equals": equals},
            },
        ],
    }


LIKERT = {"type": "likert"}
CHOICE = {"type": "single", "options": ["Red", "Blue"]}
MANY = {"type": "multiple", "options": ["Red", "Blue"]}
YES_NO = {"type": "yes_no"}
NUMBER = {"type": "number"}


@pytest.mark.parametrize(
    ("leader", "equals"),
    [
        (LIKERT, 9),
        (LIKERT, "4"),
        (LIKERT, 2.5),
        (CHOICE, "Green"),
        (MANY, "Green"),
        (YES_NO, "maybe"),
        (YES_NO, 1),
        (NUMBER, "three"),
        (NUMBER, True),
    ],
)
def test_a_condition_that_can_never_be_met_is_refused(
    leader: dict[str, Any], equals: object
) -> None:
    with pytest.raises(ValueError, match="can never be met"):
        surveys.Definition.model_validate(_with_condition(leader, equals))


@pytest.mark.parametrize(
    ("leader", "equals"),
    [(LIKERT, 5), (CHOICE, "Blue"), (MANY, "Red"), (YES_NO, "no"), (YES_NO, True)]
    + [(NUMBER, 3), (NUMBER, 2.5)],
)
def test_a_condition_that_can_be_met_is_kept(
    leader: dict[str, Any], equals: object
) -> None:
    definition = surveys.Definition.model_validate(_with_condition(leader, equals))
    condition = definition.questions[1].show_if
    assert condition is not None and condition.equals == equals


def test_a_ratio_that_can_never_hold_is_refused() -> None:
    data = _with_condition(YES_NO, "yes")
    data["ratios"] = [
        {
            "label": "of those",
            "given": {"question": "first", "equals": "yes"},
            "then": {"question": "first", "equals": "sometimes"},
        }
    ]
    with pytest.raises(ValueError, match="ratio 'of those'.*can never be met"):
        surveys.Definition.model_validate(data)


async def test_control_characters_are_dropped_from_text_answers(
    services: Services,
) -> None:
    (person,) = await members(services, 1)
    survey, _ = await open_survey(services)
    typed = "Line one\x1b[31m red\x07\r\nLine\ttwo\x00\x9b2J\x7f"
    async with services.sessions() as session:
        await surveys.submit(
            session,
            survey.id or 0,
            key(person),
            {"aware": "no", "comments": typed},
            now=services.clock.now(),
        )
    async with services.sessions() as session:
        (response,) = (await session.exec(select(SurveyResponse))).all()
    assert response.answers["comments"] == "Line one[31m red\nLine\ttwo2J"


async def test_one_response_per_named_respondent_in_the_database(
    services: Services,
) -> None:
    survey = await save(services, sample(anonymous=False))
    async with services.sessions() as session:
        session.add_all(
            [
                SurveyResponse(id="a" * 32, survey_id=survey.id or 0, answers={}),
                SurveyResponse(id="b" * 32, survey_id=survey.id or 0, answers={}),
            ]
        )
        await session.commit()  # anonymous ones (no respondent) never collide
        for n in (1, 2):
            session.add(
                SurveyResponse(
                    id=f"{n}" * 32,
                    survey_id=survey.id or 0,
                    respondent="member:1",
                    answers={},
                )
            )
        with pytest.raises(IntegrityError):
            await session.commit()


async def test_a_reminder_round_waits_for_an_answer_in_flight_on_postgresql(
    services: Services,
) -> None:
    """Answering locks the survey; the reminder round takes the same lock, so it sees the
    answer committed (and does not remind someone who has just answered)."""
    if services.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL row locks; SQLite serialises write transactions")
    await members(services, 1)
    survey, _ = await open_survey(services, sample(reminders=[1]))
    services.clock.advance(days=1)  # type: ignore[attr-defined]
    now = services.clock.now()
    async with services.sessions() as answering:
        await surveys.lock_survey(answering, survey.id or 0)  # an answer, begun
        async with services.sessions() as reminding:
            connection = await reminding.connection()
            await connection.execute(text("SET LOCAL lock_timeout = '300ms'"))
            with pytest.raises(OperationalError, match="lock timeout"):
                await surveys.send_reminders(reminding, post=services.mailroom, now=now)
    async with services.sessions() as session:
        assert (
            await surveys.send_reminders(session, post=services.mailroom, now=now) == 1
        )


async def test_different_people_answering_at_once_are_all_kept(
    services: Services,
) -> None:
    """Real concurrent transactions (on PostgreSQL they queue on the survey's lock, and
    each rewrites the survey's responses): no answer is lost or doubled."""
    people = await members(services, 6)
    for named in (True, False):
        slug = "named" if named else "anonymous"
        survey, _ = await open_survey(services, sample(slug=slug, anonymous=not named))

        async def answer(n: int, survey_id: int = survey.id or 0) -> None:
            async with services.sessions() as session:
                await surveys.submit(
                    session,
                    survey_id,
                    key(people[n]),
                    {"aware": "no", "comments": f"person {n}"},
                    now=services.clock.now(),
                )

        await asyncio.gather(*(answer(n) for n in range(len(people))))
        async with services.sessions() as session:
            statement = select(SurveyResponse).where(
                col(SurveyResponse.survey_id) == survey.id
            )
            kept = (await session.exec(statement)).all()
        assert sorted(r.answers["comments"] for r in kept) == [
            f"person {n}" for n in range(len(people))
        ]
        assert all((r.respondent is not None) == named for r in kept)
