"""Asking people to answer, and reminding those who have not, all through the outbox.

A respondent is a member ("member:ID") or a course delegate ("booking:ID"). Slack members get
a direct message with an "Answer" button (action `survey_open`, opening a modal); everyone
else an email with a signed link to the web form. Each invitation and each reminder has a
stable key, so running `open` or the reminder job again sends nothing twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain import blockkit as bk
from bot.domain.chat import ChatMessage, queue_chat
from bot.domain.links import Links, fingerprint
from bot.domain.membership import Mailroom
from bot.domain.mime import clean_header_text
from bot.domain.outgoing import Email, queue_emails
from bot.domain.surveys.audience import Respondent, respondents_for
from bot.domain.surveys.store import OPEN, get_survey, is_open, lock_survey
from bot.errors import InvalidLinkError
from bot.store.db import dialect_name
from bot.store.tables import Survey, SurveyInvitation

ANSWER_ACTION = "survey_open"
UTC_ZONE = ZoneInfo("UTC")


def survey_url(links: Links, survey_id: int, respondent: Respondent) -> str:
    """The signed link to the web form: survey, respondent and a fingerprint of the
    address, so the link stops working once the person is erased or changes address."""
    token = links.token(
        "survey", [survey_id, respondent.key, fingerprint(respondent.email or "")]
    )
    return f"{links.base_url}/surveys/{token}"


def read_survey_link(links: Links, token: str) -> tuple[int, str, str]:
    """(survey id, respondent key, address fingerprint) from a survey link; the caller
    checks the fingerprint against the respondent (`respondent_email`).

    Raises:
        ExpiredLinkError, InvalidLinkError: As `Links.read` does, or a malformed payload.
    """
    payload = links.read("survey", token)
    if not (
        isinstance(payload, list)
        and len(payload) == 3
        and isinstance(payload[0], int)
        and all(isinstance(p, str) for p in payload[1:])
    ):
        raise InvalidLinkError("This link is not valid.")
    return payload[0], payload[1], payload[2]


def _context(survey: Survey, zone: ZoneInfo) -> dict[str, Any]:
    closes = survey.closes_at.astimezone(zone) if survey.closes_at else None
    return {
        "title": survey.title,
        "subject_title": clean_header_text(survey.title, 150),
        "description": survey.description,
        "anonymous": survey.anonymous,
        "closes": f"{closes:%A %-d %B %Y, %H:%M}" if closes else None,
    }


def _dm(
    survey: Survey, respondent: Respondent, key: str, *, reminder: bool
) -> ChatMessage:
    assert survey.id is not None and respondent.slack_user_id
    lead = "A reminder: we would" if reminder else "We would"
    privacy = (
        "It is anonymous: nobody can see who gave which answers."
        if survey.anonymous
        else "It is named: the organisers can see your answers."
    )
    title = bk.escape(survey.title)
    return ChatMessage(
        key=key,
        to=respondent.slack_user_id,
        text=f"Survey: {title}",
        blocks=[
            bk.text(f"{lead} value your answers to *{title}*. {privacy}"),
            {
                "type": "actions",
                "elements": [
                    bk.button("Answer", ANSWER_ACTION, str(survey.id), "primary")
                ],
            },
        ],
        campaign=f"survey:{survey.id}",
    )


def _email(
    survey: Survey,
    respondent: Respondent,
    key: str,
    room: Mailroom,
    context: dict[str, Any],
) -> Email:
    assert survey.id is not None and respondent.email
    return Email(
        key=key,
        to_name=respondent.name,
        to_address=respondent.email,
        template="survey_invitation",
        context={**context, "url": survey_url(room.links, survey.id, respondent)},
        campaign=f"survey:{survey.id}",
    )


async def _ask(
    session: AsyncSession,
    survey: Survey,
    respondents: Sequence[tuple[Respondent, str]],
    *,
    room: Mailroom,
    zone: ZoneInfo,
    reminder: bool,
    now: datetime,
) -> int:
    """Queue a DM or an email to each (respondent, outbox key)."""
    context = _context(survey, zone) | {"reminder": reminder}
    chats = [
        _dm(survey, r, k, reminder=reminder) for r, k in respondents if r.slack_user_id
    ]
    emails = [
        _email(survey, r, k, room, context)
        for r, k in respondents
        if not r.slack_user_id and r.email
    ]
    sent = await queue_chat(session, chats, now=now)
    return sent + await queue_emails(
        session, emails, sender=room.sender, renderer=room.renderer, now=now
    )


async def invite(
    session: AsyncSession,
    survey_id: int,
    respondents: list[Respondent],
    *,
    post: Mailroom,
    zone: ZoneInfo | None = None,
    now: datetime,
) -> int:
    """Record an invitation for each respondent (once) and queue their DM or email (once:
    key `survey:ID:invite:KEY`). The survey should be open; the caller commits.

    Returns:
        How many invitations are new.
    """
    survey = await get_survey(session, survey_id)
    new = await _record(session, survey_id, [r.key for r in respondents], now)
    pairs = [(r, f"survey:{survey_id}:invite:{r.key}") for r in respondents]
    await _ask(
        session,
        survey,
        pairs,
        room=post,
        zone=zone or UTC_ZONE,
        reminder=False,
        now=now,
    )
    return new


async def _record(
    session: AsyncSession, survey_id: int, keys: list[str], now: datetime
) -> int:
    """Insert the missing invitations atomically (two `open`s at once make one row each)."""
    if not keys:
        return 0
    insert = (
        postgresql.insert if dialect_name(session) == "postgresql" else sqlite.insert
    )
    rows = [
        {"survey_id": survey_id, "respondent": k, "invited_at": now, "answered": False}
        for k in dict.fromkeys(keys)
    ]
    statement = (
        insert(SurveyInvitation)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["survey_id", "respondent"])
        .returning(col(SurveyInvitation.id))
    )
    return len((await session.exec(statement)).all())


async def _due_reminders(
    session: AsyncSession, survey: Survey, now: datetime
) -> list[tuple[SurveyInvitation, int]]:
    """Unanswered invitations whose latest reminder day has come and not been sent."""
    due = []
    statement = select(SurveyInvitation).where(
        col(SurveyInvitation.survey_id) == survey.id,
        col(SurveyInvitation.answered).is_(False),
    )
    for invitation in (await session.exec(statement)).all():
        start = invitation.invited_at or now
        days = [d for d in survey.reminder_days if start + timedelta(days=d) <= now]
        if not days:
            continue
        last = invitation.reminded_at
        if last is None or last < start + timedelta(days=max(days)):
            due.append((invitation, max(days)))
    return due


async def send_reminders(
    session: AsyncSession,
    *,
    post: Mailroom,
    zone: ZoneInfo | None = None,
    now: datetime,
) -> int:
    """Remind everyone who has not answered an open survey, on each of its reminder days
    (counted from their invitation), once per day (key `survey:ID:remind:DAY:KEY`). A day
    missed while the job was down is sent late, once; earlier missed days are skipped.
    Commits.

    Returns:
        How many reminders were queued.
    """
    statement = select(Survey.id).where(col(Survey.status) == OPEN)
    ids = [i for i in (await session.exec(statement)).all() if i is not None]
    sent = 0
    for survey_id in ids:
        sent += await _remind(session, survey_id, post=post, zone=zone, now=now)
        await session.commit()
    return sent


async def _remind(
    session: AsyncSession,
    survey_id: int,
    *,
    post: Mailroom,
    zone: ZoneInfo | None,
    now: datetime,
) -> int:
    """One survey's reminder round, with the survey locked as answering locks it.

    The round stamps `reminded_at` on EVERY invitation of the survey, answered or not: a
    stamp only on the unanswered ones would split respondents into answered-before and
    answered-after, which with the responses' storage order could pair answers with
    people. Who is due is still worked out from `answered` and the reminder days.
    """
    survey = await lock_survey(session, survey_id)
    if not is_open(survey, now) or not survey.reminder_days:
        return 0
    due = await _due_reminders(session, survey, now)
    if not due:
        return 0
    found = await respondents_for(session, [i.respondent for i, _ in due])
    pairs = [
        (found[i.respondent], f"survey:{survey_id}:remind:{day}:{i.respondent}")
        for i, day in due
        if i.respondent in found
    ]
    await session.exec(
        update(SurveyInvitation)
        .where(col(SurveyInvitation.survey_id) == survey_id)
        .values(reminded_at=now)
    )
    return await _ask(
        session,
        survey,
        pairs,
        room=post,
        zone=zone or UTC_ZONE,
        reminder=True,
        now=now,
    )
