"""The person's rights (UK GDPR): everything held about them, and erasure."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.forum.feedback import erase_comments, member_feedback
from bot.domain.forum.invitations import member_rsvps
from bot.domain.forum.questions import erase_member_questions, member_questions
from bot.domain.members import ERASED, find_member, member_data
from bot.domain.polls import member_votes
from bot.domain.surveys.privacy import erase_survey_links, person_keys, person_surveys
from bot.domain.training.privacy import erase_bookings, person_bookings
from bot.errors import MemberNotFoundError
from bot.store.db import scrub_deleted
from bot.store.tables import Bounce, OutboxMessage, Ticket


@dataclass(frozen=True)
class Erased:
    """What `erase_member` removed, for the person asking and the audit trail."""

    members: int
    messages: int
    bounces: int
    extra: dict[str, int] = field(default_factory=dict)


async def _forum_data(session: AsyncSession, member_id: int | None) -> dict[str, Any]:
    """The member's part in the forum: places, questions, feedback and poll votes (which
    stay on erasure: only choices, anonymous counts once the member is gone)."""
    if member_id is None:
        return {part: [] for part in FORUM_PARTS}
    return {
        "forum_sessions": await member_rsvps(session, member_id),
        "forum_questions": await member_questions(session, member_id),
        "session_feedback": await member_feedback(session, member_id),
        "poll_votes": await member_votes(session, member_id),
    }


FORUM_PARTS = ("forum_sessions", "forum_questions", "session_feedback", "poll_votes")


async def export_member_data(session: AsyncSession, email: str) -> dict[str, Any]:
    """Everything held about a person (a subject access request), as JSON-ready data.

    Raises:
        MemberNotFoundError: Nobody has that address and nothing else mentions it.
    """
    address = email.strip().lower()
    member = await find_member(session, address)
    messages = (
        await session.exec(
            select(OutboxMessage).where(col(OutboxMessage.recipient) == address)
        )
    ).all()
    bounces = (
        await session.exec(select(Bounce).where(col(Bounce.recipient) == address))
    ).all()
    bookings = await person_bookings(session, address, member.id if member else None)
    if member is None and not messages and not bounces and not bookings:
        raise MemberNotFoundError(f"Nothing is held about {email.strip()!r}.")
    return {
        "email": address,
        "member": member_data(member) if member else None,
        "messages": [
            {
                "id": m.id,
                "channel": m.channel,
                "campaign": m.campaign,
                "status": m.status,
                "created_at": m.created_at.isoformat(),
                "sent_at": m.sent_at.isoformat() if m.sent_at else None,
                "content": m.payload.decode("utf-8", "replace"),
            }
            for m in messages
        ],
        "bounces": [
            {"code": b.code, "reason": b.reason, "at": b.created_at.isoformat()}
            for b in bounces
        ],
        **await _forum_data(session, member.id if member else None),
        "questions_to_the_team": [
            {
                "question": t.text,
                "answer": t.answer,
                "status": t.status,
                "at": t.created_at.isoformat(),
            }
            for t in (
                await session.exec(
                    select(Ticket).where(col(Ticket.reply_to) == address)
                )
            ).all()
        ],
        "training_bookings": bookings,
        "surveys": await person_surveys(
            session, await person_keys(session, address, member.id if member else None)
        ),
    }


async def erase_member(session: AsyncSession, email: str, *, now: datetime) -> Erased:
    """Remove a person's data everywhere; keep only an anonymous row for counts. Commits.

    Queued messages to them are deleted before they can be sent; sent ones too, since
    each holds their address and what we wrote to them.

    Raises:
        MemberNotFoundError: Nothing is held about that address.
    """
    address = email.strip().lower()
    member = await find_member(session, address)
    # Their email, and their Slack DMs if they linked Slack: both name them.
    recipients = [
        address,
        *([member.slack_user_id] if member and member.slack_user_id else []),
    ]
    messages = await session.exec(
        delete(OutboxMessage).where(col(OutboxMessage.recipient).in_(recipients))
    )
    tickets = await session.exec(
        delete(Ticket).where(col(Ticket.reply_to).in_(recipients))
    )
    bounces = await session.exec(delete(Bounce).where(col(Bounce.recipient) == address))
    # Named survey answers are unlinked (before the bookings they may be keyed by).
    keys = await person_keys(session, address, member.id if member else None)
    survey_links = await erase_survey_links(session, keys)
    # Bookings are anonymised, not deleted: attendance counts must survive.
    bookings = await erase_bookings(session, address, member.id if member else None)
    if member is None and not (
        messages.rowcount or bounces.rowcount or tickets.rowcount or bookings
    ):
        raise MemberNotFoundError(f"Nothing is held about {email.strip()!r}.")
    forum_questions = (
        await erase_member_questions(session, member.id) if member and member.id else 0
    )
    # Feedback ratings stay for the counts, unlinked; the comments go.
    forum_feedback = (
        await erase_comments(session, member.id) if member and member.id else 0
    )
    if member is not None:
        for name in (
            "email",
            "name",
            "organisation",
            "role",
            "sector",
            "slack_user_id",
            "consent_wording",
        ):
            setattr(member, name, None)
        member.topics, member.channels = [], []
        member.status, member.updated_at, member.left_at = ERASED, now, now
    await session.commit()
    await scrub_deleted(session)
    return Erased(
        members=int(member is not None),
        messages=messages.rowcount,
        bounces=bounces.rowcount,
        extra={
            "tickets": tickets.rowcount,
            **({"forum_questions": forum_questions} if forum_questions else {}),
            **({"forum_feedback": forum_feedback} if forum_feedback else {}),
            **({"training_bookings": bookings} if bookings else {}),
            **({"survey_links": survey_links} if survey_links else {}),
        },
    )
