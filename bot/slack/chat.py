"""SlackChat: the outbox transport for Slack posts and DMs, over slack_sdk's AsyncWebClient."""

from __future__ import annotations

import json
import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.errors import PermanentDeliveryError, TemporaryDeliveryError

log = logging.getLogger(__name__)

# Errors no retry can mend: the message or its target is wrong, or we are not allowed.
PERMANENT = {
    "channel_not_found",
    "not_in_channel",
    "is_archived",
    "user_not_found",
    "user_disabled",
    "invalid_blocks",
    "invalid_blocks_format",
    "msg_too_long",
    "no_text",
    "too_many_attachments",
    "restricted_action",
    "cannot_dm_bot",
    "account_inactive",
    "invalid_auth",
    "not_authed",
    "token_revoked",
    "missing_scope",
    # chat.update of a post that was deleted or is not the bot's
    "message_not_found",
    "cant_update_message",
    "edit_window_closed",
}


class SlackChat:
    """See `bot.domain.ports.Transport`. The payload is chat.postMessage's JSON arguments
    (chat.update's when it carries the `ts` of the post to edit)."""

    channel = "slack"

    def __init__(self, client: AsyncWebClient) -> None:
        self._client = client

    async def deliver(self, recipient: str, payload: bytes) -> str | None:
        """Post (or edit); the receipt is where the post landed, "CHANNEL/TS"."""
        arguments = json.loads(payload)
        try:
            if "ts" in arguments:  # an edit of an earlier post (ChatMessage.update_ts)
                response = await self._client.chat_update(**arguments)
            else:
                response = await self._client.chat_postMessage(**arguments)
        except SlackApiError as error:
            raise classify(error) from error
        except (OSError, TimeoutError) as error:
            raise TemporaryDeliveryError(f"{type(error).__name__}: {error}") from error
        channel, ts = response.get("channel"), response.get("ts")
        return f"{channel}/{ts}" if channel and ts else None

    async def aclose(self) -> None:
        """Nothing to close: the client opens a session per call."""


def classify(error: SlackApiError) -> TemporaryDeliveryError | PermanentDeliveryError:
    """Slack's `{"ok": false, "error": ...}` as ours; a 429 carries its Retry-After."""
    response = error.response
    reason = (
        str(response.get("error", "unknown_error"))
        if response is not None
        else str(error)
    )
    status = getattr(response, "status_code", None)
    if status == 429 or reason == "ratelimited":
        headers = getattr(response, "headers", {}) or {}
        after = headers.get("Retry-After") or headers.get("retry-after") or "1"
        return TemporaryDeliveryError("ratelimited", code=429, retry_after=float(after))
    if reason in PERMANENT:
        return PermanentDeliveryError(reason)
    return TemporaryDeliveryError(reason)
