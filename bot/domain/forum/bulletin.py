"""A session's notes, and the bulletin made from them for attendees and the session's audience.

The notes are checked with the personal data guard before they are stored: the bot must
never hold case details about an identifiable child, and a bulletin would spread them. The
bulletin is list mail (one-click unsubscribe, the member's preferences link) with one outbox
key per member, so sending it twice sends nothing new.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain import members as m
from bot.domain.forum.invitations import audience, session_facts
from bot.domain.forum.notices import ForumPost
from bot.domain.forum.sessions import get_session
from bot.domain.knowledge.redaction import redact
from bot.domain.outgoing import Email, queue_emails
from bot.errors import InvalidInputError
from bot.store.tables import ForumSession, Member, Rsvp

MAX_NOTES = 50_000
TEMPLATE = "session_bulletin"


async def store_notes(
    session: AsyncSession, session_id: int, text: str, *, now: datetime
) -> ForumSession:
    """Keep the session's notes (replacing earlier ones); the caller commits."""
    notes = text.replace("\r\n", "\n").strip()
    if not notes:
        raise InvalidInputError("The notes are empty.", field="notes")
    if len(notes) > MAX_NOTES:
        raise InvalidInputError(
            f"The notes are too long ({len(notes)} characters; at most {MAX_NOTES}).",
            field="notes",
        )
    found = redact(notes).found
    if found:
        raise InvalidInputError(
            "The notes seem to hold details that could identify a child or family "
            f"({', '.join(found)}). Take them out and try again.",
            field="notes",
        )
    row = await get_session(session, session_id)
    row.notes = notes
    row.updated_at = now
    session.add(row)
    await session.flush()
    return row


async def recipients(session: AsyncSession, row: ForumSession) -> list[Member]:
    """Active members who attended (or held a place) plus the session's audience."""
    statement = (
        select(Member)
        .join(Rsvp, col(Rsvp.member_id) == col(Member.id))
        .where(col(Rsvp.session_id) == row.id)
        .where((col(Rsvp.attended).is_(True)) | (col(Rsvp.status) == "attending"))
        .where(col(Member.status) == m.ACTIVE)
    )
    chosen = {x.id: x for x in (await session.exec(statement)).all()}
    for member in await audience(session, row):
        chosen.setdefault(member.id, member)
    return [x for x in chosen.values() if x.email]


def bulletin_context(post: ForumPost, row: ForumSession) -> dict[str, Any]:
    if not row.notes:
        raise InvalidInputError(
            f"Session {row.id} has no notes yet: store them first "
            f"(forumbot sessions notes {row.id} FILE).",
            field="notes",
        )
    return {**session_facts(row, post.rules.zone), "notes": row.notes}


def preview(post: ForumPost, row: ForumSession) -> str:
    """The bulletin's HTML as a member would see it (with placeholder links)."""
    context = {
        "recipient_name": "Forum member",
        "sender": post.room.sender,
        "unsubscribe_url": "#unsubscribe",
        "preferences_url": "#preferences",
        **bulletin_context(post, row),
    }
    return post.room.renderer.render_email(TEMPLATE, context).html


async def send_bulletin(
    session: AsyncSession, post: ForumPost, session_id: int, *, now: datetime
) -> int:
    """Queue the bulletin to everyone due it; returns how many were new. The caller commits."""
    row = await get_session(session, session_id)
    context = bulletin_context(post, row)
    emails: list[Email] = [
        post.room.list_email(
            member,
            key=f"session:{row.id}:bulletin:member:{member.id}",
            template=TEMPLATE,
            campaign=f"bulletin:session:{row.id}",
            context=context,
        )
        for member in await recipients(session, row)
    ]
    return await queue_emails(
        session, emails, sender=post.room.sender, renderer=post.room.renderer, now=now
    )
