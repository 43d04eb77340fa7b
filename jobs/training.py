"""Training jobs: the evaluation after each course."""

import logging
from datetime import timedelta

from bot.domain.training.evaluations import (
    EvaluationRules,
    default_definition,
    send_due,
)
from bot.runtime import current_services

log = logging.getLogger(__name__)


async def send_evaluations() -> int:
    """Invite those who attended events that ended a while ago to evaluate them."""
    services = current_services()
    settings = services.settings
    rules = EvaluationRules(
        questions=default_definition(settings.surveys_dir),
        delay=timedelta(minutes=settings.evaluation_delay_minutes),
        reminder_days=tuple(settings.evaluation_reminder_days),
        zone=settings.zone,
    )
    async with services.sessions() as session:
        invited = await send_due(
            session, services.mailroom, rules, now=services.clock.now()
        )
        await session.commit()
    if invited:
        log.info("training-evaluations: %d delegates invited", invited)
    return invited
