"""Posting through the outbox: Block Kit's limits, Slack's rate limits and Retry-After, errors."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_slack_response import AsyncSlackResponse
from sqlmodel import col, select

from bot.bench.slack_stand_in import Call, SlackStandIn
from bot.domain.chat import ChatMessage, queue_chat
from bot.errors import PermanentDeliveryError, TemporaryDeliveryError
from bot.runtime import Services, open_services
from bot.settings import Settings
from bot.slack.chat import classify
from bot.store.tables import Bounce, OutboxMessage
from tests.conftest import StepClock
from tests.slack.harness import FORUM_CHANNEL, WAIT


@pytest.fixture
async def posting(
    slack_settings: Settings, clock: StepClock
) -> AsyncIterator[Services]:
    """The runtime on the test's clock; its Slack transport talks to the stand-in."""
    async with open_services(slack_settings, clock=clock) as services:
        assert services.transports["slack"].channel == "slack"
        yield services


async def posted(api: SlackStandIn, count: int = 1) -> list[Call]:
    async with asyncio.timeout(WAIT):
        return await api.wait_for("chat.postMessage", count)


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


async def queue(services: Services, message: ChatMessage) -> int:
    async with services.sessions() as session:
        added = await queue_chat(session, [message], now=services.clock.now())
        await session.commit()
    return added


async def rows(services: Services) -> list[OutboxMessage]:
    async with services.sessions() as session:
        found = await session.exec(
            select(OutboxMessage).order_by(col(OutboxMessage.id))
        )
        return list(found.all())


async def test_a_long_message_is_split_into_posts_of_at_most_50_blocks(
    posting: Services, slack_api: SlackStandIn
) -> None:
    blocks = [section(f"Item {n}") for n in range(120)]
    message = ChatMessage(
        key="digest:1", to=FORUM_CHANNEL, text="Digest", blocks=blocks
    )

    assert await queue(posting, message) == 3
    queued = await rows(posting)
    assert [r.idempotency_key for r in queued] == [
        "digest:1",
        "digest:1#2",
        "digest:1#3",
    ]
    assert {(r.channel, r.recipient) for r in queued} == {("slack", FORUM_CHANNEL)}
    assert await queue(posting, message) == 0  # queued twice, stored once

    assert await posting.delivery_worker().drain() == 3

    posts = await posted(slack_api, 3)
    assert sorted(len(call.args["blocks"]) for call in posts) == [20, 50, 50]
    texts = [b["text"]["text"] for call in posts for b in call.args["blocks"]]
    assert sorted(texts) == sorted(f"Item {n}" for n in range(120))  # none lost
    assert {r.status for r in await rows(posting)} == {"sent"}


async def test_long_text_is_clipped_to_slacks_limits(
    posting: Services, slack_api: SlackStandIn
) -> None:
    long = "x" * 5000
    message = ChatMessage(
        key="long:1",
        to=FORUM_CHANNEL,
        text="y" * 4000,
        blocks=[
            section(long),
            {"type": "header", "text": {"type": "plain_text", "text": "h" * 200}},
        ],
    )
    await queue(posting, message)
    await posting.delivery_worker().drain()

    (post,) = await posted(slack_api)
    body, header = post.args["blocks"]
    assert len(body["text"]["text"]) == 3000
    assert body["text"]["text"] == "x" * 2999 + "…"
    assert len(header["text"]["text"]) == 150 and header["text"]["text"].endswith("…")
    assert len(post.args["text"]) == 3000 and post.args["text"].endswith("…")


async def test_ratelimited_waits_exactly_as_long_as_slack_asks(
    posting: Services, slack_api: SlackStandIn, clock: StepClock
) -> None:
    slack_api.fail("chat.postMessage", "ratelimited", retry_after=7)
    await queue(posting, ChatMessage(key="busy:1", to=FORUM_CHANNEL, text="Hello"))
    worker = posting.delivery_worker()
    start = clock.now()

    assert await worker.drain() == 1
    (row,) = await rows(posting)
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.next_attempt_at == start + timedelta(seconds=7)
    assert row.last_error == "429 ratelimited"

    clock.advance(seconds=6)
    assert await worker.drain() == 0  # not before Slack said

    clock.advance(seconds=1)
    assert await worker.drain() == 1
    (row,) = await rows(posting)
    assert (row.status, row.attempts) == ("sent", 2)
    assert len(slack_api.calls_to("chat.postMessage")) == 2


async def test_a_channel_that_does_not_exist_fails_permanently(
    posting: Services, slack_api: SlackStandIn
) -> None:
    slack_api.fail("chat.postMessage", "channel_not_found")
    await queue(posting, ChatMessage(key="lost:1", to="C0GONE", text="Hello"))

    assert await posting.delivery_worker().drain() == 1

    (row,) = await rows(posting)
    assert (row.status, row.attempts) == ("failed", 1)
    assert row.last_error is not None and "channel_not_found" in row.last_error
    assert await posting.delivery_worker().drain() == 0  # never tried again
    assert row.last_error == "channel_not_found"  # Slack's own word, no HTTP status
    async with posting.sessions() as session:  # bounces are about email addresses only
        assert (await session.exec(select(Bounce))).all() == []


async def test_a_temporary_slack_error_is_retried_with_backoff(
    posting: Services, slack_api: SlackStandIn, clock: StepClock
) -> None:
    slack_api.fail("chat.postMessage", "internal_error")
    await queue(posting, ChatMessage(key="flaky:1", to=FORUM_CHANNEL, text="Hello"))

    await posting.delivery_worker().drain()

    (row,) = await rows(posting)
    assert row.status == "pending" and row.next_attempt_at > clock.now()
    clock.advance(seconds=posting.settings.delivery_backoff_base_seconds)
    assert await posting.delivery_worker().drain() == 1
    assert (await rows(posting))[0].status == "sent"


# --- classify: Slack's answers as our delivery errors


def slack_error(
    data: dict[str, Any], *, status: int = 200, headers: dict[str, str] | None = None
) -> SlackApiError:
    response = AsyncSlackResponse(
        client=None,
        http_verb="POST",
        api_url="https://slack.com/api/chat.postMessage",
        req_args={},
        data=data,
        headers=headers or {},
        status_code=status,
    )
    return SlackApiError(  # type: ignore[no-untyped-call]
        "The request to the Slack API failed.", response
    )


@pytest.mark.parametrize("header", ["Retry-After", "retry-after"])
def test_classify_a_429_carries_retry_after(header: str) -> None:
    error = classify(
        slack_error(
            {"ok": False, "error": "ratelimited"}, status=429, headers={header: "30"}
        )
    )
    assert isinstance(error, TemporaryDeliveryError)
    assert (error.retry_after, error.code, error.permanent) == (30.0, 429, False)


def test_classify_a_429_without_retry_after_waits_a_second() -> None:
    error = classify(slack_error({"ok": False, "error": "ratelimited"}, status=429))
    assert isinstance(error, TemporaryDeliveryError) and error.retry_after == 1.0


@pytest.mark.parametrize(
    "reason",
    [
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "invalid_blocks",
        "invalid_auth",
        "missing_scope",
        "msg_too_long",
    ],
)
def test_classify_errors_no_retry_can_mend_as_permanent(reason: str) -> None:
    error = classify(slack_error({"ok": False, "error": reason}))
    assert isinstance(error, PermanentDeliveryError)
    assert error.reason == reason and error.permanent


@pytest.mark.parametrize(
    "reason", ["internal_error", "fatal_error", "service_unavailable"]
)
def test_classify_other_errors_as_temporary(reason: str) -> None:
    error = classify(slack_error({"ok": False, "error": reason}, status=200))
    assert isinstance(error, TemporaryDeliveryError)
    assert error.reason == reason and error.retry_after is None


def test_classify_without_a_response() -> None:
    error = classify(SlackApiError("connection reset", None))  # type: ignore[no-untyped-call]
    assert isinstance(error, TemporaryDeliveryError)
    assert "connection reset" in error.reason


async def test_slack_errors_reach_the_transport_through_the_real_client(
    posting: Services, slack_api: SlackStandIn
) -> None:
    """The stand-in's 429 reaches `classify` with Slack's header, through slack_sdk."""
    slack_api.fail("chat.postMessage", "ratelimited", retry_after=12)
    transport = posting.transports["slack"]
    payload = json.dumps(
        {"channel": FORUM_CHANNEL, "text": "Hi", "blocks": []}
    ).encode()
    with pytest.raises(TemporaryDeliveryError) as caught:
        await transport.deliver(FORUM_CHANNEL, payload)
    assert (caught.value.retry_after, caught.value.code) == (12.0, 429)
