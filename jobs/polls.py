"""Poll jobs: close polls on time and keep their Slack posts' counts current."""

import logging

from bot.domain import polls
from bot.runtime import current_services

log = logging.getLogger(__name__)


async def close_polls() -> list[int]:
    """Close polls whose time has come and publish their results; then show votes that
    came by email or web on the open polls' Slack posts. Safe to re-run: keys are stable."""
    services = current_services()
    settings, now = services.settings, services.clock.now()
    draw = services.poll_draw
    async with services.sessions() as session:
        closed = await polls.close_due_polls(
            session, slack_channel=settings.slack_forum_channel, draw=draw, now=now
        )
        refreshed = await polls.refresh_open_polls(session, draw=draw, now=now)
    if closed or refreshed:
        log.info("close-polls: closed %s, %d posts refreshed", closed, refreshed)
    return closed
