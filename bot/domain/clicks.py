"""Click tracking, only when FORUMBOT_CLICK_TRACKING is on (it is off by default).

A tracked link is `/c/TOKEN`, the token signing (campaign, destination): the redirect goes
only where the bot itself pointed, so it cannot be used as an open redirect, and an edited
token is refused. The token names no member, and a `Click` row keeps only the campaign,
the destination and the time: counts per link, never who clicked.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.links import Links
from bot.errors import InvalidLinkError
from bot.store.tables import Click

PURPOSE = "click"
MAX_URL = 1000


def tracked(links: Links, campaign: str, url: str) -> str:
    """The tracked form of an http(s) link; anything else is left as it is."""
    if not url.startswith(("https://", "http://")) or len(url) > MAX_URL:
        return url
    return f"{links.base_url}/c/{links.token(PURPOSE, [campaign, url])}"


def track_items(
    links: Links, campaign: str, sections: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Sections with every item's own link tracked (members' personal links are added later
    and never tracked: they carry signed tokens of their own)."""
    return [
        {
            **section,
            "items": [
                {**item, "url": tracked(links, campaign, item["url"])}
                if item.get("url")
                else item
                for item in section["items"]
            ],
        }
        for section in sections
    ]


async def follow(
    session: AsyncSession, links: Links, token: str, *, now: datetime
) -> str:
    """Count the click and return where it goes; the caller commits.

    Raises:
        InvalidLinkError: The token was altered or is not a tracked link.
    """
    payload = links.read(PURPOSE, token)
    if not (
        isinstance(payload, list)
        and len(payload) == 2
        and all(isinstance(p, str) for p in payload)
        and payload[1].startswith(("https://", "http://"))
    ):
        raise InvalidLinkError("This link is not valid.")
    campaign, url = payload
    session.add(Click(campaign=campaign[:200], url=url[:MAX_URL], created_at=now))
    return str(url)
