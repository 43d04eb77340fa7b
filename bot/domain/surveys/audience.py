"""Who is asked: respondents from a survey's audience, and back from invitation keys.

A respondent key is "member:ID" or "booking:ID" (a course delegate, who may or may not be a
member). Slack is used for members who chose it and have a Slack user id; everyone else is
written to by email.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.links import fingerprint
from bot.domain.members import ACTIVE
from bot.domain.surveys.definition import Audience
from bot.store.tables import Booking, Member, Rsvp, SurveyInvitation


@dataclass(frozen=True)
class Respondent:
    """Someone to ask. `key` is "member:ID" or "booking:ID"; with a Slack user id they are
    asked in Slack, otherwise by email."""

    key: str
    name: str
    email: str | None
    slack_user_id: str | None = None


def member_key(member_id: int) -> str:
    return f"member:{member_id}"


def booking_key(booking_id: int) -> str:
    return f"booking:{booking_id}"


def from_member(member: Member) -> Respondent:
    """A member as a respondent: in Slack if they chose it and are linked, else email."""
    assert member.id is not None
    slack = member.slack_user_id if "slack" in member.channels else None
    return Respondent(member_key(member.id), member.name or "", member.email, slack)


def _from_booking(booking: Booking, member: Member | None) -> Respondent:
    assert booking.id is not None
    slack = from_member(member).slack_user_id if member and member.id else None
    return Respondent(booking_key(booking.id), booking.name or "", booking.email, slack)


def _wanted(member: Member, audience: Audience) -> bool:
    if audience.topics and not set(member.topics) & set(audience.topics):
        return False
    return not audience.organisations or member.organisation in audience.organisations


async def audience_respondents(
    session: AsyncSession, audience: Audience
) -> list[Respondent]:
    """Active members in the audience: everyone, those following any of its topics or in
    any of its organisations, or those who attended its forum session."""
    statement = select(Member).where(col(Member.status) == ACTIVE)
    if audience.session is not None:
        attended = select(Rsvp.member_id).where(
            col(Rsvp.session_id) == audience.session, col(Rsvp.attended).is_(True)
        )
        statement = statement.where(col(Member.id).in_(attended))
    members = (await session.exec(statement.order_by(col(Member.id)))).all()
    return [from_member(m) for m in members if _wanted(m, audience)]


def _ids(keys: Iterable[str], kind: str) -> list[int]:
    return [
        int(k.partition(":")[2])
        for k in keys
        if k.startswith(f"{kind}:") and k.partition(":")[2].isdigit()
    ]


async def respondents_for(
    session: AsyncSession, keys: Iterable[str]
) -> dict[str, Respondent]:
    """The respondents behind invitation keys that still exist (an erased member or a
    removed booking is left out: nobody to write to)."""
    keys = list(keys)
    found: dict[str, Respondent] = {}
    member_ids = _ids(keys, "member")
    if member_ids:
        statement = select(Member).where(col(Member.id).in_(member_ids))
        for member in (await session.exec(statement)).all():
            if member.email and member.status == ACTIVE:
                found[member_key(member.id or 0)] = from_member(member)
    booking_ids = _ids(keys, "booking")
    if booking_ids:
        rows = await session.exec(
            select(Booking, Member)
            .join(Member, col(Member.id) == col(Booking.member_id), isouter=True)
            .where(col(Booking.id).in_(booking_ids))
        )
        for booking, member in rows.all():
            found[booking_key(booking.id or 0)] = _from_booking(booking, member)
    return found


async def respondent_email(session: AsyncSession, key: str) -> str | None:
    """The address a respondent's links were made for, to check a link's fingerprint."""
    respondent = (await respondents_for(session, [key])).get(key)
    return respondent.email if respondent else None


def matches(email: str | None, print_: str) -> bool:
    return email is not None and fingerprint(email) == print_


async def member_respondent_key(
    session: AsyncSession, survey_id: int, member_id: int
) -> str | None:
    """The key a member was invited under: as a member, or as a course delegate whose
    booking is linked to them (an evaluation). None when they were not invited."""
    own = member_key(member_id)
    bookings = select(Booking.id).where(col(Booking.member_id) == member_id)
    keys = [own] + [booking_key(b) for b in (await session.exec(bookings)).all() if b]
    statement = select(SurveyInvitation.respondent).where(
        col(SurveyInvitation.survey_id) == survey_id,
        col(SurveyInvitation.respondent).in_(keys),
    )
    found = list((await session.exec(statement)).all())
    return own if own in found else (found[0] if found else None)
