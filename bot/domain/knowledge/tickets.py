"""Handoff tickets: questions passed to the business support team, and their answers back."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.chat import ChatMessage, queue_chat
from bot.domain.membership import Mailroom
from bot.errors import InvalidInputError, NotFoundError
from bot.store.tables import KbDocument, KbPassage, Question, Ticket

OPEN, ANSWERED = "open", "answered"
ANSWERS_SECTION = "Questions answered by the team"


async def open_ticket(
    session: AsyncSession,
    *,
    question_id: int,
    channel: str,
    reply_to: str | None,
    now: datetime,
) -> Ticket:
    """Pass a logged question to the team. The ticket holds the redacted text only. Commits.

    Raises:
        NotFoundError: No such question.
    """
    question = await session.get(Question, question_id)
    if question is None:
        raise NotFoundError("That question is not known.")
    existing = (
        await session.exec(select(Ticket).where(col(Ticket.question_id) == question_id))
    ).first()
    if existing is not None:  # asking twice (a double click) opens one ticket
        return existing
    ticket = Ticket(
        question_id=question_id,
        channel=channel,
        reply_to=reply_to,
        text=question.text,
        created_at=now,
    )
    session.add(ticket)
    await session.commit()
    return ticket


async def get_ticket(session: AsyncSession, ticket_id: int) -> Ticket:
    """Raises:
    NotFoundError: No such ticket.
    """
    ticket = await session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFoundError(f"There is no ticket {ticket_id}.")
    return ticket


async def list_tickets(
    session: AsyncSession, *, status: str | None = OPEN
) -> list[Ticket]:
    statement = select(Ticket).order_by(col(Ticket.created_at))
    if status:
        statement = statement.where(col(Ticket.status) == status)
    return list((await session.exec(statement)).all())


async def answer_ticket(
    session: AsyncSession,
    room: Mailroom,
    ticket_id: int,
    answer: str,
    *,
    by: str,
    now: datetime,
    save: bool = False,
) -> Ticket:
    """Record the team's answer and send it back on the channel the question came from. Commits.

    With `save`, the question and answer also join the knowledge base, so the next person
    asking gets the answer at once.

    Raises:
        NotFoundError: No such ticket.
        InvalidInputError: The answer is empty.
    """
    if not answer.strip():
        raise InvalidInputError("Write an answer first.", field="answer")
    ticket = await get_ticket(session, ticket_id)
    ticket.answer, ticket.answered_by, ticket.answered_at, ticket.status = (
        answer.strip(),
        by,
        now,
        ANSWERED,
    )
    await _reply(session, room, ticket, now)
    if save:
        await _save_to_knowledge(session, ticket, now)
    await session.commit()
    return ticket


async def _reply(
    session: AsyncSession, room: Mailroom, ticket: Ticket, now: datetime
) -> None:
    if not ticket.reply_to:
        return  # the web asker reads it on their ticket page
    context = {
        "question": ticket.text,
        "answer": ticket.answer or "",
        "ticket_id": ticket.id,
    }
    if ticket.channel == "email":
        await room.send(
            session,
            key=f"ticket:{ticket.id}:answer",
            to=("", ticket.reply_to),
            template="ticket_answer",
            now=now,
            context=context,
        )
    elif ticket.channel == "slack":
        text = (
            f"*Your question:* {ticket.text}\n*Answer from the team:* {ticket.answer}"
        )
        await queue_chat(
            session,
            [
                ChatMessage(
                    key=f"ticket:{ticket.id}:answer", to=ticket.reply_to, text=text
                )
            ],
            now=now,
        )


async def _save_to_knowledge(
    session: AsyncSession, ticket: Ticket, now: datetime
) -> None:
    text = f"Question: {ticket.text}\nAnswer: {ticket.answer}"
    path = f"tickets/{ticket.id}"
    document = (
        await session.exec(select(KbDocument).where(col(KbDocument.path) == path))
    ).first()
    if document is None:
        document = KbDocument(
            path=path, name=f"ticket-{ticket.id}", title="", digest=""
        )
        session.add(document)
    document.title = f"Answered by the team: {ticket.text[:200]}"
    document.digest, document.ingested_at = (
        hashlib.sha256(text.encode()).hexdigest(),
        now,
    )
    await session.flush()
    assert document.id is not None
    await session.exec(
        delete(KbPassage).where(col(KbPassage.document_id) == document.id)
    )
    session.add(
        KbPassage(
            document_id=document.id, section=ANSWERS_SECTION, position=0, text=text
        )
    )
