"""Sending a session's invitations, updates and cancellation, by email (with iCalendar) and Slack.

Who gets what:
- While scheduled: the audience (active members: everyone, or those with any chosen topic or
  organisation) plus anyone already invited or with a place or waiting, except those who
  declined (they said no; updates would only nag them). Each gets an invitation the first
  time and an update when `sequence` has gone up since.
- Once cancelled: everyone already sent the session (or holding a place), except decliners.
Email goes to members who take email (or have no Slack); Slack members also get a DM, and
the forum channel gets one post per sequence. Outbox keys carry the sequence, so sending
again sends nothing twice, while an edit that raises the sequence goes out once more.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain import members as m
from bot.domain.chat import ChatMessage, queue_chat
from bot.domain.forum import cards
from bot.domain.forum.calendar import invitation, method_for
from bot.domain.forum.notices import ForumPost, wants_email
from bot.domain.forum.sessions import CANCELLED, get_session
from bot.domain.forum.times import describe_when
from bot.domain.membership import Mailroom
from bot.domain.mime import CalendarAttachment
from bot.domain.outgoing import Email, queue_emails
from bot.errors import UserFacingError
from bot.settings import Settings
from bot.store.tables import ForumSession, Member, Rsvp

DECLINED = "declined"
INVITED = "invited"


@dataclass(frozen=True)
class InviteResult:
    recipients: int
    emails: int
    chats: int


async def audience(session: AsyncSession, row: ForumSession) -> list[Member]:
    """Active members the session is for: everyone, or any chosen topic or organisation."""
    active = await m.list_members(session, status=m.ACTIVE, limit=1_000_000)
    topics, orgs = set(row.audience_topics), set(row.audience_organisations)
    if not topics and not orgs:
        return active
    return [
        x for x in active if x.organisation in orgs or topics.intersection(x.topics)
    ]


async def rsvps_of(session: AsyncSession, session_id: int) -> dict[int, Rsvp]:
    statement = select(Rsvp).where(col(Rsvp.session_id) == session_id)
    return {r.member_id: r for r in (await session.exec(statement)).all()}


def _due(row: ForumSession, rsvp: Rsvp | None) -> bool:
    """Not a decliner, and not yet sent this sequence of the session."""
    if rsvp is None:
        return row.status != CANCELLED
    if rsvp.status == DECLINED:
        return False
    last = -1 if rsvp.invited_sequence is None else rsvp.invited_sequence
    return last < row.sequence


async def _recipients(
    session: AsyncSession, row: ForumSession, rsvps: dict[int, Rsvp]
) -> list[Member]:
    wanted: dict[int | None, Member] = {}
    if row.status != CANCELLED:
        wanted = {x.id: x for x in await audience(session, row)}
    for member_id, rsvp in rsvps.items():
        if member_id not in wanted and (
            rsvp.invited_sequence is not None or rsvp.status != INVITED
        ):
            member = await session.get(Member, member_id)
            if member is not None and member.status == m.ACTIVE:
                wanted[member_id] = member
    return [
        x
        for member_id, x in wanted.items()
        if member_id is not None and _due(row, rsvps.get(member_id))
    ]


def kind_for(row: ForumSession, rsvp: Rsvp | None) -> str:
    if row.status == CANCELLED:
        return "cancelled"
    return (
        "update"
        if rsvp is not None and rsvp.invited_sequence is not None
        else "invitation"
    )


def session_facts(row: ForumSession, zone: ZoneInfo) -> dict[str, Any]:
    """What the session templates show (the _session partials' arguments)."""
    return {
        "title": row.title,
        "when": describe_when(row.starts_at, row.ends_at, zone),
        "topic": row.topic,
        "description": row.description,
        "agenda": list(row.agenda),
        "join_url": row.join_url,
    }


def _email(post: ForumPost, row: ForumSession, member: Member, kind: str) -> Email:
    assert row.id is not None and member.email is not None
    links = post.room.links
    sender = post.room.sender
    context = {
        **session_facts(row, post.rules.zone),
        "rsvp_yes_url": links.item_url("rsvp", member, row.id, "yes"),
        "rsvp_no_url": links.item_url("rsvp", member, row.id, "no"),
        "forum_url": links.item_url("forum", member),
    }
    email = post.room.list_email(
        member,
        key=f"session:{row.id}:seq{row.sequence}:member:{member.id}",
        template=f"session_{kind}",
        campaign=f"session:{row.id}",
        context=context,
    )
    ics = invitation(
        row,
        zone=post.rules.zone,
        organizer=(sender.name, sender.address),
        attendee=(member.name or "", member.email),
    )
    return replace(email, calendar=CalendarAttachment(ics, method_for(row)))


def _dm(post: ForumPost, row: ForumSession, member: Member, kind: str) -> ChatMessage:
    assert member.slack_user_id is not None
    return ChatMessage(
        key=f"session:{row.id}:seq{row.sequence}:slack:{member.id}",
        to=member.slack_user_id,
        text=cards.fallback_text(row, post.rules.zone, kind),
        blocks=cards.session_blocks(row, post.rules.zone, kind),
        campaign=f"session:{row.id}",
    )


def _channel_post(
    post: ForumPost, row: ForumSession, channel: str | None
) -> list[ChatMessage]:
    if not channel:
        return []
    kind = (
        "cancelled" if row.status == CANCELLED else ("update" if row.sequence else "")
    )
    return [
        ChatMessage(
            key=f"session:{row.id}:seq{row.sequence}:channel",
            to=channel,
            text=cards.fallback_text(row, post.rules.zone, kind or "listing"),
            blocks=cards.session_blocks(row, post.rules.zone, kind or "listing"),
            campaign=f"session:{row.id}",
        )
    ]


def _record(
    session: AsyncSession,
    row: ForumSession,
    member: Member,
    rsvp: Rsvp | None,
    now: datetime,
) -> None:
    assert row.id is not None and member.id is not None
    if rsvp is None:
        rsvp = Rsvp(session_id=row.id, member_id=member.id, status=INVITED)
    if row.status != CANCELLED:
        rsvp.invited_at = now
    rsvp.invited_sequence = row.sequence  # the last calendar message they were sent
    session.add(rsvp)


async def send_invitations(
    session: AsyncSession,
    post: ForumPost,
    session_id: int,
    *,
    forum_channel: str | None,
    now: datetime,
) -> InviteResult:
    """Queue the invitation, update or cancellation to everyone due one, and a post in the
    forum channel (when one is set); the caller commits."""
    row = await get_session(session, session_id, lock=True)  # RSVPs wait for us
    if row.ends_at <= now:
        raise UserFacingError(
            f"Session {session_id} is over: nothing is sent for it now."
        )
    rsvps = await rsvps_of(session, session_id)
    members = await _recipients(session, row, rsvps)
    emails: list[Email] = []
    chats = _channel_post(post, row, forum_channel)
    for member in members:
        kind = kind_for(row, rsvps.get(member.id or 0))
        if wants_email(member):
            emails.append(_email(post, row, member, kind))
        if member.slack_user_id:
            chats.append(_dm(post, row, member, kind))
        _record(session, row, member, rsvps.get(member.id or 0), now)
    mailroom = post.room
    sent = await queue_emails(
        session, emails, sender=mailroom.sender, renderer=mailroom.renderer, now=now
    )
    posted = await queue_chat(session, chats, now=now)
    if row.status != CANCELLED:
        row.invited_at = now
        session.add(row)
    await session.flush()
    return InviteResult(recipients=len(members), emails=sent, chats=posted)


async def member_rsvps(session: AsyncSession, member_id: int) -> list[dict[str, Any]]:
    """A member's invitations and answers, for their data export (kept on erasure: once the
    member row is erased they say nothing about anyone)."""
    statement = (
        select(Rsvp, ForumSession)
        .join(ForumSession, col(ForumSession.id) == col(Rsvp.session_id))
        .where(col(Rsvp.member_id) == member_id)
        .order_by(col(ForumSession.starts_at))
    )
    return [
        {
            "session": row.title,
            "starts_at": row.starts_at.isoformat(),
            "status": rsvp.status,
            "invited_at": rsvp.invited_at.isoformat() if rsvp.invited_at else None,
            "responded_at": rsvp.responded_at.isoformat()
            if rsvp.responded_at
            else None,
            "attended": rsvp.attended,
        }
        for rsvp, row in (await session.exec(statement)).all()
    ]


async def send_due(
    session: AsyncSession,
    room: Mailroom,
    settings: Settings,
    session_id: int,
    *,
    now: datetime,
) -> InviteResult:
    """`send_invitations` as every channel calls it: rules from settings, and the forum
    channel (FORUMBOT_SLACK_FORUM_CHANNEL) for the announcement."""
    return await send_invitations(
        session,
        ForumPost.of(room, settings),
        session_id,
        forum_channel=settings.slack_forum_channel,
        now=now,
    )
