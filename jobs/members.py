"""Membership housekeeping jobs."""

import logging

from bot.domain import members
from bot.runtime import current_services

log = logging.getLogger(__name__)


async def apply_bounces() -> int:
    """Stop list mail to members whose hard bounces reached the threshold."""
    services = current_services()
    async with services.sessions() as session:
        marked = await members.apply_bounces(
            session,
            threshold=services.settings.bounce_threshold,
            now=services.clock.now(),
        )
    if marked:
        log.info("apply-bounces: %d members marked bounced", marked)
    return marked
