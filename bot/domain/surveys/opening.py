"""Opening a survey: its audience is invited when it opens, at once or, for a survey whose
opening time is still to come, by the hourly job once that time has come.

Evaluations are not opened here: the training module invites each event's delegates.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import exists
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.membership import Mailroom
from bot.domain.surveys.audience import audience_respondents
from bot.domain.surveys.definition import Audience
from bot.domain.surveys.inviting import invite
from bot.domain.surveys.store import EVALUATION, OPEN, get_survey, set_status
from bot.errors import InvalidInputError
from bot.store.tables import Survey, SurveyInvitation


async def _invite_audience(
    session: AsyncSession,
    survey: Survey,
    *,
    post: Mailroom,
    zone: ZoneInfo | None,
    now: datetime,
) -> int:
    audience = Audience.model_validate(survey.audience or {})
    respondents = await audience_respondents(session, audience)
    return await invite(
        session, survey.id or 0, respondents, post=post, zone=zone, now=now
    )


async def open_survey(
    session: AsyncSession,
    survey_id: int,
    *,
    post: Mailroom,
    zone: ZoneInfo | None = None,
    now: datetime,
) -> tuple[Survey, int]:
    """Open a survey and invite its audience (opening again asks only newcomers); if its
    opening time is still to come, the invitations wait for it (`invite_opened`). The
    caller commits.

    Returns:
        The survey and how many invitations are new.

    Raises:
        SurveyNotFoundError, InvalidInputError: As `set_status`; also for a course
            evaluation, which invites its delegates through the training job.
    """
    if (await get_survey(session, survey_id)).kind == EVALUATION:
        raise InvalidInputError(
            f"Survey {survey_id} is a course evaluation: it is not opened to an "
            "audience. It is sent to each event's delegates automatically after the "
            "event (`forumbot training`), so there is nothing to open by hand."
        )
    survey = await set_status(session, survey_id, OPEN, now=now)
    if survey.opens_at is not None and now < survey.opens_at:
        return survey, 0
    return survey, await _invite_audience(
        session, survey, post=post, zone=zone, now=now
    )


async def invite_opened(
    session: AsyncSession,
    *,
    post: Mailroom,
    zone: ZoneInfo | None = None,
    now: datetime,
) -> int:
    """Invite the audiences of open surveys whose opening time has come and who have asked
    nobody yet (opened ahead of time). Commits.

    Returns:
        How many invitations are new.
    """
    asked = exists().where(col(SurveyInvitation.survey_id) == col(Survey.id))
    statement = select(Survey).where(
        col(Survey.status) == OPEN,
        col(Survey.kind) == "survey",
        col(Survey.opens_at) <= now,
        ~asked,
    )
    invited = 0
    for survey in (await session.exec(statement)).all():
        invited += await _invite_audience(
            session, survey, post=post, zone=zone, now=now
        )
    await session.commit()
    return invited
