"""Secrets stay out of logs; Slack off is said plainly; Slack settings are checked at start-up."""

from __future__ import annotations

import logging

import httpx
import pytest
from pydantic import SecretStr

from bot.errors import ConfigError
from bot.settings import Settings, load_settings
from bot.slack.hosting import check_slack
from bot.store.db import upgrade_schema
from bot.web.app import create_app
from tests.slack.harness import (
    BOT_TOKEN,
    CHAIR,
    KIM,
    SIGNING_SECRET,
    SlackBot,
    sign,
    state,
    typed,
)
from tests.slack.test_messages import dm


async def test_tokens_and_the_signing_secret_never_reach_the_logs(
    slackbot: SlackBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    await slackbot.command(KIM, "help")
    await slackbot.reply()
    await slackbot.command(CHAIR, "admin announce Hello")
    await slackbot.reply()
    await slackbot.view_submission(KIM, "announce", state(text=typed("forged")))
    await slackbot.action(KIM, "admin_announce", block_id="admin")
    await slackbot.event(dm("hello"))
    body = SlackBot.command_body(KIM, "help", response_url="x", trigger_id="t")
    forged = await slackbot.post(
        body, "application/x-www-form-urlencoded", signature=sign(body, 1)
    )
    assert forged.status_code == 401
    await slackbot.settle()
    slackbot.api.fail("chat.postMessage", "invalid_auth")
    await slackbot.services.delivery_worker().drain()

    # Plenty was logged at DEBUG: slack_sdk's requests with their headers, Bolt's, ours...
    loggers = {record.name.split(".")[0] for record in caplog.records}
    assert {"slack_sdk", "bot"} <= loggers
    assert len(slackbot.api.calls_to("chat.postMessage")) >= 1
    assert "'Authorization': '(redacted)'" in caplog.text
    logged = "\n".join(
        [caplog.text]
        + [f"{r.getMessage()} {r.args!r} {r.__dict__!r}" for r in caplog.records]
    )
    # ...but never a secret.
    assert BOT_TOKEN not in logged
    assert SIGNING_SECRET not in logged


async def test_with_slack_off_events_get_a_404_and_health_says_off(
    settings: Settings,
) -> None:
    assert not settings.slack_enabled
    upgrade_schema(settings.effective_database_url)
    app = create_app(settings, background=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            events = await http.post("/slack/events", content=b"{}")
            health = await http.get("/healthz")

    assert events.status_code == 404
    assert events.headers["content-type"] == "application/json"
    assert "Slack is off" in events.json()["error"]
    assert health.status_code == 200
    assert health.json()["slack"] == "off"


async def test_with_slack_on_health_says_http(slackbot: SlackBot) -> None:
    health = await slackbot.http.get("/healthz")
    assert health.json()["slack"] == "http"


def test_a_bot_token_needs_a_signing_secret_or_an_app_token() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(_env_file=None, slack_bot_token="xoxb-alone")
    assert "FORUMBOT_SLACK_SIGNING_SECRET" in str(caught.value)
    assert "xoxb-alone" not in str(caught.value)

    assert load_settings(
        _env_file=None, slack_bot_token="xoxb-1", slack_signing_secret="s"
    ).slack_enabled
    assert load_settings(
        _env_file=None, slack_bot_token="xoxb-1", slack_app_token="xapp-1"
    ).slack_enabled


def test_check_slack_names_what_each_mode_is_missing() -> None:
    off = Settings(_env_file=None)
    http = off.model_copy(
        update={
            "slack_bot_token": SecretStr("xoxb-1"),
            "slack_signing_secret": SecretStr("s"),
        }
    )
    socket = off.model_copy(
        update={
            "slack_bot_token": SecretStr("xoxb-1"),
            "slack_app_token": SecretStr("xapp-1"),
        }
    )

    assert check_slack(off, socket_mode=False) == "off"
    assert check_slack(http, socket_mode=False) == "http"
    assert check_slack(socket, socket_mode=True) == "socket"
    with pytest.raises(ConfigError, match="FORUMBOT_SLACK_APP_TOKEN"):
        check_slack(http, socket_mode=True)  # Socket Mode without an app-level token
    with pytest.raises(ConfigError, match="FORUMBOT_SLACK_BOT_TOKEN"):
        check_slack(off, socket_mode=True)
    with pytest.raises(ConfigError, match="FORUMBOT_SLACK_SIGNING_SECRET"):
        check_slack(socket, socket_mode=False)  # HTTP mode cannot verify requests
