"""A member's survey data in a subject access request, and what erasure leaves."""

from __future__ import annotations

from sqlmodel import select

from bot.domain import surveys
from bot.domain.privacy import erase_member, export_member_data
from bot.runtime import Services
from bot.store.tables import SurveyInvitation, SurveyResponse
from tests.surveys.conftest import key, members, open_survey, sample


async def test_named_answers_are_exported_then_unlinked_on_erasure(
    services: Services,
) -> None:
    kim, sam = await members(services, 2)
    named, _ = await open_survey(services, sample(slug="named", anonymous=False))
    anonymous, _ = await open_survey(services)
    now = services.clock.now()
    async with services.sessions() as session:
        for survey in (named, anonymous):
            for person in (kim, sam):
                answers = {"aware": "no", "comments": f"from {person.name}"}
                await surveys.submit(
                    session, survey.id or 0, key(person), answers, now=now
                )
        exported = await export_member_data(session, kim.email or "")
    by_title = {(s["survey"], s["anonymous"]): s for s in exported["surveys"]}
    assert by_title[(named.title, False)]["answers"] == {
        "aware": "no",
        "comments": "from Person 0",
    }
    assert by_title[(anonymous.title, True)] == {
        "survey": anonymous.title,
        "anonymous": True,
        "invited_at": now.isoformat(),
        "answered": True,
        "answers": None,  # nothing links an anonymous answer to anyone
        "answered_at": None,
    }

    async with services.sessions() as session:
        erased = await erase_member(session, kim.email or "", now=now)
    assert erased.extra["survey_links"] == 3  # one response, two invitations
    async with services.sessions() as session:
        responses = (await session.exec(select(SurveyResponse))).all()
        keys = [
            i.respondent for i in (await session.exec(select(SurveyInvitation))).all()
        ]
    named_rows = sorted(
        ((r.respondent, r.answers) for r in responses if r.survey_id == named.id),
        key=lambda row: row[0] or "",
    )
    assert named_rows == [
        (
            None,
            {"aware": "no"},
        ),  # Kim's: unlinked, their words gone, the choice counted
        (key(sam), {"aware": "no", "comments": "from Person 1"}),
    ]
    assert key(kim) not in keys and sum(k.startswith("erased:") for k in keys) == 2
    assert len([r for r in responses if r.survey_id == anonymous.id]) == 2  # untouched
