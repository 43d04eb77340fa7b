"""Surveys in the domain, on SQLite and PostgreSQL: importing, inviting, answering once,
conditions, closing and reminders."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlmodel import col, select

from bot.domain import surveys
from bot.errors import InvalidInputError
from bot.runtime import Services
from bot.store.tables import Member, Survey, SurveyInvitation, SurveyResponse
from tests.conftest import StepClock
from tests.domain.mailbox import outbox_rows, plain_text
from tests.polls.conftest import add_member
from tests.surveys.conftest import SAMPLE, key, members, open_survey, sample, save


async def answer(
    services: Services, survey: Survey, member: Member, **answers: object
) -> SurveyResponse:
    async with services.sessions() as session:
        return await surveys.submit(
            session, survey.id or 0, key(member), answers, now=services.clock.now()
        )


async def responses(services: Services, survey: Survey) -> list[SurveyResponse]:
    async with services.sessions() as session:
        statement = select(SurveyResponse).where(
            col(SurveyResponse.survey_id) == survey.id
        )
        return list((await session.exec(statement)).all())


async def invitations(services: Services, survey: Survey) -> list[SurveyInvitation]:
    async with services.sessions() as session:
        statement = (
            select(SurveyInvitation)
            .where(col(SurveyInvitation.survey_id) == survey.id)
            .order_by(col(SurveyInvitation.id))
        )
        return list((await session.exec(statement)).all())


def test_a_yaml_mistake_names_the_file_and_the_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    text = SAMPLE.read_text().replace("type: likert", "type: likert\n    colour: red")
    bad.write_text(text)
    with pytest.raises(InvalidInputError) as caught:
        surveys.read_definition(bad)
    message = str(caught.value)
    assert str(bad) in message
    assert "questions[5] (confidence).colour: is not a setting a survey has" in message


def test_a_condition_on_a_later_question_is_refused_in_plain_english() -> None:
    text = "slug: x\ntitle: X\nquestions:\n  - {id: a, type: yes_no, text: A, show_if: {question: b, equals: 'yes'}}\n  - {id: b, type: yes_no, text: B}\n"
    with pytest.raises(
        InvalidInputError, match="depends on 'b', which must come before it"
    ):
        surveys.parse_definition(text, "upload")
    with pytest.raises(InvalidInputError, match="not valid YAML near line 2"):
        surveys.parse_definition("slug: x\n  title: : [", "upload")


async def test_opening_invites_by_email_or_slack_once(services: Services) -> None:
    people = await members(services, 2)
    slack = await add_member(
        services, "slacker@example.org", "Sam Slack", channels=("slack",)
    )
    async with services.sessions() as session:
        found = await session.get(Member, slack.id)
        assert found is not None
        found.slack_user_id = "U0SAM"
        await session.commit()
    _, invited = await open_survey(services)
    assert invited == 3
    rows = [
        r
        for r in await outbox_rows(services)
        if r.idempotency_key.startswith("survey:")
    ]
    assert sorted(r.channel for r in rows) == ["email", "email", "slack"]
    mail = next(r for r in rows if r.recipient == people[0].email)
    assert f"{services.links.base_url}/surveys/" in plain_text(mail.payload)
    dm = next(r for r in rows if r.channel == "slack")
    assert b'"action_id": "survey_open"' in dm.payload and dm.recipient == "U0SAM"
    _, again = await open_survey(services)
    assert again == 0
    assert (
        len(
            [
                r
                for r in await outbox_rows(services)
                if r.idempotency_key.startswith("survey:")
            ]
        )
        == 3
    )


async def test_the_audience_can_be_a_topic_or_an_organisation(
    services: Services,
) -> None:
    await add_member(services, "a@example.org", "A", topics=("Neglect",))
    await add_member(services, "b@example.org", "B", topics=("Exploitation",))
    audience = {"topics": ["Neglect"]}
    survey, invited = await open_survey(services, sample(audience=audience))
    assert invited == 1
    assert [i.respondent for i in await invitations(services, survey)] == ["member:1"]


async def test_questions_not_shown_are_dropped_and_required_ones_checked(
    services: Services,
) -> None:
    person, other = await members(services, 2)
    survey, _ = await open_survey(services)
    with pytest.raises(surveys.AnswersError) as caught:
        await answer(services, survey, person, aware="yes", confidence="9")
    assert caught.value.errors == {
        "used": "Please answer this question.",
        "confidence": "Choose a point from 1 to 5.",
    }
    assert await responses(services, survey) == []
    kept = await answer(
        services,
        survey,
        other,
        aware="no",
        used="yes",
        resolved="yes",
        confidence="4",
        promotion=["Training", "My manager"],
    )
    assert kept.answers == {
        "aware": "no",
        "confidence": 4,
        "promotion": ["My manager", "Training"],
    }


async def test_an_anonymous_survey_takes_one_response(services: Services) -> None:
    (person,) = await members(services, 1)
    survey, _ = await open_survey(services)
    await answer(services, survey, person, aware="no")
    with pytest.raises(surveys.AlreadyAnsweredError):
        await answer(services, survey, person, aware="yes", used="no")
    assert [r.answers for r in await responses(services, survey)] == [{"aware": "no"}]


async def test_at_once_the_same_respondent_still_makes_one_response(
    services: Services,
) -> None:
    (person,) = await members(services, 1)
    survey, _ = await open_survey(services)
    results = await asyncio.gather(
        *(answer(services, survey, person, aware="no") for _ in range(4)),
        return_exceptions=True,
    )
    assert sum(isinstance(r, SurveyResponse) for r in results) == 1
    assert all(
        isinstance(r, SurveyResponse | surveys.AlreadyAnsweredError) for r in results
    )
    assert len(await responses(services, survey)) == 1


async def test_a_named_survey_keeps_one_changeable_response(
    services: Services, clock: StepClock
) -> None:
    (person,) = await members(services, 1)
    survey, _ = await open_survey(services, sample(anonymous=False))
    await answer(services, survey, person, aware="no")
    clock.advance(hours=1)
    await answer(services, survey, person, aware="yes", used="no")
    (kept,) = await responses(services, survey)
    assert (kept.respondent, kept.answers) == (
        key(person),
        {"aware": "yes", "used": "no"},
    )
    assert kept.submitted_at == clock.now()
    (invitation,) = await invitations(services, survey)
    assert invitation.answered and invitation.answered_at == clock.now()


async def test_answers_are_refused_before_opening_after_closing_and_uninvited(
    services: Services, clock: StepClock
) -> None:
    person, stranger = await members(services, 2, topics=("Neglect",))
    draft = await save(services, sample(slug="later"))
    with pytest.raises(surveys.SurveyClosedError, match="not open yet"):
        await answer(services, draft, person, aware="no")
    closes = clock.now().replace(tzinfo=None) + __import__("datetime").timedelta(days=2)
    survey, _ = await open_survey(
        services, sample(closes=closes, audience={"organisations": ["Nowhere"]})
    )
    with pytest.raises(surveys.NotInvitedError):
        await answer(services, survey, stranger, aware="no")
    async with services.sessions() as session:
        await surveys.invite(
            session,
            survey.id or 0,
            [surveys.from_member(person)],
            post=services.mailroom,
            now=clock.now(),
        )
        await session.commit()
    clock.advance(days=3)  # past the closing time, though the closing job has not run
    with pytest.raises(surveys.SurveyClosedError, match="has closed"):
        await answer(services, survey, person, aware="no")


async def test_questions_cannot_change_once_answered(services: Services) -> None:
    (person,) = await members(services, 1)
    survey, _ = await open_survey(services)
    retitled = sample(title="REP survey 2026", reminders=[3, 10])
    assert (await save(services, retitled)).title == "REP survey 2026"
    await answer(services, survey, person, aware="no")
    fewer = sample(questions=sample().model_dump()["questions"][:3])
    with pytest.raises(InvalidInputError, match="already has answers"):
        await save(services, fewer)
    with pytest.raises(InvalidInputError, match="sent out as anonymous"):
        await save(services, sample(anonymous=False))


async def test_reminders_go_once_each_day_to_those_who_have_not_answered(
    services: Services, clock: StepClock
) -> None:
    done, waiting = await members(services, 2)
    survey, _ = await open_survey(services, sample(reminders=[2, 5]))
    await answer(services, survey, done, aware="no")

    async def remind() -> int:
        async with services.sessions() as session:
            return await surveys.send_reminders(
                session, post=services.mailroom, now=clock.now()
            )

    assert await remind() == 0
    clock.advance(days=2)
    assert (await remind(), await remind()) == (1, 0)
    clock.advance(days=3)
    assert await remind() == 1
    keys = [
        r.idempotency_key
        for r in await outbox_rows(services)
        if ":remind:" in r.idempotency_key
    ]
    assert keys == [
        f"survey:{survey.id}:remind:2:{key(waiting)}",
        f"survey:{survey.id}:remind:5:{key(waiting)}",
    ]
