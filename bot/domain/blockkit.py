"""Block Kit primitives as plain dicts: no Slack library, so the domain can build the chat
messages it queues in the outbox and the Slack channel can build its views, with one escape
and one button between them."""

from __future__ import annotations

from typing import Any

from bot.domain.chat import clip

Block = dict[str, Any]


def escape(value: str) -> str:
    """Slack mrkdwn treats &, < and > as control characters; typed text must not."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def link(url: str | None, label: str) -> str | None:
    """A mrkdwn link `<url|label>`, or None unless `url` is http(s). The URL's &, < and >
    are escaped and a `|` (which would end the URL early) is percent-encoded, so a typed
    joining link cannot change the message or point somewhere else."""
    address = (url or "").strip()
    if not address.lower().startswith(("https://", "http://")) or " " in address:
        return None
    return f"<{escape(address).replace('|', '%7C')}|{escape(label)}>"


def text(markdown: str) -> Block:
    """A section of mrkdwn, clipped to Slack's 3,000 characters."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(markdown, 3000)}}


def plain(value: str, limit: int = 75) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip(value, limit), "emoji": True}


def button(
    label: str, action_id: str, value: str = "", style: str | None = None
) -> Block:
    """A button; its value defaults to the action id."""
    element: Block = {
        "type": "button",
        "text": plain(label),
        "action_id": action_id,
        "value": value or action_id,
    }
    if style:
        element["style"] = style
    return element


def input_block(
    block_id: str, label: str, element: Block, *, optional: bool = False
) -> Block:
    """A labelled input of a modal."""
    return {
        "type": "input",
        "block_id": block_id,
        "label": plain(label, 2000),
        "element": element,
        "optional": optional,
    }
