"""The App Home tab."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.slack import flows
from bot.slack.listeners import SlackCall, guarded


def register(app: AsyncApp) -> None:
    app.event("app_home_opened")(guarded(home_opened))


async def home_opened(call: SlackCall) -> None:
    await call.ack()
    if call.body["event"].get("tab", "home") != "home":
        return
    await flows.publish_home(call.client, call.services, await call.person())
