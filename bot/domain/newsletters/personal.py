"""One member's copy of an issue: their name, their topics, their own signed links.

The frozen content holds only what is the same for everyone; RSVP and vote links are
signed per member (`Links.item_url`), open surveys are shown only to members invited to
them and not yet answered (an invitation is how a survey's audience is recorded, and the
survey form takes answers only from those invited), each with the member's own signed
survey link (`bot.domain.surveys.survey_url`), and the unsubscribe and preferences links come from
`Mailroom.list_email`, which also sets the RFC 8058 one-click headers.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.membership import Mailroom
from bot.domain.outgoing import Email, compose
from bot.domain.surveys.audience import from_member
from bot.domain.surveys.audience import member_key as respondent_key
from bot.domain.surveys.inviting import survey_url
from bot.store.tables import Member, SurveyInvitation

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
    if key == "surveys":
        return {**item, "url": survey_url(links, item["id"], from_member(member))}
    return item


def _items_for(
    section: dict[str, Any], surveys: Collection[int] | None
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = section["items"]
    if section["key"] != "surveys" or surveys is None:
        return items
    return [i for i in items if i["id"] in surveys]


def _sections_for(
    room: Mailroom,
    content: dict[str, Any],
    member: Member,
    surveys: Collection[int] | None,
) -> list[dict[str, Any]]:
    sections = []
    for s in content["sections"]:
        items = [
            _personal_item(room, member, s["key"], i) for i in _items_for(s, surveys)
        ]
        if items:
            sections.append({**s, "items": items})
    return sections


async def answerable_surveys(
    session: AsyncSession, content: dict[str, Any], member_ids: Iterable[int]
) -> dict[int, set[int]]:
    """Member id -> the issue's open surveys they were invited to and have not answered."""
    ids = [
        i["id"]
        for s in content["sections"]
        if s["key"] == "surveys"
        for i in s["items"]
    ]
    found: dict[int, set[int]] = {n: set() for n in member_ids}
    if not ids or not found:
        return found
    keys = {respondent_key(n): n for n in found}
    statement = select(SurveyInvitation.survey_id, SurveyInvitation.respondent).where(
        col(SurveyInvitation.survey_id).in_(ids),
        col(SurveyInvitation.respondent).in_(list(keys)),
        col(SurveyInvitation.answered).is_(False),
    )
    for survey_id, respondent in (await session.exec(statement)).all():
        found[keys[respondent]].add(survey_id)
    return found


def personal_context(
    room: Mailroom,
    content: dict[str, Any],
    member: Member,
    surveys: Collection[int] | None = None,
) -> dict[str, Any]:
    """The template context of this member's copy. `surveys`: the open surveys this member
    may answer (`answerable_surveys`); None (previews, test copies) shows them all."""
    sections = _sections_for(room, content, member, surveys)
    return {
        "title": content["title"],
        "chair_note": content.get("chair_note"),
        "sections": sections,
        "topics": list(member.topics),
        "forum_url": room.links.item_url("forum", member),
    }


def copy_for(
    room: Mailroom,
    content: dict[str, Any],
    member: Member,
    *,
    key: str,
    campaign: str,
    surveys: Collection[int] | None = None,
) -> Email:
    """The member's copy as list mail (unsubscribe and preferences links, List-Unsubscribe)."""
    return room.list_email(
        member,
        key=key,
        template=TEMPLATE,
        campaign=campaign,
        context=personal_context(room, content, member, surveys),
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
