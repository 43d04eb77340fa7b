"""`/forum briefings`: the latest published briefings, each linking to its page.

Dates are the partnership's local dates (settings.zone), as on the web pages. Titles go
into `<url|title>` through `bot.domain.blockkit.link` (mrkdwn escaped), with any `|` in a
title shown as `¦`: Slack would otherwise read it as the end of the link's URL part.
"""

from __future__ import annotations

from bot.domain.blockkit import Block, escape, link, text
from bot.domain.briefings import PUBLISHED, list_briefings
from bot.domain.briefings.kinds import kind_of
from bot.domain.briefings.style import page_url
from bot.domain.chat import clip
from bot.slack.listeners import SlackCall
from bot.slack.people import SlackPerson

LATEST = 8


async def briefings_command(call: SlackCall, _person: SlackPerson, _rest: str) -> None:
    services = call.services
    async with services.sessions() as session:
        rows = await list_briefings(session, status=PUBLISHED, limit=LATEST)
    if not rows:
        await call.respond(
            text="Briefings: none have been published yet.", response_type="ephemeral"
        )
        return
    base, zone = services.links.base_url, services.settings.zone
    blocks: list[Block] = []
    for row in rows:
        local = row.published_at.astimezone(zone) if row.published_at else None
        when = f", {local:%d %b %Y}" if local else ""
        summary = f"\n{escape(clip(row.summary, 300))}" if row.summary else ""
        title = link(page_url(base, row), row.title.replace("|", "¦"))
        heading = title or escape(row.title)
        blocks.append(text(f"*{heading}*\n{kind_of(row.kind).label}{when}{summary}"))
    blocks.append(text(f"All briefings: <{escape(base)}/briefings|the archive>"))
    await call.respond(
        text="The latest briefings", blocks=blocks, response_type="ephemeral"
    )
