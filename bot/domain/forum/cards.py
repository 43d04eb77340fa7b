"""Block Kit for sessions, built on the domain side because invitations queue Slack messages
through the outbox (the domain cannot import bot.slack). The Slack listeners reuse them.

Buttons follow the shared contract: `session_rsvp` with "ID:yes"/"ID:no" and
`session_question_open` with "ID". Typed text is escaped for mrkdwn.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.domain.blockkit import Block, button, escape
from bot.domain.forum.sessions import CANCELLED
from bot.domain.forum.times import describe_when
from bot.store.tables import ForumSession

HEADINGS = {
    "invitation": "You are invited",
    "update": "Changed",
    "cancelled": "Cancelled",
    "listing": "",
}


def summary(row: ForumSession, zone: ZoneInfo) -> str:
    """One line of mrkdwn: title and local time (for notifications and lists)."""
    when = describe_when(row.starts_at, row.ends_at, zone)
    cancelled = " (cancelled)" if row.status == CANCELLED else ""
    return f"*{escape(row.title)}*{cancelled}\n{when}"


def _details(row: ForumSession) -> str:
    lines = [f"Topic: {escape(row.topic)}"] if row.topic else []
    if row.agenda:
        lines.append("*Agenda*\n" + "\n".join(f"• {escape(a)}" for a in row.agenda))
    if row.join_url:
        lines.append(f"Join online: {escape(row.join_url)}")
    return "\n".join(lines)


def rsvp_actions(session_id: int) -> Block:
    return {
        "type": "actions",
        "block_id": f"session_{session_id}",
        "elements": [
            button("I will attend", "session_rsvp", f"{session_id}:yes", "primary"),
            button("I cannot attend", "session_rsvp", f"{session_id}:no"),
            button("Ask a question", "session_question_open", str(session_id)),
        ],
    }


def session_blocks(row: ForumSession, zone: ZoneInfo, kind: str) -> list[Block]:
    """A session card: heading (by kind), title and time, agenda, and RSVP buttons unless
    the session is cancelled."""
    assert row.id is not None
    heading = HEADINGS.get(kind, "")
    top = f"{heading}: {summary(row, zone)}" if heading else summary(row, zone)
    blocks: list[Block] = [{"type": "section", "text": {"type": "mrkdwn", "text": top}}]
    details = _details(row)
    if details and row.status != CANCELLED:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": details}})
    if row.status != CANCELLED:
        blocks.append(rsvp_actions(row.id))
    return blocks


def fallback_text(row: ForumSession, zone: ZoneInfo, kind: str) -> str:
    """The notification text (no formatting, but Slack still reads &, < and > in it, so
    the typed title is escaped)."""
    heading = HEADINGS.get(kind, "")
    when = describe_when(row.starts_at, row.ends_at, zone)
    return f"{heading + ': ' if heading else ''}{escape(row.title)}, {when}"
