"""The chair's poll actions as every channel runs them (web admin, CLI; the job closes on
time): the configured forum channel, the partnership's zone, the Slack drawing of the post
(`Services.poll_draw`), the clock. One place, so the channels cannot drift apart."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain import polls
from bot.runtime import Services
from bot.store.tables import Poll


async def announce(
    services: Services, session: AsyncSession, poll: Poll
) -> polls.Announced:
    """Post the poll to the forum channel and email members (nothing twice). Commits."""
    return await polls.announce_configured(
        session,
        poll,
        room=services.mailroom,
        settings=services.settings,
        draw=services.poll_draw,
        now=services.clock.now(),
    )


async def close(services: Services, session: AsyncSession, poll_id: int) -> bool:
    """Close the poll now and publish its results. Commits. True if this call closed it."""
    return await polls.close_and_publish(
        session,
        poll_id,
        slack_channel=services.settings.slack_forum_channel,
        draw=services.poll_draw,
        now=services.clock.now(),
    )
