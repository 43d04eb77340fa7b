"""Thin listeners, one module per kind of Slack request: ack, parse, call a flow, render.

Every listener is wrapped by `guarded`, so an error after the acknowledgement still becomes
a reply to the person (Bolt's own error handler would also clear the acknowledgement it
already has, and Slack would see a 404 three seconds later).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.runtime import Services
from bot.slack.errors import reply_with_error
from bot.slack.people import SlackPeople, SlackPerson


@dataclass
class SlackCall:
    """One request from Slack, with what a listener needs to answer it."""

    body: dict[str, Any]
    client: AsyncWebClient
    context: AsyncBoltContext
    respond: AsyncRespond
    _ack: AsyncAck
    acked: bool = field(default=False)

    async def ack(self, **kwargs: Any) -> None:
        """Acknowledge at once: Slack wants an answer within 3 seconds."""
        self.acked = True
        await self._ack(**kwargs)

    @property
    def services(self) -> Services:
        services: Services = self.context["services"]
        return services

    async def person(self) -> SlackPerson:
        people: SlackPeople = self.context["people"]
        user = (
            self.body.get("user_id")
            or (self.body.get("user") or {}).get("id")
            or self.body.get("event", {}).get("user")
        )
        return await people.look_up(str(user))


Listener = Callable[[SlackCall], Awaitable[None]]


def guarded(work: Listener) -> Callable[..., Awaitable[None]]:
    """A Bolt listener that runs `work` and turns any error into a reply."""

    async def listener(
        ack: AsyncAck,
        body: dict[str, Any],
        client: AsyncWebClient,
        context: AsyncBoltContext,
        respond: AsyncRespond,
    ) -> None:
        call = SlackCall(body, client, context, respond, ack)
        try:
            await work(call)
        except Exception as error:  # noqa: BLE001  (reply_with_error logs it)
            if not call.acked:
                await ack()
            await reply_with_error(error, body, respond, context)

    listener.__name__ = work.__name__
    return listener
