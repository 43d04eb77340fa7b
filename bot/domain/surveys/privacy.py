"""A person's part in surveys, for a subject access request and for erasure.

Only what is linked to them can be found: their invitations and their named responses.
Anonymous responses carry no link, so they are neither exported nor erased (nothing can
tell which is theirs; that is the point).

On erasure, named responses are unlinked (no respondent, no time) and lose their free-text
answers, which may describe the person; choices and ratings stay for the counts, as with
forum feedback. Invitations keep their answered mark for the response rate, under a random
key that names nobody.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.surveys.audience import booking_key, member_key
from bot.store.tables import Booking, Survey, SurveyInvitation, SurveyResponse


async def person_keys(
    session: AsyncSession, email: str, member_id: int | None
) -> list[str]:
    """Every respondent key that names the person: as a member, and as a delegate."""
    found = select(Booking.id).where(
        or_(col(Booking.email) == email, col(Booking.member_id) == member_id)
        if member_id is not None
        else col(Booking.email) == email
    )
    keys = [booking_key(b) for b in (await session.exec(found)).all() if b is not None]
    return ([member_key(member_id)] if member_id is not None else []) + keys


def _when(value: Any) -> str | None:
    return value.isoformat() if value else None


async def person_surveys(
    session: AsyncSession, keys: list[str]
) -> list[dict[str, Any]]:
    """Their invitations, with their named answers where there are any."""
    if not keys:
        return []
    rows = await session.exec(
        select(SurveyInvitation, Survey)
        .join(Survey, col(Survey.id) == col(SurveyInvitation.survey_id))
        .where(col(SurveyInvitation.respondent).in_(keys))
        .order_by(col(SurveyInvitation.id))
    )
    found = []
    for invitation, survey in rows.all():
        response = None
        if not survey.anonymous:
            response = (
                await session.exec(
                    select(SurveyResponse).where(
                        col(SurveyResponse.survey_id) == survey.id,
                        col(SurveyResponse.respondent) == invitation.respondent,
                    )
                )
            ).first()
        found.append(
            {
                "survey": survey.title,
                "anonymous": survey.anonymous,
                "invited_at": _when(invitation.invited_at),
                "answered": invitation.answered,
                "answers": dict(response.answers) if response else None,
                "answered_at": _when(response.submitted_at) if response else None,
            }
        )
    return found


def _without_text(survey: Survey, answers: dict[str, Any]) -> dict[str, Any]:
    texts = {
        q["id"]
        for q in survey.definition.get("questions", [])
        if q.get("type") == "text"
    }
    return {k: v for k, v in answers.items() if k not in texts}


async def erase_survey_links(session: AsyncSession, keys: list[str]) -> int:
    """Unlink the person's named responses and invitations (see the module docstring).
    The caller commits.

    Returns:
        How many responses and invitations were changed.
    """
    if not keys:
        return 0
    changed = 0
    responses = await session.exec(
        select(SurveyResponse, Survey)
        .join(Survey, col(Survey.id) == col(SurveyResponse.survey_id))
        .where(col(SurveyResponse.respondent).in_(keys))
    )
    for response, survey in responses.all():
        response.respondent, response.submitted_at = None, None
        response.answers = _without_text(survey, dict(response.answers))
        session.add(response)
        changed += 1
    invitations = await session.exec(
        select(SurveyInvitation).where(col(SurveyInvitation.respondent).in_(keys))
    )
    for invitation in invitations.all():
        invitation.respondent = f"erased:{uuid.uuid4().hex[:16]}"
        invitation.answered_at = None
        invitation.invited_at = invitation.reminded_at = None
        session.add(invitation)
        changed += 1
    return changed
