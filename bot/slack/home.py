"""The App Home tab: membership, the next sessions with the member's reply and buttons to
change it, the open polls to vote in, and the admin corner.

Buttons pressed here arrive like those on messages, but with a `view` container and no
response URL: their listeners answer by publishing the tab again (`in_home`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.web.async_client import AsyncWebClient

from bot.domain import members as m
from bot.domain import polls
from bot.domain.forum import cards, places
from bot.domain.forum.sessions import list_sessions
from bot.runtime import Services
from bot.slack import blocks, poll_blocks
from bot.slack.people import SlackPerson
from bot.store.tables import ForumSession, Member, Poll

Block = dict[str, Any]
SHOWN = 3  # sessions and polls each: the tab is a summary, not an archive
REPLIES = {
    places.ATTENDING: ":white_check_mark: You have a place.",
    places.WAITING: ":hourglass: You are on the waiting list.",
    places.DECLINED: "You said you cannot come.",
}


@dataclass(frozen=True)
class Home:
    """What the tab shows one person."""

    member: Member | None
    sessions: list[tuple[ForumSession, str | None]] = field(default_factory=list)
    polls: list[tuple[Poll, polls.Results]] = field(default_factory=list)
    counts: dict[str, int] | None = None


def in_home(body: dict[str, Any]) -> bool:
    """Whether an action came from the App Home tab (not from a message)."""
    return (body.get("container") or {}).get("type") == "view"


async def gather(
    services: Services, person: SlackPerson, member: Member | None
) -> Home:
    now = services.clock.now()
    async with services.sessions() as session:
        upcoming = await list_sessions(session, now=now, include_cancelled=False)
        upcoming = upcoming[:SHOWN]
        replies: dict[int, str] = {}
        if member is not None and member.id is not None:
            ids = [row.id for row in upcoming if row.id is not None]
            replies = await places.statuses(session, member.id, ids)
        recent = await polls.list_polls(session, limit=50)
        shown = [p for p in recent if polls.is_open(p, now)][:SHOWN]
        results = [(p, await polls.poll_results(session, p)) for p in shown]
        counts = (await m.count_members(session))["status"] if person.is_admin else None
    sessions = [(row, replies.get(row.id or 0)) for row in upcoming]
    return Home(member, sessions, results, counts)


def forum_blocks(home: Home, zone: ZoneInfo) -> list[Block]:
    """The sessions and polls part of the tab."""
    out: list[Block] = [{"type": "divider"}, blocks.text("*Coming up*")]
    if not home.sessions:
        out.append(blocks.text("No forum sessions are scheduled yet."))
    for row, reply in home.sessions:
        line = REPLIES.get(reply or "", "You have not replied yet.")
        out += [blocks.text(f"{cards.summary(row, zone)}\n{line}")]
        out.append(cards.rsvp_actions(row.id or 0))
    for poll, results in home.polls:
        out += [{"type": "divider"}, *poll_blocks.poll_message(poll, results, zone)]
    return out


async def publish(
    client: AsyncWebClient,
    services: Services,
    person: SlackPerson,
    member: Member | None,
) -> None:
    home = await gather(services, person, member)
    view = blocks.home_view(
        home.member,
        is_admin=person.is_admin,
        counts=home.counts,
        forum=forum_blocks(home, services.settings.zone),
    )
    await client.views_publish(user_id=person.user_id, view=view)
