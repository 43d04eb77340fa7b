"""Checking what the chair typed for a session, with plain-English errors naming the field.

Kept apart from sessions.py so the rules read in one place; every channel's form maps the
`field` of an InvalidInputError back to its own input.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from bot.errors import InvalidInputError

if TYPE_CHECKING:
    from bot.domain.forum.sessions import ForumRules, SessionDetails

MAX_TITLE = 200
MAX_ITEM = 200


def _clean_text(
    value: str | None, name: str, limit: int, field: str | None = None
) -> str | None:
    """One line of text, spaces tidied; None when empty."""
    cleaned = " ".join((value or "").split())
    if len(cleaned) > limit:
        raise InvalidInputError(
            f"The {name} is too long ({len(cleaned)} characters; at most {limit}).",
            field=field or name,
        )
    return cleaned or None


def _check_choices(
    chosen: tuple[str, ...], allowed: tuple[str, ...], name: str
) -> None:
    unknown = [c for c in chosen if c not in allowed]
    if unknown:
        offer = ", ".join(allowed) if allowed else "none are configured"
        raise InvalidInputError(
            f"Unknown {name}: {', '.join(unknown)}. Choose from: {offer}.",
            field=f"audience_{name}",
        )


def clean_details(details: SessionDetails, rules: ForumRules) -> SessionDetails:
    """Checked and tidied details, or an InvalidInputError saying what to fix."""
    title = _clean_text(details.title, "title", MAX_TITLE)
    if title is None:
        raise InvalidInputError("Give the session a title.", field="title")
    if details.ends <= details.starts:
        raise InvalidInputError("The session must end after it starts.", field="ends")
    if details.capacity is not None and details.capacity < 1:
        raise InvalidInputError(
            "The capacity must be at least 1 (or leave it empty for no limit).",
            field="capacity",
        )
    join_url = _clean_text(details.join_url, "joining link", 1000, "join_url")
    if join_url and not join_url.startswith(("https://", "http://")):
        raise InvalidInputError(
            "The joining link must start with https://.", field="join_url"
        )
    _check_choices(details.audience_topics, rules.topics, "topics")
    _check_choices(details.audience_organisations, rules.organisations, "organisations")
    items = tuple(
        i
        for i in (
            _clean_text(i, "agenda item", MAX_ITEM, "items") for i in details.items
        )
        if i
    )
    return replace(
        details,
        title=title,
        topic=_clean_text(details.topic, "topic", MAX_TITLE),
        description=(details.description or "").strip(),
        join_url=join_url,
        items=items,
        audience_topics=tuple(dict.fromkeys(details.audience_topics)),
        audience_organisations=tuple(dict.fromkeys(details.audience_organisations)),
    )
