"""Forum jobs: reminders before sessions, feedback requests after them."""

import logging

from bot.domain.forum import feedback, reminders
from bot.domain.forum.notices import ForumPost
from bot.runtime import current_services

log = logging.getLogger(__name__)


async def send_reminders() -> int:
    """Queue the reminders due now (the SCHEDULES entry runs this every few minutes)."""
    services = current_services()
    settings = services.settings
    async with services.sessions() as session:
        queued = await reminders.send_due(
            session,
            ForumPost.of(services.mailroom, settings),
            settings.forum_reminder_minutes,
            now=services.clock.now(),
        )
        await session.commit()
    if queued:
        log.info("forum-reminders: %d reminders queued", queued)
    return queued


async def request_feedback() -> int:
    """Ask attendees of sessions that ended a while ago for their feedback."""
    services = current_services()
    settings = services.settings
    async with services.sessions() as session:
        asked = await feedback.request_due(
            session,
            ForumPost.of(services.mailroom, settings),
            delay_minutes=settings.forum_feedback_delay_minutes,
            now=services.clock.now(),
        )
        await session.commit()
    if asked:
        log.info("forum-feedback: %d attendees asked for feedback", asked)
    return asked
