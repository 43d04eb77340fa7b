"""Outgoing chat messages (Slack posts and DMs): written to the outbox like email, sent by the worker.

The payload is what Slack's chat.postMessage takes, already fitted to Block Kit's limits, so
the transport only has to send it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.outbox import queue

CHANNEL = "slack"
MAX_BLOCKS = 50  # per message
MAX_TEXT = 3000  # per section block's text
MAX_FALLBACK = 3000  # the notification text; Slack truncates long ones anyway


@dataclass(frozen=True)
class ChatMessage:
    """A post to a Slack channel (C...) or a direct message to a user (U...)."""

    key: str
    to: str
    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    campaign: str | None = None
    thread_ts: str | None = None  # reply in a thread (to a mention, say)
    # Replace the bot's own earlier post (chat.update) instead of posting: a poll's live counts.
    update_ts: str | None = None


def clip(text: str, limit: int) -> str:
    """Text within a limit, ending in an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def fit(blocks: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Blocks clipped to Slack's text limits and split into messages of at most 50 blocks."""
    fitted = [_clip_block(b) for b in blocks]
    return [fitted[i : i + MAX_BLOCKS] for i in range(0, len(fitted), MAX_BLOCKS)] or [
        []
    ]


def _clip_block(block: dict[str, Any]) -> dict[str, Any]:
    text = block.get("text")
    if (
        block.get("type") == "section"
        and isinstance(text, dict)
        and isinstance(text.get("text"), str)
    ):
        return {**block, "text": {**text, "text": clip(text["text"], MAX_TEXT)}}
    if block.get("type") == "header" and isinstance(text, dict):
        return {**block, "text": {**text, "text": clip(str(text.get("text", "")), 150)}}
    return block


def payloads(message: ChatMessage) -> list[tuple[str, bytes]]:
    """(outbox key, chat.postMessage JSON) for each part of a message too long for one post."""
    parts = fit(message.blocks)
    text = clip(message.text, MAX_FALLBACK)
    thread = {"thread_ts": message.thread_ts} if message.thread_ts else {}
    if message.update_ts:  # SlackChat sends a payload with "ts" as chat.update
        parts, thread = parts[:1], {"ts": message.update_ts}
    return [
        (
            message.key if n == 0 else f"{message.key}#{n + 1}",
            json.dumps(
                {"channel": message.to, "text": text, "blocks": part, **thread}
            ).encode(),
        )
        for n, part in enumerate(parts)
    ]


async def queue_chat(
    session: AsyncSession, messages: list[ChatMessage], *, now: datetime
) -> int:
    """Write chat messages to the outbox; the caller commits. Returns how many parts were new."""
    rows = [
        queue.NewMessage(
            key=key,
            channel=CHANNEL,
            recipient=m.to,
            payload=payload,
            campaign=m.campaign,
        )
        for m in messages
        for key, payload in payloads(m)
    ]
    return await queue.enqueue(session, rows, now=now)
