"""Questions in advance for a session's open Q&A: asked from any channel, upvoted, ranked.

A question is kept as typed (each channel escapes it on output), except that the personal
data guard takes out anything that could identify a child, as it does for knowledge-base
questions. An anonymous question is stored without its asker (`member_id` NULL), so nobody,
the chair included, can tell who asked. Votes are one per member by primary key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, delete, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain import members as m
from bot.domain.forum.notices import member_from_item
from bot.domain.forum.sessions import SCHEDULED, get_session
from bot.domain.knowledge.redaction import REMINDER, redact
from bot.domain.links import Links
from bot.errors import (
    InvalidInputError,
    NotFoundError,
    UserFacingError,
)
from bot.store.db import dialect_name
from bot.store.tables import ForumSession, Member, SessionQuestion, SessionQuestionVote

MAX_LENGTH = 1000
OPEN, ANSWERED, HIDDEN = "open", "answered", "hidden"
STATUSES = (OPEN, ANSWERED, HIDDEN)


@dataclass(frozen=True)
class Asked:
    """A stored question, and the information-sharing reminder when the guard took details out."""

    question: SessionQuestion
    reminder: str | None


@dataclass(frozen=True)
class Ranked:
    """One question as the chair (or, without `asker`, a member) sees it in the ranking."""

    id: int
    text: str
    votes: int
    status: str
    channel: str
    created_at: datetime
    asker: str | None  # the member's name; None when anonymous

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "text": self.text,
            "votes": self.votes,
            "status": self.status,
            "channel": self.channel,
            "asked_at": self.created_at.isoformat(),
            "asker": self.asker,
        }


def clean_text(text: str) -> str:
    """The question trimmed; refused when empty or too long, with what to do about it."""
    cleaned = text.strip()
    if not cleaned:
        raise InvalidInputError("Write your question.", field="text")
    if len(cleaned) > MAX_LENGTH:
        raise InvalidInputError(
            f"Your question is {len(cleaned)} characters long; please keep it under "
            f"{MAX_LENGTH}.",
            field="text",
        )
    return cleaned


def check_open(forum_session: ForumSession, now: datetime) -> None:
    """Questions are taken for scheduled sessions until they start."""
    if forum_session.status != SCHEDULED:
        raise UserFacingError(
            f"{forum_session.title!r} is {forum_session.status}, so it takes no questions."
        )
    if forum_session.starts_at <= now:
        raise UserFacingError(
            f"{forum_session.title!r} has started, so it takes no more questions."
        )


async def ask(
    session: AsyncSession,
    forum_session_id: int,
    member: Member | None,
    text: str,
    *,
    channel: str,
    now: datetime,
) -> Asked:
    """Store a question for a session; `member` None asks anonymously. Flushes, no commit.

    Raises:
        InvalidInputError: The text is empty or too long.
        UserFacingError: The session is cancelled, over or started; the member is not active.
        NotFoundError: No such session.
    """
    cleaned = clean_text(text)
    check_open(await get_session(session, forum_session_id), now)
    if member is not None and member.status != m.ACTIVE:
        raise UserFacingError("Only members of the forum can send questions.")
    guarded = redact(cleaned)
    question = SessionQuestion(
        session_id=forum_session_id,
        member_id=member.id if member is not None else None,
        text=guarded.text,
        channel=channel,
        created_at=now,
    )
    session.add(question)
    await session.flush()
    return Asked(question, REMINDER if guarded.identifying else None)


async def next_session(session: AsyncSession, now: datetime) -> ForumSession | None:
    """The soonest scheduled session not yet started: where a question without one goes."""
    upcoming = await upcoming_sessions(session, now)
    return upcoming[0] if upcoming else None


async def upcoming_sessions(session: AsyncSession, now: datetime) -> list[ForumSession]:
    """Scheduled sessions not yet started, soonest first: those taking questions."""
    rows = await session.exec(
        select(ForumSession)
        .where(col(ForumSession.status) == SCHEDULED)
        .where(col(ForumSession.starts_at) > now)
        .order_by(col(ForumSession.starts_at))
    )
    return list(rows.all())


async def member_from_link(session: AsyncSession, links: Links, token: str) -> Member:
    """The active member a signed "forum" link (their own forum page) was made for.

    Raises:
        InvalidLinkError: Altered or expired, or the member was erased or re-joined.
        UserFacingError: The member has left the forum.
    """
    member, _items = await member_from_item(session, links, "forum", token, 0)
    if member.status != m.ACTIVE:
        raise UserFacingError(
            "You have left the forum, so this page takes no questions."
        )
    return member


async def get_question(session: AsyncSession, question_id: int) -> SessionQuestion:
    question = await session.get(SessionQuestion, question_id)
    if question is None:
        raise NotFoundError(f"There is no question {question_id}.")
    return question


async def upvote(
    session: AsyncSession, question_id: int, member: Member, *, now: datetime
) -> int:
    """Count a member's vote once (a repeat changes nothing); returns the question's votes.

    A member cannot vote for their own named question: the ranking is what others want
    answered. Concurrent votes meet the primary key (INSERT ... ON CONFLICT DO NOTHING),
    so a double click counts once. Flushes; the caller commits.

    Raises:
        UserFacingError: Own question, a hidden one, or the session has started.
    """
    question = await get_question(session, question_id)
    check_open(await get_session(session, question.session_id), now)
    if question.status == HIDDEN:
        raise UserFacingError("That question has been withdrawn.")
    if question.member_id is not None and question.member_id == member.id:
        raise UserFacingError("You cannot upvote your own question.")
    insert = (
        postgresql.insert if dialect_name(session) == "postgresql" else sqlite.insert
    )
    await session.exec(
        insert(SessionQuestionVote)
        .values(question_id=question_id, member_id=member.id, created_at=now)
        .on_conflict_do_nothing()
    )
    return await vote_count(session, question_id)


async def vote_count(session: AsyncSession, question_id: int) -> int:
    count = await session.exec(
        select(func.count()).where(col(SessionQuestionVote.question_id) == question_id)
    )
    return int(count.one())


async def ranked(
    session: AsyncSession, forum_session_id: int, *, include_hidden: bool = False
) -> list[Ranked]:
    """A session's questions by votes (most first), then oldest first, with their askers."""
    votes = func.count(col(SessionQuestionVote.member_id))
    statement = (
        select(SessionQuestion, votes, Member.name)
        .outerjoin(
            SessionQuestionVote,
            col(SessionQuestionVote.question_id) == col(SessionQuestion.id),
        )
        .outerjoin(Member, col(Member.id) == col(SessionQuestion.member_id))
        .where(col(SessionQuestion.session_id) == forum_session_id)
        .group_by(col(SessionQuestion.id), col(Member.name))
        .order_by(
            votes.desc(), col(SessionQuestion.created_at), col(SessionQuestion.id)
        )
    )
    if not include_hidden:
        statement = statement.where(col(SessionQuestion.status) != HIDDEN)
    rows = (await session.exec(statement)).all()
    return [
        Ranked(
            q.id or 0,
            q.text,
            int(n),
            q.status,
            q.channel,
            q.created_at,
            (name or "a member") if q.member_id is not None else None,
        )
        for q, n, name in rows
    ]


async def set_status(
    session: AsyncSession, question_id: int, status: str
) -> SessionQuestion:
    """The chair marks a question answered, hides it, or opens it again. Flushes, no commit."""
    if status not in STATUSES:
        raise InvalidInputError(
            f"Unknown status {status!r}: choose one of {', '.join(STATUSES)}.",
            field="status",
        )
    question = await get_question(session, question_id)
    question.status = status
    await session.flush()
    return question


async def member_questions(
    session: AsyncSession, member_id: int
) -> list[dict[str, object]]:
    """A member's named questions, for their data export (anonymous ones are nobody's)."""
    rows = await session.exec(
        select(SessionQuestion, ForumSession.title)
        .join(ForumSession, col(ForumSession.id) == col(SessionQuestion.session_id))
        .where(col(SessionQuestion.member_id) == member_id)
        .order_by(col(SessionQuestion.created_at))
    )
    return [
        {
            "session": title,
            "question": q.text,
            "status": q.status,
            "channel": q.channel,
            "at": q.created_at.isoformat(),
        }
        for q, title in rows.all()
    ]


async def erase_member_questions(session: AsyncSession, member_id: int) -> int:
    """Delete a member's named questions (their words may identify them) and their votes.

    Anonymous questions stay: nothing links them to anyone. Returns how many questions went.
    """
    await session.exec(
        delete(SessionQuestionVote).where(
            col(SessionQuestionVote.member_id) == member_id
        )
    )
    result = await session.exec(
        delete(SessionQuestion).where(col(SessionQuestion.member_id) == member_id)
    )
    return int(result.rowcount)
