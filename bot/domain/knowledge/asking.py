"""Asking, feedback, and the report of questions the bot could not answer well."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.knowledge.answers import HANDOFF, Answer, Wording, answer_question
from bot.domain.knowledge.store import KnowledgeBase
from bot.errors import NotFoundError
from bot.store.tables import Question


@dataclass(frozen=True)
class Asked:
    answer: Answer
    question_id: int


async def ask(
    session: AsyncSession,
    knowledge: KnowledgeBase,
    question: str,
    *,
    wording: Wording,
    channel: str,
    now: datetime,
) -> Asked:
    """Answer a question and log it, redacted, for feedback and the team's report. Commits."""
    index = await knowledge.index(session)
    answer = answer_question(index, question, wording)
    top = answer.sources[0].score if answer.sources else 0.0
    logged = Question(
        channel=channel,
        text=answer.redacted.text[:4000],
        kind=answer.kind,
        top_score=top,
        created_at=now,
    )
    session.add(logged)
    await session.commit()
    assert logged.id is not None
    return Asked(answer, logged.id)


async def record_feedback(
    session: AsyncSession, question_id: int, *, helpful: bool
) -> None:
    """Helpful or not helpful, for one answer; the last word counts. Commits.

    Raises:
        NotFoundError: No such question.
    """
    question = await session.get(Question, question_id)
    if question is None:
        raise NotFoundError("That question is not known (it may have been removed).")
    question.helpful = helpful
    await session.commit()


async def report(
    session: AsyncSession, *, since: datetime
) -> dict[str, list[Question]]:
    """Questions since a date that went to the team (handoff) or were marked not helpful."""
    recent = (
        select(Question)
        .where(col(Question.created_at) >= since)
        .order_by(col(Question.created_at).desc())
    )
    rows = (await session.exec(recent)).all()
    return {
        "unanswered": [q for q in rows if q.kind == HANDOFF],
        "unhelpful": [q for q in rows if q.helpful is False],
    }
