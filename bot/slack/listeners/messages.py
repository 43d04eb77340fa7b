"""Direct messages and mentions: both go to the one conversational router; replies go through the outbox."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.domain.chat import ChatMessage, queue_chat
from bot.runtime import Services
from bot.slack import blocks, flows
from bot.slack.listeners import SlackCall, guarded

_MENTION = re.compile(r"<@[A-Z0-9]+>")


def register(app: AsyncApp) -> None:
    app.event({"type": "message", "channel_type": "im"})(guarded(direct_message))
    app.event("app_mention")(guarded(mention))


async def direct_message(call: SlackCall) -> None:
    await call.ack()
    event = call.body["event"]
    # Edits, joins and the bot's own posts arrive as messages too; only people's new text counts.
    if event.get("subtype") or event.get("bot_id") or not event.get("text"):
        return
    await _answer(call.services, event, thread=False)


async def mention(call: SlackCall) -> None:
    await call.ack()
    await _answer(call.services, call.body["event"], thread=True)


async def _answer(services: Services, event: dict[str, Any], *, thread: bool) -> None:
    question = _MENTION.sub("", str(event.get("text", ""))).strip()
    reply = await flows.answer(services, question)
    message = ChatMessage(
        key=f"reply:{event['channel']}:{event['ts']}",
        to=str(event["channel"]),
        text=reply.text,
        blocks=blocks.reply_blocks(reply),
        thread_ts=str(event.get("thread_ts") or event["ts"]) if thread else None,
    )
    async with services.sessions() as session:
        await queue_chat(session, [message], now=services.clock.now())
        await session.commit()
