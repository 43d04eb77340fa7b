"""Slack fixtures: the stand-in for Slack's Web API, settings pointing at it, and `slackbot`.

`slackbot` is the real FastAPI app (its lifespan entered, no background parts) with the real
Bolt app behind /slack/events, driven over httpx's ASGI transport with signed requests.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import AnyHttpUrl, SecretStr

from bot.bench.slack_stand_in import SlackStandIn, slack_stand_in
from bot.settings import Admin, Contact, Settings
from bot.store.db import upgrade_schema
from bot.web.app import create_app
from tests.slack.harness import (
    BOT_TOKEN,
    CHAIR,
    FORUM_CHANNEL,
    SIGNING_SECRET,
    USERS,
    SlackBot,
)

ORGANISATIONS = ["Northshire Council", "Northshire NHS Trust", "Northshire Police"]
TOPICS = ["Neglect", "Exploitation", "Domestic abuse"]
FRONT_DOOR = Contact(name="Children's Front Door", phone="0300 555 0100", urgent=True)
SUPPORT = Contact(name="Business support", email="support@partnership.example.org")


@pytest.fixture
async def slack_api() -> AsyncIterator[SlackStandIn]:
    """The stand-in for Slack's Web API, knowing the test's Slack users."""
    async with slack_stand_in() as api:
        for user in USERS:
            api.add_user(user.id, user.email, user.name)
        yield api


@pytest.fixture
def slack_settings(settings: Settings, slack_api: SlackStandIn) -> Settings:
    """Slack on in HTTP mode against the stand-in, over a migrated database; CHAIR is the chair."""
    on = settings.model_copy(
        update={
            "slack_bot_token": SecretStr(BOT_TOKEN),
            "slack_signing_secret": SecretStr(SIGNING_SECRET),
            "slack_api_url": AnyHttpUrl(slack_api.url),
            "slack_forum_channel": FORUM_CHANNEL,
            "organisations": ORGANISATIONS,
            "topics": TOPICS,
            "contacts": [FRONT_DOOR, SUPPORT],
            "admins": [Admin(email=CHAIR.email, roles=["chair"])],
        }
    )
    upgrade_schema(on.effective_database_url)
    return on


@pytest.fixture
async def slackbot(
    slack_settings: Settings, slack_api: SlackStandIn
) -> AsyncIterator[SlackBot]:
    app = create_app(slack_settings, background=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver"
        ) as http:
            bot = SlackBot(app, http, slack_api)
            try:
                yield bot
            finally:
                await bot.settle()  # nothing still writing when the database closes
