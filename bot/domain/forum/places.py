"""Places at a session: replies (yes/no), capacity, the waiting list and its promotions.

Every channel (Slack button, signed email link, the member's forum page) calls `respond`.
It locks the session's row first (SELECT ... FOR UPDATE on PostgreSQL; on SQLite every
transaction already begins IMMEDIATE, holding the one write lock), then counts places and
decides, so two people taking the last place at once cannot both get it. The lock is held
until the caller commits: commit straight after.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.blockkit import escape as mrkdwn
from bot.domain.forum.notices import ForumPost, tell
from bot.domain.members import ACTIVE
from bot.errors import InvalidInputError, NotFoundError, UserFacingError
from bot.store.tables import ForumSession, Member, Rsvp

INVITED, ATTENDING, WAITING, DECLINED = "invited", "attending", "waiting", "declined"
ANSWERS = {"yes": True, "no": False}
SAYING = {
    ATTENDING: "You have a place",
    WAITING: "You are on the waiting list",
    DECLINED: "You have said you cannot come",
}


@dataclass(frozen=True)
class Reply:
    """What a reply did: the member's status now, their place in the waiting list (from 1)
    when waiting, and whether anything changed (a repeated click changes nothing)."""

    status: str
    changed: bool
    position: int | None = None

    @property
    def saying(self) -> str:
        """One plain sentence for the person, in any channel."""
        if self.status == WAITING and self.position:
            return f"{SAYING[WAITING]} (number {self.position})."
        return f"{SAYING[self.status]}."


def parse_answer(text: str) -> bool:
    """True for "yes", False for "no"; anything else is refused."""
    answer = ANSWERS.get(text.strip().lower())
    if answer is None:
        raise InvalidInputError("Answer yes or no.", field="answer")
    return answer


async def locked_session(session: AsyncSession, forum_session_id: int) -> ForumSession:
    """The session's row, locked against other replies until commit."""
    statement = (
        select(ForumSession)
        .where(col(ForumSession.id) == forum_session_id)
        .with_for_update()
    )
    row = (await session.exec(statement)).first()
    if row is None:
        raise NotFoundError(f"There is no session {forum_session_id}.")
    return row


def check_open(row: ForumSession, now: datetime) -> None:
    """Replies are taken only for scheduled sessions that have not started."""
    if row.status == "cancelled":
        raise UserFacingError(
            f"“{row.title}” has been cancelled, so it no longer takes replies."
        )
    if row.status != "scheduled" or now >= row.starts_at:
        raise UserFacingError(f"“{row.title}” has already started or taken place.")


def check_member(member: Member) -> None:
    if member.status != ACTIVE or member.id is None:
        raise UserFacingError(
            "Only members of the forum can reply. Join the forum first, then try again."
        )


async def count_attending(session: AsyncSession, forum_session_id: int) -> int:
    statement = (
        select(func.count())
        .select_from(Rsvp)
        .where(col(Rsvp.session_id) == forum_session_id)
        .where(col(Rsvp.status) == ATTENDING)
    )
    return int((await session.exec(statement)).one())


async def waiting_list(session: AsyncSession, forum_session_id: int) -> list[Rsvp]:
    """Those waiting, first come first served."""
    statement = (
        select(Rsvp)
        .where(col(Rsvp.session_id) == forum_session_id)
        .where(col(Rsvp.status) == WAITING)
        .order_by(col(Rsvp.responded_at), col(Rsvp.id))
    )
    return list((await session.exec(statement)).all())


async def find_rsvp(
    session: AsyncSession, forum_session_id: int, member_id: int
) -> Rsvp | None:
    statement = select(Rsvp).where(
        col(Rsvp.session_id) == forum_session_id, col(Rsvp.member_id) == member_id
    )
    return (await session.exec(statement)).first()


async def _position(session: AsyncSession, rsvp: Rsvp) -> int | None:
    if rsvp.status != WAITING:
        return None
    return [r.id for r in await waiting_list(session, rsvp.session_id)].index(
        rsvp.id
    ) + 1


def _has_room(row: ForumSession, attending: int) -> bool:
    return row.capacity is None or attending < row.capacity


async def _decide(
    session: AsyncSession, row: ForumSession, rsvp: Rsvp, yes: bool, now: datetime
) -> bool:
    """Set the new status; True if it changed. Waiting people keep their place in line."""
    if yes and rsvp.status in (ATTENDING, WAITING):
        return False
    if not yes and rsvp.status == DECLINED:
        return False
    if yes:
        free = _has_room(row, await count_attending(session, row.id or 0))
        queue = await waiting_list(session, row.id or 0)
        rsvp.status = ATTENDING if free and not queue else WAITING
    else:
        rsvp.status = DECLINED
    rsvp.responded_at = now
    return True


async def respond(
    session: AsyncSession,
    post: ForumPost,
    forum_session_id: int,
    member: Member,
    answer: bool,
    *,
    channel: str,
    now: datetime,
) -> Reply:
    """Record a member's yes or no; a freed place goes to the first person waiting.

    The member is told by email unless they replied in Slack (where the reply to their
    click is the confirmation). The caller commits, at once: the session row is locked.

    Raises:
        NotFoundError: No such session.
        UserFacingError: The session is cancelled or past, or the person is not an active
            member.
    """
    check_member(member)
    row = await locked_session(session, forum_session_id)
    check_open(row, now)
    rsvp = await find_rsvp(session, forum_session_id, member.id or 0)
    if rsvp is None:
        rsvp = Rsvp(session_id=forum_session_id, member_id=member.id or 0)
    changed = await _decide(session, row, rsvp, answer, now)
    if changed:
        rsvp.channel = channel
        session.add(rsvp)
        await session.flush()
        await fill_places(session, post, row, now=now, quiet=member.id)
    reply = Reply(rsvp.status, changed, await _position(session, rsvp))
    if changed and channel != "slack":
        await _confirm(session, post, row, member, reply, now)
    return reply


async def fill_places(
    session: AsyncSession,
    post: ForumPost,
    row: ForumSession,
    *,
    now: datetime,
    quiet: int | None = None,
) -> list[Member]:
    """Give free places to those waiting, in order, and tell each of them.

    Called after a cancellation of a place, and by `sessions.edit_session` when the
    capacity is raised or removed.
    The session row must be locked (`locked_session`) in this transaction. `quiet` is a
    member not to tell (the one replying now, who gets the reply's own confirmation).
    """
    promoted: list[Member] = []
    attending = await count_attending(session, row.id or 0)
    for rsvp in await waiting_list(session, row.id or 0):
        if not _has_room(row, attending):
            break
        # responded_at becomes when the place began: reminders due before it are not owed.
        rsvp.status, rsvp.responded_at, attending = ATTENDING, now, attending + 1
        session.add(rsvp)
        member = await session.get(Member, rsvp.member_id)
        if member is not None:
            promoted.append(member)
            if member.id != quiet:
                await _tell_promoted(session, post, row, member, now)
    await session.flush()
    return promoted


async def _confirm(
    session: AsyncSession,
    post: ForumPost,
    row: ForumSession,
    member: Member,
    reply: Reply,
    now: datetime,
) -> None:
    context = {
        **post.facts(row, member),
        "status": reply.status,
        "saying": reply.saying,
    }
    await tell(
        session,
        post,
        member,
        key=f"rsvp:{row.id}:{member.id}:{reply.status}:{now.isoformat()}",
        template="session_reply",
        context=context,
        slack_text=None,
        now=now,
    )


async def _tell_promoted(
    session: AsyncSession,
    post: ForumPost,
    row: ForumSession,
    member: Member,
    now: datetime,
) -> None:
    facts = post.facts(row, member)
    context = {
        **facts,
        "status": "promoted",
        "saying": "A place has come free for you.",
    }
    await tell(
        session,
        post,
        member,
        key=f"promoted:{row.id}:{member.id}:{now.isoformat()}",
        template="session_reply",
        context=context,
        slack_text=f"A place has come free for you at *{mrkdwn(row.title)}* "
        f"({facts['when']}). You are now attending.",
        now=now,
    )


async def statuses(
    session: AsyncSession, member_id: int, session_ids: Sequence[int]
) -> dict[int, str]:
    """A member's status at each of these sessions (missing: not replied)."""
    if not session_ids:
        return {}
    statement = select(Rsvp).where(
        col(Rsvp.member_id) == member_id, col(Rsvp.session_id).in_(session_ids)
    )
    return {r.session_id: r.status for r in (await session.exec(statement)).all()}
