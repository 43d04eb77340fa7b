"""The digest's training and open-survey sections, and the survey links in each copy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import col, select

from bot.domain import surveys as sv
from bot.runtime import Services
from bot.store.tables import (
    Course,
    OutboxMessage,
    Survey,
    SurveyInvitation,
    TrainingEvent,
)
from tests.domain.mailbox import html_text, link, plain_text, token
from tests.newsletters.kit import add_members, new_issue, send

BST_START = datetime(2026, 4, 2, 8, 30, tzinfo=UTC)  # 09:30 in London (BST)


async def _training(services: Services) -> None:
    async with services.sessions() as session:
        course = Course(title="Neglect: the graded care profile")
        session.add(course)
        await session.flush()
        cid = course.id or 0
        session.add_all(
            [
                TrainingEvent(
                    course_id=cid,
                    ref="E1",
                    starts_at=BST_START,
                    ends_at=BST_START + timedelta(hours=3),
                    places=24,
                    location="Town Hall",
                ),
                TrainingEvent(  # already held
                    course_id=cid,
                    ref="E0",
                    starts_at=BST_START - timedelta(days=60),
                    ends_at=BST_START - timedelta(days=60, hours=-3),
                    places=10,
                ),
                TrainingEvent(  # called off
                    course_id=cid,
                    ref="E2",
                    starts_at=BST_START + timedelta(days=7),
                    ends_at=BST_START + timedelta(days=7, hours=3),
                    status="cancelled",
                ),
            ]
        )
        await session.commit()


async def _survey(
    services: Services,
    slug: str,
    invited: list[int],
    *,
    status: str = "open",
    kind: str = "survey",
) -> Survey:
    now = services.clock.now()
    row = Survey(
        slug=slug,
        title=f"Survey {slug}",
        description="Tell us.",
        status=status,
        kind=kind,
        opens_at=now - timedelta(days=1),
    )
    async with services.sessions() as session:
        session.add(row)
        await session.flush()
        session.add_all(
            SurveyInvitation(
                survey_id=row.id or 0, respondent=f"member:{n}", invited_at=now
            )
            for n in invited
        )
        await session.commit()
        await session.refresh(row)
    return row


async def test_upcoming_training_is_in_the_digest_in_local_time(
    services: Services,
) -> None:
    issue = await new_issue(services)
    await _training(services)
    await add_members(services, 1)
    await send(services, issue.id or 0)
    async with services.sessions() as session:
        row = (await session.exec(select(OutboxMessage))).one()
    text = plain_text(row.payload)
    assert "UPCOMING TRAINING" in text
    assert "Neglect: the graded care profile" in text
    assert "Thursday 2 April 2026, 09:30 to 12:30" in text  # BST, not UTC
    assert "Town Hall, 24 places" in text
    assert (
        text.count("Neglect: the graded care profile") == 1
    )  # not held, not cancelled


async def test_open_surveys_reach_only_those_invited_each_with_their_own_link(
    services: Services,
) -> None:
    issue = await new_issue(services)
    kim, _sam, ali = await add_members(services, 3)
    asked = await _survey(services, "asked", [kim.id or 0, ali.id or 0])
    await _survey(services, "closed", [kim.id or 0], status="closed")
    await _survey(services, "course", [kim.id or 0], kind="evaluation")
    async with services.sessions() as session:  # Ali has answered already
        mark = (
            await session.exec(
                select(SurveyInvitation).where(
                    col(SurveyInvitation.respondent) == f"member:{ali.id}"
                )
            )
        ).one()
        mark.answered = True
        await session.commit()
    await send(services, issue.id or 0)

    async with services.sessions() as session:
        rows = (
            await session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))
        ).all()
    kims, sams, alis = rows
    text = plain_text(kims.payload)
    assert "Survey asked" in text and "Survey closed" not in text
    assert "Survey course" not in text
    assert "Survey asked" not in plain_text(sams.payload)  # not in its audience
    assert "Survey asked" not in plain_text(alis.payload)  # answered
    url = link(kims.payload, services.links.base_url, "surveys")
    assert url in html_text(kims.payload)
    survey_id, key, print_ = sv.read_survey_link(services.links, token(url))
    assert (survey_id, key) == (asked.id, f"member:{kim.id}")
    assert sv.matches(kim.email, print_)
