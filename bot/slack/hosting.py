"""Running the Slack app: behind /slack/events (HTTP mode) or over a Socket Mode connection."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler

from bot.errors import ConfigError
from bot.runtime import Services
from bot.settings import Settings
from bot.slack.app import build_slack_app

log = logging.getLogger(__name__)


def check_slack(settings: Settings, *, socket_mode: bool) -> str:
    """How Slack will run ("off", "http" or "socket"), checked before anything starts.

    Raises:
        ConfigError: A token the chosen mode needs is missing.
    """
    if not settings.slack_enabled:
        if socket_mode:
            raise ConfigError(
                "--socket-mode needs FORUMBOT_SLACK_BOT_TOKEN and FORUMBOT_SLACK_APP_TOKEN"
            )
        return "off"
    if socket_mode and settings.slack_app_token is None:
        raise ConfigError(
            "Socket Mode needs FORUMBOT_SLACK_APP_TOKEN (an xapp- token with connections:write)"
        )
    if not socket_mode and settings.slack_signing_secret is None:
        raise ConfigError(
            "HTTP mode needs FORUMBOT_SLACK_SIGNING_SECRET (or use `serve --socket-mode`)"
        )
    return "socket" if socket_mode else "http"


@asynccontextmanager
async def run_slack(
    services: Services, *, socket_mode: bool
) -> AsyncIterator[AsyncSlackRequestHandler | None]:
    """Yields the HTTP handler for /slack/events, or None when Slack is off or uses Socket Mode.

    Raises:
        ConfigError: Socket Mode was asked for without an app-level token.
    """
    settings = services.settings
    mode = check_slack(settings, socket_mode=socket_mode)
    if mode == "off":
        log.info("Slack is off: set FORUMBOT_SLACK_BOT_TOKEN to switch it on")
        yield None
        return
    app = build_slack_app(services)
    if mode == "http":
        log.info("Slack is on: events arrive at /slack/events")
        yield AsyncSlackRequestHandler(app)
        return
    assert settings.slack_app_token is not None
    handler = AsyncSocketModeHandler(
        app, settings.slack_app_token.get_secret_value(), web_client=services.slack
    )
    await handler.connect_async()  # type: ignore[no-untyped-call]  # untyped in slack_bolt
    log.info("Slack is on: connected in Socket Mode")
    try:
        yield None
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]
