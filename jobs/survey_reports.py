"""Survey report job: the chair's summary of each survey once it has closed."""

import logging
from datetime import timedelta

from bot.domain.surveys.report_summary import post_closed_summaries
from bot.runtime import current_services

log = logging.getLogger(__name__)
LOOK_BACK_DAYS = 7


async def post_survey_reports() -> list[int]:
    """Summaries of the surveys closed lately. The outbox keys make a re-run send nothing
    twice; looking back no further than the outbox keeps its delivered messages means a
    purged key can never let a summary go out again."""
    services = current_services()
    settings, now = services.settings, services.clock.now()
    days = min(LOOK_BACK_DAYS, settings.outbox_retention_days)
    async with services.sessions() as session:
        sent = await post_closed_summaries(
            session,
            room=services.mailroom,
            slack_enabled=settings.slack_enabled,
            since=now - timedelta(days=days),
            now=now,
        )
    if sent:
        log.info("survey-reports: summaries queued for surveys %s", sent)
    return sent
