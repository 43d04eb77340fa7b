"""Housekeeping jobs for the outbox."""

import logging
from datetime import timedelta

from bot.outbox import queue
from bot.runtime import current_services

log = logging.getLogger(__name__)
STUCK_AFTER = timedelta(minutes=30)


async def purge_outbox() -> int:
    """Delete finished messages past the retention period: they hold personal data."""
    services = current_services()
    before = services.clock.now() - timedelta(
        days=services.settings.outbox_retention_days
    )
    async with services.sessions() as session:
        removed = await queue.purge_finished(session, before=before)
    log.info(
        "purge-outbox: removed %d finished messages created before %s", removed, before
    )
    return removed


async def check_outbox() -> dict[str, int]:
    """Log the queue's state, and a warning when mail is failing or waiting too long."""
    services = current_services()
    async with services.sessions() as session:
        by_status = await queue.counts(session)
        oldest = await queue.oldest_due(session)
    log.info("check-outbox: %s", by_status)
    if by_status[queue.FAILED]:
        log.warning(
            "check-outbox: %d messages have failed; see `forumbot outbox status`",
            by_status[queue.FAILED],
        )
    if oldest is not None and services.clock.now() - oldest > STUCK_AFTER:
        log.warning(
            "check-outbox: a message has waited since %s; is the SMTP relay reachable?",
            oldest,
        )
    return by_status
