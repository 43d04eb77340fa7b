"""Keeping surveys: saving a definition as a draft, opening and closing, finding them.

A definition may be edited freely until the first answer arrives; after that its questions
are fixed (answers would no longer fit them), though the dates and reminders may change.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.surveys.definition import Definition
from bot.errors import InvalidInputError, NotFoundError, UserFacingError
from bot.store.tables import Survey, SurveyInvitation, SurveyResponse

DRAFT, OPEN, CLOSED = "draft", "open", "closed"
EVALUATION = "evaluation"
KINDS = ("survey", EVALUATION)


class SurveyNotFoundError(NotFoundError):
    """No survey has that number."""


class SurveyClosedError(UserFacingError):
    """The survey is not taking answers: not open yet, or closed."""


def utc(value: datetime | None, zone: ZoneInfo) -> datetime | None:
    """A definition's date in UTC: naive dates are the partnership's local time."""
    if value is None:
        return None
    aware = value if value.tzinfo else value.replace(tzinfo=zone)
    return aware.astimezone(UTC)


def definition_of(survey: Survey) -> Definition:
    """The stored definition, validated again (it was valid when saved)."""
    return Definition.model_validate(survey.definition)


async def get_survey(session: AsyncSession, survey_id: int) -> Survey:
    """Raises:
    SurveyNotFoundError: No survey has that number.
    """
    survey = await session.get(Survey, survey_id)
    if survey is None:
        raise SurveyNotFoundError(f"There is no survey number {survey_id}.")
    return survey


async def lock_survey(session: AsyncSession, survey_id: int) -> Survey:
    """The survey, locked so that answers and reminder rounds for it run one at a time
    (PostgreSQL; SQLite's BEGIN IMMEDIATE already runs one writer at a time).

    Raises:
        SurveyNotFoundError: No survey has that number.
    """
    statement = (
        select(Survey)
        .where(col(Survey.id) == survey_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    survey = (await session.exec(statement)).first()
    if survey is None:
        raise SurveyNotFoundError(f"There is no survey number {survey_id}.")
    return survey


async def list_surveys(
    session: AsyncSession, *, kind: str | None = None, limit: int = 500
) -> list[Survey]:
    """Newest first."""
    statement = select(Survey).order_by(col(Survey.id).desc()).limit(limit)
    if kind:
        statement = statement.where(col(Survey.kind) == kind)
    return list((await session.exec(statement)).all())


async def response_count(session: AsyncSession, survey_id: int) -> int:
    statement = select(func.count()).where(col(SurveyResponse.survey_id) == survey_id)
    return int((await session.exec(statement)).one())


def _apply(survey: Survey, definition: Definition, zone: ZoneInfo) -> None:
    survey.definition = definition.model_dump(mode="json")
    survey.anonymous = definition.anonymous
    survey.title = definition.title
    survey.description = definition.description
    survey.audience = definition.audience.model_dump(mode="json")
    survey.opens_at = utc(definition.opens, zone)
    survey.closes_at = utc(definition.closes, zone)
    survey.reminder_days = sorted(set(definition.reminders))


async def save_definition(
    session: AsyncSession,
    definition: Definition,
    *,
    kind: str = "survey",
    event_id: int | None = None,
    zone: ZoneInfo,
    now: datetime,
) -> Survey:
    """Create the survey named by the definition's slug, or update it (importing YAML
    files, whose slug names the survey). The caller commits.

    Raises:
        InvalidInputError: An unknown kind, the questions would change after answers
            have arrived, or anonymity once the survey has left draft or anyone is
            invited.
    """
    if kind not in KINDS:
        raise InvalidInputError(f"A survey's kind is one of {', '.join(KINDS)}.")
    survey = await _by_slug(session, definition.slug)
    if survey is None:
        return await create_definition(
            session, definition, kind=kind, event_id=event_id, zone=zone, now=now
        )
    return await _update(session, survey, definition, zone=zone, event_id=event_id)


async def create_definition(
    session: AsyncSession,
    definition: Definition,
    *,
    kind: str = "survey",
    event_id: int | None = None,
    zone: ZoneInfo,
    now: datetime,
) -> Survey:
    """A new survey (the admin's "new" page). The caller commits.

    Raises:
        InvalidInputError: Another survey has that slug already.
    """
    if await _by_slug(session, definition.slug) is not None:
        raise InvalidInputError(
            f"There is already a survey with the slug {definition.slug!r}: choose "
            "another slug, or edit that survey.",
            field="slug",
        )
    survey = Survey(
        slug=definition.slug, title=definition.title, kind=kind, event_id=event_id
    )
    survey.created_at = now
    _apply(survey, definition, zone)
    session.add(survey)
    await session.flush()
    return survey


async def update_definition(
    session: AsyncSession, survey_id: int, definition: Definition, *, zone: ZoneInfo
) -> Survey:
    """Change survey `survey_id` (the admin's edit page): by its number, not by the slug
    in the text, which may not change. The caller commits.

    Raises:
        SurveyNotFoundError: No such survey.
        InvalidInputError: The slug changed, or as `save_definition`.
    """
    survey = await get_survey(session, survey_id)
    if definition.slug != survey.slug:
        raise InvalidInputError(
            f"This survey's slug cannot change (it is {survey.slug!r}, the text says "
            f"{definition.slug!r}). To make a new survey, use the new survey page.",
            field="slug",
        )
    return await _update(session, survey, definition, zone=zone, event_id=None)


async def _by_slug(session: AsyncSession, slug: str) -> Survey | None:
    statement = select(Survey).where(col(Survey.slug) == slug)
    return (await session.exec(statement)).first()


async def _update(
    session: AsyncSession,
    survey: Survey,
    definition: Definition,
    *,
    zone: ZoneInfo,
    event_id: int | None,
) -> Survey:
    await _keep_anonymity(session, survey, definition)
    answered = await response_count(session, survey.id or 0) > 0
    if answered and _questions_changed(survey, definition):
        raise InvalidInputError(
            f"Survey {definition.slug!r} already has answers: its questions and "
            "anonymity can no longer change (copy it under a new slug instead).",
            field="questions",
        )
    _apply(survey, definition, zone)
    survey.event_id = event_id if event_id is not None else survey.event_id
    session.add(survey)
    await session.flush()
    return survey


async def _keep_anonymity(
    session: AsyncSession, survey: Survey, definition: Definition
) -> None:
    """People were told whether a survey is anonymous when asked: once it has left draft
    or anyone is invited, that promise cannot change (nor a named one become anonymous,
    which would leave earlier answers named).

    Raises:
        InvalidInputError: The definition changes `anonymous` too late.
    """
    if definition.anonymous == survey.anonymous:
        return
    invited = await session.exec(
        select(func.count()).where(col(SurveyInvitation.survey_id) == survey.id)
    )
    if survey.status != DRAFT or int(invited.one()) > 0:
        promised = "anonymous" if survey.anonymous else "named"
        raise InvalidInputError(
            f"Survey {survey.slug!r} has already been sent out as {promised}, so it "
            f"must stay {promised}. To ask again the other way, copy it under a new "
            "slug.",
            field="anonymous",
        )


def _questions_changed(survey: Survey, definition: Definition) -> bool:
    old = definition_of(survey)
    return (
        old.questions != definition.questions or old.anonymous != definition.anonymous
    )


def is_open(survey: Survey, now: datetime) -> bool:
    """Taking answers: opened, its opening time reached and its closing time not (whether
    or not the closing job has run yet)."""
    return (
        survey.status == OPEN
        and (survey.opens_at is None or survey.opens_at <= now)
        and (survey.closes_at is None or now < survey.closes_at)
    )


def check_open(survey: Survey, now: datetime) -> None:
    """Raises:
    SurveyClosedError: The survey is not taking answers, with the reason in plain English.
    """
    if survey.status == DRAFT or (survey.opens_at and now < survey.opens_at):
        raise SurveyClosedError("This survey is not open yet. Please try again later.")
    if not is_open(survey, now):
        raise SurveyClosedError(
            "This survey has closed, so it no longer takes answers. Thank you anyway."
        )


async def set_status(
    session: AsyncSession, survey_id: int, status: str, *, now: datetime
) -> Survey:
    """Open or close a survey (closing twice is harmless). Closing early makes the closing
    time now. The caller commits.

    Raises:
        SurveyNotFoundError: No such survey.
        InvalidInputError: Opening a closed survey, or one whose closing time has passed.
    """
    survey = await get_survey(session, survey_id)
    if status == OPEN:
        if survey.status == CLOSED or (survey.closes_at and survey.closes_at <= now):
            raise InvalidInputError(
                f"Survey {survey_id} has closed; it cannot be opened again."
            )
    elif status == CLOSED and survey.status != CLOSED and not _past(survey, now):
        survey.closes_at = now
    survey.status = status
    session.add(survey)
    return survey


def _past(survey: Survey, now: datetime) -> bool:
    return survey.closes_at is not None and survey.closes_at <= now


async def due_to_close(session: AsyncSession, now: datetime) -> list[Survey]:
    """Surveys still marked open whose closing time has come."""
    statement = select(Survey).where(
        col(Survey.status) == OPEN, col(Survey.closes_at) <= now
    )
    return list((await session.exec(statement)).all())


async def close_due(session: AsyncSession, *, now: datetime) -> list[int]:
    """Close every open survey whose closing time has come (the scheduled job). Commits.

    Returns:
        The surveys this run closed.
    """
    closed = []
    for survey in await due_to_close(session, now):
        survey.status = CLOSED
        session.add(survey)
        closed.append(survey.id or 0)
    await session.commit()
    return closed
