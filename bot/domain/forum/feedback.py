"""Feedback after a session: the request to attendees, their rating and comment, the summary.

A short form (a rating from 1 to 5 and an optional comment) stands in until the surveys
feature exists. Who is asked, and when:
- once attendance is recorded for the session (any place has `attended` set), those marked
  attended, walk-ins included, from `delay_minutes` after the end; someone recorded later
  (a second import, a mark in Slack) is asked on the job's next run;
- until then nobody: a no-show should not be thanked for coming. If no attendance is
  recorded within `GRACE` (a day) of the end, those who had a place are asked instead.
`Rsvp.feedback_requested_at` makes sure nobody is asked twice, and the outbox key
`feedback:{session_id}:{member_id}` that nothing is sent twice.

Comments pass through the personal data guard (`redaction.redact`) as questions do: the
bot must not store details that identify a child, so they are replaced, and the member is
shown the information-sharing reminder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.blockkit import escape as mrkdwn
from bot.domain.forum.notices import ForumPost, tell
from bot.domain.forum.places import ATTENDING, locked_session
from bot.domain.forum.sessions import get_session
from bot.domain.knowledge.redaction import REMINDER, redact
from bot.domain.members import ACTIVE
from bot.errors import InvalidInputError, UserFacingError
from bot.store.tables import ForumSession, Member, Rsvp, SessionFeedback

RATINGS = range(1, 6)
MAX_COMMENT = 2000
LOOK_BACK = timedelta(days=14)  # a session older than this is not asked about any more
GRACE = timedelta(hours=24)  # without attendance, how long after the end to ask anyway
COMMENT_REMINDER = REMINDER.replace("your question", "your comment")


@dataclass(frozen=True)
class Summary:
    """What the chair sees: how many answered, the average rating, each rating's count,
    and the comments (anonymous: no names)."""

    session_id: int
    title: str
    count: int
    average: float | None
    ratings: dict[int, int]
    comments: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "session_id": self.session_id,
            "title": self.title,
            "count": self.count,
            "average": self.average,
            "ratings": {str(k): v for k, v in self.ratings.items()},
            "comments": self.comments,
        }


async def _ended(
    session: AsyncSession, delay: timedelta, now: datetime
) -> list[ForumSession]:
    statement = (
        select(ForumSession)
        .where(col(ForumSession.status) != "cancelled")
        .where(col(ForumSession.ends_at) <= now - delay)
        .where(col(ForumSession.ends_at) > now - delay - LOOK_BACK)
        .order_by(col(ForumSession.ends_at))
    )
    return list((await session.exec(statement)).all())


async def _to_ask(
    session: AsyncSession, row: ForumSession, now: datetime
) -> list[tuple[Rsvp, Member]]:
    """Attendees not yet asked: those marked attended; or, once `GRACE` has passed with no
    attendance recorded, those who had a place."""
    places = (
        await session.exec(select(Rsvp).where(col(Rsvp.session_id) == row.id))
    ).all()
    recorded = any(p.attended is not None for p in places)
    if not recorded and now < row.ends_at + GRACE:
        return []
    statement = (
        select(Rsvp, Member)
        .join(Member, col(Member.id) == col(Rsvp.member_id))
        .where(col(Rsvp.session_id) == row.id)
        .where(col(Rsvp.feedback_requested_at).is_(None))
        .where(col(Member.status) == ACTIVE)
        .where(
            col(Rsvp.attended).is_(True) if recorded else col(Rsvp.status) == ATTENDING
        )
        .order_by(col(Member.id))
    )
    return list((await session.exec(statement)).all())


async def request_due(
    session: AsyncSession, post: ForumPost, *, delay_minutes: int, now: datetime
) -> int:
    """Ask the attendees of sessions that ended at least `delay_minutes` ago for feedback
    (email and/or a Slack DM, as the member chose), by the rule in the module docstring.
    The caller commits. Returns how many were asked."""
    asked = 0
    for row in await _ended(session, timedelta(minutes=delay_minutes), now):
        for rsvp, member in await _to_ask(session, row, now):
            url = post.room.links.item_url("feedback", member, row.id or 0)
            facts = post.facts(row, member)
            await tell(
                session,
                post,
                member,
                key=f"feedback:{row.id}:{member.id}",
                template="session_feedback",
                context={**facts, "feedback_url": url},
                slack_text=f"Thank you for coming to *{mrkdwn(row.title)}*. "
                f"How was it? <{url}|Give your feedback> (a minute: a rating and a comment).",
                now=now,
            )
            rsvp.feedback_requested_at = now
            session.add(rsvp)
            asked += 1
    return asked


@dataclass(frozen=True)
class Cleaned:
    """A checked answer: the rating, the comment as it may be stored (identifying details
    replaced), and the information-sharing reminder when any were."""

    rating: int
    comment: str | None
    reminder: str | None = None


def clean(rating: int | None, comment: str | None) -> Cleaned:
    """A rating from 1 to 5 and a trimmed, guarded comment of at most 2,000 characters.

    Raises:
        InvalidInputError: No rating from 1 to 5, or the comment is too long.
    """
    if rating is None or rating not in RATINGS:
        raise InvalidInputError("Choose a rating from 1 to 5.", field="rating")
    text = (comment or "").strip()
    if len(text) > MAX_COMMENT:
        raise InvalidInputError(
            f"The comment is too long ({len(text)} characters; at most {MAX_COMMENT}).",
            field="comment",
        )
    guarded = redact(text)
    reminder = COMMENT_REMINDER if guarded.identifying else None
    return Cleaned(rating, guarded.text or None, reminder)


async def find(
    session: AsyncSession, forum_session_id: int, member_id: int
) -> SessionFeedback | None:
    statement = select(SessionFeedback).where(
        col(SessionFeedback.session_id) == forum_session_id,
        col(SessionFeedback.member_id) == member_id,
    )
    return (await session.exec(statement)).first()


async def save(
    session: AsyncSession,
    forum_session_id: int,
    member: Member,
    *,
    rating: int | None,
    comment: str | None,
    now: datetime,
) -> Cleaned:
    """Record or change a member's feedback (one per member). The caller commits.

    Returns:
        What was stored, with the information-sharing reminder to show the member when
        the comment had identifying details taken out.

    Raises:
        InvalidInputError: No rating from 1 to 5, or the comment is too long.
        UserFacingError: The session was cancelled or has not started yet.
    """
    cleaned = clean(rating, comment)
    row = await locked_session(session, forum_session_id)  # two tabs, one answer
    if row.status == "cancelled" or now < row.starts_at:
        raise UserFacingError(
            f"“{row.title}” has not taken place, so it takes no feedback."
        )
    found = await find(session, forum_session_id, member.id or 0)
    answer = found or SessionFeedback(
        session_id=forum_session_id,
        member_id=member.id,
        rating=cleaned.rating,
        created_at=now,
    )
    answer.rating, answer.comment = cleaned.rating, cleaned.comment
    session.add(answer)
    await session.flush()
    return cleaned


async def summary(session: AsyncSession, forum_session_id: int) -> Summary:
    """The chair's view of one session's feedback. Raises NotFoundError for no session."""
    row = await get_session(session, forum_session_id)
    answers = (
        await session.exec(
            select(SessionFeedback)
            .where(col(SessionFeedback.session_id) == forum_session_id)
            .order_by(col(SessionFeedback.created_at), col(SessionFeedback.id))
        )
    ).all()
    ratings = {r: sum(1 for a in answers if a.rating == r) for r in RATINGS}
    average = (
        round(sum(a.rating for a in answers) / len(answers), 2) if answers else None
    )
    return Summary(
        session_id=forum_session_id,
        title=row.title,
        count=len(answers),
        average=average,
        ratings=ratings,
        comments=[a.comment for a in answers if a.comment],
    )


async def _theirs(session: AsyncSession, member_id: int) -> list[SessionFeedback]:
    statement = select(SessionFeedback).where(
        col(SessionFeedback.member_id) == member_id
    )
    return list((await session.exec(statement)).all())


async def member_feedback(
    session: AsyncSession, member_id: int
) -> list[dict[str, object]]:
    """The member's feedback on sessions, for their data export."""
    return [
        {
            "session_id": f.session_id,
            "rating": f.rating,
            "comment": f.comment,
            "at": f.created_at.isoformat(),
        }
        for f in await _theirs(session, member_id)
    ]


async def erase_comments(session: AsyncSession, member_id: int) -> int:
    """On erasure: the member's comments go, and their answers are no longer theirs; the
    ratings stay for the counts. The caller commits. Returns how many answers were theirs."""
    answers = await _theirs(session, member_id)
    for answer in answers:
        answer.member_id, answer.comment = None, None
        session.add(answer)
    await session.flush()
    return len(answers)
