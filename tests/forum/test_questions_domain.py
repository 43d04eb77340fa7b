"""Questions in advance, in the domain: asking, the personal data guard, votes, ranking, erasure.

Every test runs on SQLite and on PostgreSQL (the `services` fixture).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlmodel import col, select

from bot.domain.forum import questions
from bot.domain.knowledge.redaction import REMINDER
from bot.domain.privacy import erase_member, export_member_data
from bot.errors import InvalidInputError, NotFoundError, UserFacingError
from bot.runtime import Services
from bot.store.tables import ForumSession, Member, SessionQuestion, SessionQuestionVote
from tests.conftest import StepClock
from tests.forum.question_rows import forum_session, member


async def _ask(
    services: Services,
    row: ForumSession,
    who: Member | None,
    text: str,
    *,
    channel: str = "web",
) -> questions.Asked:
    async with services.sessions() as session:
        asked = await questions.ask(
            session, row.id or 0, who, text, channel=channel, now=services.clock.now()
        )
        await session.commit()
        return asked


async def _stored(services: Services) -> list[SessionQuestion]:
    async with services.sessions() as session:
        rows = await session.exec(
            select(SessionQuestion).order_by(col(SessionQuestion.id))
        )
        return list(rows.all())


async def _upvote(services: Services, question_id: int, who: Member) -> int:
    async with services.sessions() as session:
        count = await questions.upvote(
            session, question_id, who, now=services.clock.now()
        )
        await session.commit()
        return count


@pytest.fixture
async def setting(
    services: Services, clock: StepClock
) -> tuple[ForumSession, Member, Member]:
    row = await forum_session(services, clock.now() + timedelta(days=10))
    kim = await member(services, "kim@northshire.example.org", "Kim Lee")
    sam = await member(services, "sam@northshire.example.org", "Sam Okafor")
    return row, kim, sam


async def test_a_question_is_kept_as_typed_and_an_anonymous_one_without_its_asker(
    services: Services, setting: tuple[ForumSession, Member, Member]
) -> None:
    row, kim, _sam = setting
    named = await _ask(services, row, kim, "  How do we <b>escalate</b> & when?\n\n")
    anonymous = await _ask(services, row, None, "Who chairs the strategy meeting?")
    assert named.reminder is None and anonymous.reminder is None
    first, second = await _stored(services)
    assert (first.text, first.member_id, first.channel) == (
        "How do we <b>escalate</b> & when?",
        kim.id,
        "web",
    )
    assert second.member_id is None and second.status == "open"


async def test_a_question_naming_a_child_is_stored_redacted_with_a_reminder(
    services: Services, setting: tuple[ForumSession, Member, Member]
) -> None:
    row, kim, _sam = setting
    asked = await _ask(
        services, row, kim, "What should I do about Jack, 7, who lives at 12 Elm Road?"
    )
    assert asked.reminder == REMINDER
    (stored,) = await _stored(services)
    assert "Jack" not in stored.text and "Elm Road" not in stored.text
    assert "[name and age]" in stored.text and "[address]" in stored.text


@pytest.mark.parametrize(
    ("text", "message"),
    [("   ", "Write your question."), ("x" * 1001, "1001 characters long")],
)
async def test_an_empty_or_overlong_question_is_refused_plainly(
    services: Services,
    setting: tuple[ForumSession, Member, Member],
    text: str,
    message: str,
) -> None:
    row, kim, _sam = setting
    with pytest.raises(InvalidInputError, match=message):
        await _ask(services, row, kim, text)
    assert await _stored(services) == []
    assert (await _ask(services, row, kim, "y" * 1000)).question.text == "y" * 1000


async def test_questions_close_when_the_session_starts_or_is_cancelled(
    services: Services, clock: StepClock, setting: tuple[ForumSession, Member, Member]
) -> None:
    row, kim, _sam = setting
    cancelled = await forum_session(
        services, clock.now() + timedelta(days=3), status="cancelled"
    )
    with pytest.raises(UserFacingError, match="is cancelled"):
        await _ask(services, cancelled, kim, "Anyone there?")
    clock.advance(days=10)
    with pytest.raises(UserFacingError, match="has started"):
        await _ask(services, row, kim, "Too late?")
    with pytest.raises(NotFoundError):
        async with services.sessions() as session:
            await questions.ask(
                session, 999, kim, "Where?", channel="web", now=clock.now()
            )


async def test_twenty_simultaneous_upvotes_from_one_member_count_once(
    services: Services, setting: tuple[ForumSession, Member, Member]
) -> None:
    row, kim, sam = setting
    question = (
        await _ask(services, row, kim, "Can we see the audit results?")
    ).question
    counts = await asyncio.gather(
        *(_upvote(services, question.id or 0, sam) for _ in range(20))
    )
    assert set(counts) == {1}
    async with services.sessions() as session:
        votes = (await session.exec(select(SessionQuestionVote))).all()
    assert [(v.question_id, v.member_id) for v in votes] == [(question.id, sam.id)]


async def test_nobody_upvotes_their_own_question_or_a_hidden_one(
    services: Services, setting: tuple[ForumSession, Member, Member]
) -> None:
    row, kim, sam = setting
    question = (
        await _ask(services, row, kim, "Is there funding for training?")
    ).question
    with pytest.raises(UserFacingError, match="your own question"):
        await _upvote(services, question.id or 0, kim)
    async with services.sessions() as session:
        await questions.set_status(session, question.id or 0, "hidden")
        await session.commit()
    with pytest.raises(UserFacingError, match="withdrawn"):
        await _upvote(services, question.id or 0, sam)


async def test_the_ranking_is_by_votes_then_oldest_first_and_hides_hidden_ones(
    services: Services, clock: StepClock, setting: tuple[ForumSession, Member, Member]
) -> None:
    row, kim, sam = setting
    lee = await member(services, "lee@northshire.example.org", "Lee Park")
    ids = []
    for text in ("First", "Second", "Third", "Fourth"):
        ids.append((await _ask(services, row, None, text)).question.id or 0)
        clock.advance(minutes=1)
    for voter in (kim, sam, lee):
        await _upvote(services, ids[2], voter)
    await _upvote(services, ids[1], kim)
    await _upvote(services, ids[3], sam)
    async with services.sessions() as session:
        await questions.set_status(session, ids[0], "answered")
        ranked = await questions.ranked(session, row.id or 0)
        assert [(q.text, q.votes) for q in ranked] == [
            ("Third", 3),
            ("Second", 1),
            ("Fourth", 1),
            ("First", 0),
        ]
        assert ranked[-1].status == "answered" and ranked[0].asker is None
        await questions.set_status(session, ids[1], "hidden")
        assert [q.text for q in await questions.ranked(session, row.id or 0)] == [
            "Third",
            "Fourth",
            "First",
        ]
        everything = await questions.ranked(session, row.id or 0, include_hidden=True)
        assert len(everything) == 4
        with pytest.raises(InvalidInputError, match="Unknown status"):
            await questions.set_status(session, ids[1], "deleted")


async def test_erasure_removes_named_questions_and_votes_and_keeps_anonymous_ones(
    services: Services, clock: StepClock, setting: tuple[ForumSession, Member, Member]
) -> None:
    row, kim, sam = setting
    named = (await _ask(services, row, kim, "Named by Kim")).question
    await _ask(services, row, None, "Anonymous from Kim")
    other = (await _ask(services, row, sam, "Sam's question")).question
    await _upvote(services, other.id or 0, kim)
    await _upvote(services, named.id or 0, sam)
    async with services.sessions() as session:
        exported = await export_member_data(session, "kim@northshire.example.org")
    assert [q["question"] for q in exported["forum_questions"]] == ["Named by Kim"]
    async with services.sessions() as session:
        erased = await erase_member(
            session, "kim@northshire.example.org", now=clock.now()
        )
    assert erased.extra["forum_questions"] == 1
    assert [q.text for q in await _stored(services)] == [
        "Anonymous from Kim",
        "Sam's question",
    ]
    async with services.sessions() as session:
        assert await questions.vote_count(session, other.id or 0) == 0
