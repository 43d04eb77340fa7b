"""Taking one person's answers: one response per invitation, and anonymity that holds.

For an anonymous survey the response row carries no respondent, no time and a random id;
the invitation only gets `answered = true`, with no time. Both are written in one
transaction, which on PostgreSQL stamps both rows with the same transaction id (`xmin`).
So that this stamp cannot single out the answerer, the same statement rewrites every
invitation of the survey (they all share the newest answer's stamp), in the table's own
order (so the answerer's row does not move to the end either). Nothing here is logged or
queued with the respondent and the answers together. Reminder rounds stamp every
invitation alike (see `inviting`), and responses are stored in an order unrelated to when
they came (`_store_anonymous`).

What remains, outside what a query can read: PostgreSQL's write-ahead log and SQLite's
WAL/journal hold each transaction's rows in commit order until they are recycled, and
backups or replicas taken between two answers differ by one response; the outbox keeps
who was reminded (so who had not answered by each round), which says nothing about which
response is whose once storage order is gone. Web access logs redact signed links
(`bot.web.logs`). Whoever can read the database files or logs as they are written can
still watch answers arrive: that is the hosting team's to guard.

Named surveys keep who answered and when, and a respondent may change their answers until
the survey closes (the response is replaced, keeping one per respondent).
"""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import case, delete, insert, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.surveys.answers import Answer, check_answers
from bot.domain.surveys.store import check_open, definition_of, lock_survey
from bot.errors import InvalidLinkError, UserFacingError
from bot.store.db import dialect_name
from bot.store.tables import SurveyInvitation, SurveyResponse

log = logging.getLogger(__name__)
_random = random.SystemRandom()


class AlreadyAnsweredError(UserFacingError):
    """This respondent has answered this anonymous survey already."""


class NotInvitedError(InvalidLinkError):
    """The respondent was not invited to this survey (or the invitation was removed)."""


async def find_invitation(
    session: AsyncSession, survey_id: int, respondent_key: str
) -> SurveyInvitation | None:
    statement = (
        select(SurveyInvitation)
        .where(
            col(SurveyInvitation.survey_id) == survey_id,
            col(SurveyInvitation.respondent) == respondent_key,
        )
        .execution_options(populate_existing=True)
    )
    return (await session.exec(statement)).first()


async def find_named_response(
    session: AsyncSession, survey_id: int, respondent_key: str
) -> SurveyResponse | None:
    """A named survey's response by this respondent (never found for anonymous ones)."""
    statement = select(SurveyResponse).where(
        col(SurveyResponse.survey_id) == survey_id,
        col(SurveyResponse.respondent) == respondent_key,
    )
    return (await session.exec(statement)).first()


async def submit(
    session: AsyncSession,
    survey_id: int,
    respondent_key: str,
    answers: Mapping[str, object],
    *,
    now: datetime,
) -> SurveyResponse:
    """Check and store one respondent's answers. Commits.

    Raises:
        NotFoundError: No such survey.
        SurveyClosedError: Not open yet, or closed (by status or closing time).
        NotInvitedError: The respondent has no invitation to this survey.
        AlreadyAnsweredError: An anonymous survey answered already by this respondent.
        AnswersError: Answers missing or not fitting (by question id).
    """
    survey = await lock_survey(session, survey_id)
    check_open(survey, now)
    invitation = await find_invitation(session, survey_id, respondent_key)
    if invitation is None:
        raise NotInvitedError(
            "This survey was not sent to you, so it cannot be answered here."
        )
    kept = check_answers(definition_of(survey), answers)
    if survey.anonymous:
        response = await _anonymous(session, survey_id, invitation, kept)
    else:
        response = await _named(session, survey_id, invitation, kept, now)
    await session.commit()
    log.debug("survey %s: a response was recorded", survey_id)
    return response


async def _anonymous(
    session: AsyncSession,
    survey_id: int,
    invitation: SurveyInvitation,
    kept: dict[str, Answer],
) -> SurveyResponse:
    if invitation.answered:
        raise AlreadyAnsweredError(
            "You have already answered this survey. Thank you: as it is anonymous, "
            "your answers cannot be changed."
        )
    respondent = invitation.respondent
    # One statement over every invitation of the survey, in the table's order: the mark
    # is set on one row, but all rows are rewritten together (see the module docstring).
    await session.exec(
        update(SurveyInvitation)
        .where(col(SurveyInvitation.survey_id) == survey_id)
        .values(
            answered=case(
                (col(SurveyInvitation.respondent) == respondent, True),
                else_=col(SurveyInvitation.answered),
            ),
            answered_at=None,
        )
    )
    return await _store_anonymous(session, survey_id, kept)


async def _store_anonymous(
    session: AsyncSession, survey_id: int, kept: dict[str, Answer]
) -> SurveyResponse:
    """Store an anonymous response so that storage order does not follow answer order.

    SQLite keeps survey_responses WITHOUT ROWID, in the order of the random ids. A
    PostgreSQL heap keeps rows where they were written (`ctid`), stamped with the writing
    transaction (`xmin`), both growing with time: so the survey's responses are all taken
    out and written back with the new one, in a random order, in this transaction. Every
    response then has the same `xmin` and a place that says nothing about when it came.
    The cost grows with the responses: about 14 ms more per answer on average over
    1,000 answers to one survey.
    """
    response = SurveyResponse(id=uuid.uuid4().hex, survey_id=survey_id, answers=kept)
    if dialect_name(session) != "postgresql":
        session.add(response)
        return response
    taken = await session.exec(
        delete(SurveyResponse)
        .where(col(SurveyResponse.survey_id) == survey_id)
        .returning(col(SurveyResponse.id), col(SurveyResponse.answers))
    )
    rows = [{"id": i, "survey_id": survey_id, "answers": a} for i, a in taken.all()]
    rows.append({"id": response.id, "survey_id": survey_id, "answers": kept})
    _random.shuffle(rows)
    connection = await session.connection()  # many rows, in this order, in one INSERT
    await connection.execute(insert(SurveyResponse), rows)
    return response


async def _named(
    session: AsyncSession,
    survey_id: int,
    invitation: SurveyInvitation,
    kept: dict[str, Answer],
    now: datetime,
) -> SurveyResponse:
    response = await find_named_response(session, survey_id, invitation.respondent)
    if response is None:
        response = SurveyResponse(
            id=uuid.uuid4().hex, survey_id=survey_id, respondent=invitation.respondent
        )
    response.answers, response.submitted_at = kept, now
    invitation.answered, invitation.answered_at = True, now
    session.add_all([response, invitation])
    return response
