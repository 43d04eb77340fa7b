"""The one place Slack errors become replies (errbot's CommandError idea)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncBoltContext, AsyncRespond

from bot.domain.chat import ChatMessage, queue_chat
from bot.errors import UserFacingError
from bot.runtime import Services

log = logging.getLogger(__name__)


async def reply_with_error(
    error: Exception,
    body: dict[str, Any],
    respond: AsyncRespond | None,
    context: AsyncBoltContext,
) -> None:
    """The one place errors become replies: a user-facing one is shown, anything else is logged.

    A slash command has a response URL for a private reply; a button on the App Home has
    none, so the reply goes to the person as a direct message, through the outbox.
    """
    if isinstance(error, UserFacingError):
        message = str(error)
    else:
        log.error(
            "Slack listener failed for %s: %r",
            body.get("type") or body.get("command"),
            error,
        )
        message = (
            "Sorry, something went wrong on our side. Please try again in a minute."
        )
    if respond is not None and body.get("response_url"):
        await respond(text=message, response_type="ephemeral", replace_original=False)
        return
    user = (body.get("user") or {}).get("id") or body.get("user_id")
    services: Services | None = context.get("services")
    if user and services is not None:
        key = (
            f"error:{user}:{body.get('trigger_id') or services.clock.now().isoformat()}"
        )
        async with services.sessions() as session:
            await queue_chat(
                session,
                [ChatMessage(key=key, to=str(user), text=message)],
                now=services.clock.now(),
            )
            await session.commit()
