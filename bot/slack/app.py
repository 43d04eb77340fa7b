"""build_slack_app(services): one Bolt AsyncApp with every listener, for HTTP or Socket Mode."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from slack_bolt.async_app import AsyncApp, AsyncBoltContext

from bot.runtime import Services
from bot.slack.errors import reply_with_error
from bot.slack.listeners import actions, commands, home, messages
from bot.slack.listeners import places as place_listeners
from bot.slack.listeners import polls as poll_listeners
from bot.slack.listeners import questions as question_listeners
from bot.slack.listeners import sessions as session_listeners
from bot.slack.listeners import surveys as survey_listeners
from bot.slack.people import SlackPeople

log = logging.getLogger(__name__)


def build_slack_app(services: Services) -> AsyncApp:
    """The Bolt app. Listeners find the services in `context["services"]`."""
    settings = services.settings
    assert settings.slack_bot_token is not None and services.slack is not None
    app = AsyncApp(
        client=services.slack,
        signing_secret=settings.slack_signing_secret.get_secret_value()
        if settings.slack_signing_secret
        else None,
        request_verification_enabled=settings.slack_signing_secret is not None,
        # Slack wants an answer within 3 seconds: listeners ack first and work afterwards.
        process_before_response=False,
        logger=logging.getLogger("bot.slack.bolt"),
    )

    people = SlackPeople(services.slack, settings)

    @app.middleware
    async def install_services(
        context: AsyncBoltContext, next: Callable[[], Awaitable[None]]
    ) -> None:
        context["services"] = services
        context["people"] = people
        await next()

    for module in (
        commands,
        home,
        actions,
        messages,
        poll_listeners,
        question_listeners,
        place_listeners,
        session_listeners,
        survey_listeners,
    ):
        module.register(app)
    app.error(reply_with_error)
    return app
