"""One member's copy of an issue: their name, their topics, their own signed links.

The frozen content holds only what is the same for everyone; RSVP and vote links are
signed per member (`Links.item_url`), and the unsubscribe and preferences links come from
`Mailroom.list_email`, which also sets the RFC 8058 one-click headers.
"""

from __future__ import annotations

from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

from bot.domain.membership import Mailroom
from bot.domain.outgoing import Email, compose
from bot.store.tables import Member

TEMPLATE = "newsletter"


def _personal_item(
    room: Mailroom, member: Member, key: str, item: dict[str, Any]
) -> dict[str, Any]:
    links = room.links
    if key == "sessions":
        return {
            **item,
            "rsvp_yes_url": links.item_url("rsvp", member, item["id"], "yes"),
            "rsvp_no_url": links.item_url("rsvp", member, item["id"], "no"),
        }
    if key == "polls":
        options = [
            {"label": label, "url": links.item_url("vote", member, item["id"], n)}
            for n, label in enumerate(item["options"])
        ]
        return {**item, "options": options}
    return item


def personal_context(
    room: Mailroom, content: dict[str, Any], member: Member
) -> dict[str, Any]:
    """The template context of this member's copy."""
    sections = [
        {**s, "items": [_personal_item(room, member, s["key"], i) for i in s["items"]]}
        for s in content["sections"]
    ]
    return {
        "title": content["title"],
        "chair_note": content.get("chair_note"),
        "sections": sections,
        "topics": list(member.topics),
        "forum_url": room.links.item_url("forum", member),
    }


def copy_for(
    room: Mailroom, content: dict[str, Any], member: Member, *, key: str, campaign: str
) -> Email:
    """The member's copy as list mail (unsubscribe and preferences links, List-Unsubscribe)."""
    return room.list_email(
        member,
        key=key,
        template=TEMPLATE,
        campaign=campaign,
        context=personal_context(room, content, member),
    )


def sample_member(topics: list[str]) -> Member:
    """A stand-in reader for previews: its signed links lead nowhere (member 0 does not exist)."""
    return Member(
        id=0, name="Forum member", email="preview@example.invalid", topics=topics
    )


def preview_message(
    room: Mailroom,
    content: dict[str, Any],
    *,
    campaign: str,
    topics: list[str],
    now: datetime,
) -> bytes:
    """The whole email a sample member would get, as sent (headers, text and HTML parts)."""
    email = copy_for(
        room,
        content,
        sample_member(topics),
        key=f"{campaign}:preview",
        campaign=campaign,
    )
    return compose(email, sender=room.sender, renderer=room.renderer, now=now)


def html_part(message: bytes) -> str:
    """The HTML part of a built email: the preview shows exactly what members get."""
    parsed = BytesParser(policy=policy.default).parsebytes(message)
    assert isinstance(parsed, EmailMessage)
    body = parsed.get_body(("html",))
    assert isinstance(body, EmailMessage)
    return str(body.get_content())
