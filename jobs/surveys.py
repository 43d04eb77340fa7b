"""Survey job: close surveys on time, invite on the opening day, remind those who have not
answered."""

import logging

from bot.domain import surveys
from bot.runtime import current_services

log = logging.getLogger(__name__)


async def remind() -> int:
    """Close surveys whose closing time has passed (answers are refused after it anyway),
    invite the audiences of surveys opened ahead of their opening time once it comes, then
    send the reminders due today. Safe to re-run: each reminder's key holds its day.

    Returns:
        How many reminders were queued.
    """
    services = current_services()
    now = services.clock.now()
    async with services.sessions() as session:
        closed = await surveys.close_due(session, now=now)
        post, zone = services.mailroom, services.settings.zone
        invited = await surveys.invite_opened(session, post=post, zone=zone, now=now)
        sent = await surveys.send_reminders(session, post=post, zone=zone, now=now)
    if closed or invited or sent:
        log.info(
            "survey-reminders: closed %s, %d invited, %d reminders queued",
            closed,
            invited,
            sent,
        )
    return sent
