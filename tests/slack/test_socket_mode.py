"""`serve --socket-mode`: Bolt's real Socket Mode client (aiohttp) against the stand-in's websocket.

The app opens the connection with `apps.connections.open`, receives a `/forum help` envelope,
acknowledges it on the socket with the envelope's id, replies on the response URL, and hangs
up cleanly when its lifespan ends. Every wait is on the stand-in's condition, never a sleep.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import AnyHttpUrl, SecretStr

from bot.bench.slack_stand_in import SlackStandIn, slack_stand_in
from bot.settings import Settings
from bot.store.db import upgrade_schema
from bot.web.app import create_app

WAIT = 10  # seconds: a bound on each wait, far above what a pass takes
LIBRARIES = ("/slack_sdk/", "/slack_bolt/")


@pytest.fixture
async def socket_stand_in() -> AsyncIterator[SlackStandIn]:
    async with slack_stand_in() as state:
        state.add_user("U0SOCKET", "sam@partnership.example.org", "Sam Socket")
        yield state


@pytest.fixture
def socket_settings(tmp_path: Path, socket_stand_in: SlackStandIn) -> Settings:
    """Socket Mode only: a bot token and an app-level token, no signing secret."""
    settings = Settings(
        _env_file=None,
        data_dir=tmp_path / "data",
        database_url=f"sqlite:///{tmp_path / 'forumbot.db'}",
        slack_bot_token=SecretStr("xoxb-test"),
        slack_app_token=SecretStr("xapp-test"),
        slack_api_url=AnyHttpUrl(socket_stand_in.url),
        inbound_port=0,
        catcher_port=0,
    )
    upgrade_schema(settings.effective_database_url)
    return settings


def slash_command(text: str, response_url: str) -> dict[str, Any]:
    """The payload of a `slash_commands` envelope: the same fields as an HTTP slash command."""
    return {
        "token": "legacy-verification-token",
        "team_id": "T0PARTNER",
        "team_domain": "partnership",
        "channel_id": "C0FORUM",
        "channel_name": "forum",
        "user_id": "U0SOCKET",
        "user_name": "sam",
        "command": "/forum",
        "text": text,
        "api_app_id": "A0FORUMBOT",
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": "1.socket.trigger",
    }


async def test_forum_help_over_socket_mode_is_acked_and_answered(
    socket_settings: Settings, socket_stand_in: SlackStandIn
) -> None:
    app = create_app(socket_settings, background=False, socket_mode=True)
    async with asyncio.timeout(WAIT), app.router.lifespan_context(app):
        assert app.state.slack_mode == "socket"
        assert app.state.slack is None  # no /slack/events handler in Socket Mode
        envelope_id = await socket_stand_in.send_envelope(
            "slash_commands",
            slash_command("help", socket_stand_in.response_url("help")),
        )
        acks = await socket_stand_in.wait_for("socket_ack")
        replies = await socket_stand_in.wait_for("response_url")
        assert not socket_stand_in.calls_to("socket_closed")

    assert [ack.args for ack in acks] == [{"envelope_id": envelope_id}]
    assert len(replies) == 1
    reply = replies[0].args
    assert reply["_name"] == "help"
    assert reply["response_type"] == "ephemeral"
    assert reply["text"] == "Forum commands"
    assert "/forum join" in str(reply["blocks"])
    assert len(socket_stand_in.calls_to("apps.connections.open")) == 1


def slack_tasks() -> list[str]:
    """Unfinished tasks running slack_sdk's or slack_bolt's code (the Socket Mode client's)."""
    names = []
    for task in asyncio.all_tasks():
        code = getattr(task.get_coro(), "cr_code", None)
        if (
            not task.done()
            and code
            and any(lib in code.co_filename for lib in LIBRARIES)
        ):
            names.append(str(code.co_qualname))
    return names


async def test_the_app_hangs_up_cleanly_when_it_stops(
    socket_settings: Settings, socket_stand_in: SlackStandIn
) -> None:
    app = create_app(socket_settings, background=False, socket_mode=True)
    async with asyncio.timeout(WAIT):
        async with app.router.lifespan_context(app):
            await socket_stand_in.send_envelope(
                "slash_commands",
                slash_command("sessions", socket_stand_in.response_url("sessions")),
            )
            await socket_stand_in.wait_for("socket_ack")
            await socket_stand_in.wait_for("response_url")
            assert slack_tasks()  # the client's receiver, processor and monitor
        assert slack_tasks() == []  # all finished by the time the lifespan has ended
        closed = await socket_stand_in.wait_for("socket_closed")

    # A normal close (1000), by the app: the stand-in never hung up on it.
    assert [call.args for call in closed] == [{"code": 1000}]
    assert socket_stand_in._socket is None
    assert len(socket_stand_in.calls_to("apps.connections.open")) == 1  # no reconnect
