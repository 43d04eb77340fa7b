"""Direct messages and mentions go to the conversational router; replies go through the outbox."""

from __future__ import annotations

import json
from typing import Any

from tests.slack.conftest import FRONT_DOOR
from tests.slack.harness import FORUM_CHANNEL, KIM, SlackBot


def dm(text: str, ts: str = "1700000100.000100", **more: Any) -> dict[str, Any]:
    return {
        "type": "message",
        "channel_type": "im",
        "channel": "D0KIM",
        "user": KIM.id,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        **more,
    }


async def test_a_direct_message_is_answered_through_the_outbox(
    slackbot: SlackBot,
) -> None:
    response = await slackbot.event(dm("hello"))
    assert response.status_code == 200
    await slackbot.settle()

    (row,) = await slackbot.outbox()
    assert (row.channel, row.recipient, row.status) == ("slack", "D0KIM", "pending")
    assert slackbot.api.calls_to("chat.postMessage") == []  # nothing is posted directly

    assert await slackbot.services.delivery_worker().drain() == 1

    (posted,) = await slackbot.wait_for("chat.postMessage")
    assert posted.args["channel"] == "D0KIM"
    assert posted.args["text"].startswith("Hello! I run the Practitioner Forum")
    assert "thread_ts" not in posted.args  # a DM is answered in the conversation itself
    (sent,) = await slackbot.outbox()
    assert sent.status == "sent"


async def test_a_question_by_direct_message_gets_the_handoff(
    slackbot: SlackBot,
) -> None:
    await slackbot.event(dm("What is the threshold for an early help assessment?"))
    await slackbot.settle()

    (row,) = await slackbot.outbox()
    payload = json.loads(row.payload)
    assert payload["text"].startswith(
        "I could not find a clear answer"
    )  # no documents here
    buttons = [
        e["action_id"]
        for b in payload["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    ]
    assert "kb_handoff" in buttons


async def test_a_child_in_danger_by_direct_message_gets_the_urgent_contacts_first(
    slackbot: SlackBot,
) -> None:
    await slackbot.event(
        dm("the 6 year old next door is home alone tonight, what do i do")
    )
    await slackbot.settle()

    (row,) = await slackbot.outbox()
    text = json.loads(row.payload)["text"]
    assert text.splitlines()[0].endswith(f"{FRONT_DOOR.name}: {FRONT_DOOR.phone}.")


async def test_a_mention_is_answered_in_its_thread(slackbot: SlackBot) -> None:
    mention = {
        "type": "app_mention",
        "user": KIM.id,
        "text": "<@U0BOT> hi",
        "ts": "1700000200.000300",
        "channel": FORUM_CHANNEL,
        "event_ts": "1700000200.000300",
    }
    response = await slackbot.event(mention)
    assert response.status_code == 200
    await slackbot.settle()
    await slackbot.services.delivery_worker().drain()

    (posted,) = await slackbot.wait_for("chat.postMessage")
    assert posted.args["channel"] == FORUM_CHANNEL
    assert posted.args["thread_ts"] == "1700000200.000300"
    # The mention itself is not the question.
    assert posted.args["text"].startswith("Hello!")


async def test_a_mention_inside_a_thread_is_answered_in_that_thread(
    slackbot: SlackBot,
) -> None:
    await slackbot.event(
        {
            "type": "app_mention",
            "user": KIM.id,
            "text": "<@U0BOT> thanks",
            "ts": "1700000300.000500",
            "thread_ts": "1700000200.000300",
            "channel": FORUM_CHANNEL,
        }
    )
    await slackbot.settle()

    (row,) = await slackbot.outbox()
    assert json.loads(row.payload)["thread_ts"] == "1700000200.000300"


async def test_edits_joins_and_other_bots_get_no_reply(slackbot: SlackBot) -> None:
    edited = dm("", subtype="message_changed", message={"text": "hello again"})
    edited.pop("user")
    other_bot = dm("hello", ts="1700000100.000200", bot_id="B0OTHER")
    ourselves = dm("hello", ts="1700000100.000300", user="U0BOT", bot_id="B0BOT")
    joined = dm("", ts="1700000100.000400", subtype="channel_join")
    for event in (edited, other_bot, ourselves, joined):
        assert (await slackbot.event(event)).status_code == 200
    await slackbot.settle()

    assert await slackbot.outbox() == []
    await slackbot.event(dm("hello", ts="1700000100.000500"))  # while a person still is
    await slackbot.settle()
    assert len(await slackbot.outbox()) == 1


async def test_the_same_message_delivered_twice_is_answered_once(
    slackbot: SlackBot,
) -> None:
    """Slack retries events it thinks were lost; the reply's key is the message's ts."""
    await slackbot.event(dm("hello"))
    await slackbot.event(dm("hello"))
    await slackbot.settle()
    assert len(await slackbot.outbox()) == 1
