"""Telling one member about one session, by email and (if they use Slack) a direct message.

Places, reminders and feedback requests all write to people the same way: a transactional
email (no campaign: they asked for it by replying) and, for a member linked to Slack, a DM;
a member who chose Slack only gets the DM alone (`wants_email`, as invitations do).
Both go through the one outbox with keys built from the caller's key, so a re-run of the
job or a repeated click never sends twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.chat import ChatMessage, queue_chat
from bot.domain.forum.rules import ForumRules
from bot.domain.forum.times import describe_when
from bot.domain.links import Links, fingerprint
from bot.domain.membership import Mailroom
from bot.domain.outgoing import Email, queue_emails
from bot.errors import InvalidLinkError
from bot.settings import Settings
from bot.store.tables import ForumSession, Member


@dataclass(frozen=True)
class ForumPost:
    """What forum messages need: the mailroom (sender, templates, links) and the forum's
    rules (time zone, default joining link). Channels build one from their services."""

    room: Mailroom
    rules: ForumRules

    @classmethod
    def of(cls, room: Mailroom, settings: Settings) -> ForumPost:
        return cls(room, ForumRules.from_settings(settings))

    def join_url(self, row: ForumSession) -> str | None:
        return row.join_url or self.rules.default_join_url

    def facts(self, row: ForumSession, member: Member) -> dict[str, Any]:
        """The session as every forum email shows it, and the member's own forum page."""
        return {
            "session_title": row.title,
            "session_topic": row.topic,
            "when": describe_when(row.starts_at, row.ends_at, self.rules.zone),
            "join_url": self.join_url(row),
            "forum_url": self.room.links.item_url("forum", member),
        }


def wants_email(member: Member) -> bool:
    """Whether a member is written to by email: they chose email, or have no Slack to be
    reached by. Invitations and every notice about a session follow this one rule, so a
    member who chose Slack only is not told twice."""
    return bool(member.email) and (
        "email" in member.channels or not member.slack_user_id
    )


async def tell(
    session: AsyncSession,
    post: ForumPost,
    member: Member,
    *,
    key: str,
    template: str,
    context: dict[str, Any],
    slack_text: str | None,
    now: datetime,
) -> int:
    """Queue a Slack DM when `slack_text` is given and the member uses Slack, and an email
    when they take email (`wants_email`) or no DM reaches them.

    Returns:
        How many messages were new; 0 when `key` was queued before.
    """
    if member.email is None:  # erased
        return 0
    queued = 0
    dm = bool(slack_text and member.slack_user_id)
    if wants_email(member) or not dm:
        email = Email(
            key=key,
            to_name=member.name or "",
            to_address=member.email,
            template=template,
            context=context,
        )
        room = post.room
        queued = await queue_emails(
            session, [email], sender=room.sender, renderer=room.renderer, now=now
        )
    if slack_text and member.slack_user_id:
        chat = ChatMessage(key=f"{key}:slack", to=member.slack_user_id, text=slack_text)
        queued += await queue_chat(session, [chat], now=now)
    return queued


async def member_from_item(
    session: AsyncSession, links: Links, purpose: str, token: str, count: int
) -> tuple[Member, list[int | str]]:
    """The member an `item_url` link was made for, and its `count` items.

    Raises:
        ExpiredLinkError: The link is too old.
        InvalidLinkError: The link was altered, or its member was erased or re-joined.
    """
    member_id, print_, items = links.read_item(purpose, token, count)
    member = await session.get(Member, member_id)
    if member is None or member.email is None or fingerprint(member.email) != print_:
        raise InvalidLinkError("This link is no longer valid.")
    return member, items


def session_id_of(items: list[int | str]) -> int:
    """The session id an item link carries first; anything else is a broken link."""
    if not items or not isinstance(items[0], int):
        raise InvalidLinkError("This link is not valid.")
    return items[0]
