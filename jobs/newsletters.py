"""Newsletter jobs: make the month's draft for review; send issues scheduled for now.

`prepare-newsletter` runs on FORUMBOT_NEWSLETTER_SCHEDULE (a crontab line, local time) and
only makes a draft and tells the reviewers: nothing goes out unreviewed. `send-newsletters`
sends an issue whose scheduled time has come, and carries on with one whose sending was
interrupted (a crash): each member's copy has its own outbox key, so none goes twice. An
issue another process is sending now (its lease is live) is skipped until that lease lapses.
"""

import logging

from bot.domain import newsletters as nl
from bot.domain.newsletters.review import prepare_month
from bot.runtime import current_services

log = logging.getLogger(__name__)


async def prepare_newsletter() -> str:
    """Create this month's draft (once) and email the admin and communications reviewers."""
    services = current_services()
    async with services.sessions() as session:
        row, told = await prepare_month(
            session,
            services.mailroom,
            zone=services.settings.zone,
            now=services.clock.now(),
        )
        await session.commit()
    if told:
        log.info(
            "prepare-newsletter: %s drafted, %d reviewers told", row.campaign, told
        )
    return row.campaign


async def send_newsletters() -> list[str]:
    """Queue every member's copy of the issues due now (scheduled, or interrupted)."""
    services = current_services()
    async with services.sessions() as session:
        due = [
            row.campaign
            for row in await nl.due_newsletters(session, services.clock.now())
        ]
    sent = []
    for campaign in due:
        try:
            result = await nl.send_newsletter(
                services.sessions,
                services.mailroom,
                campaign,
                zone=services.settings.zone,
                now=services.clock.now,
                track_clicks=services.settings.click_tracking,
            )
        except nl.NewsletterBusyError as busy:
            log.info("send-newsletters: skipped: %s", busy)
            continue
        log.info("send-newsletters: %s, %d copies queued", campaign, result.queued)
        sent.append(campaign)
    return sent
