"""Questions in advance and attendance in Slack, through signed requests to the real app.

The app runs against the local Slack Web API stand-in; what it opens, posts and updates is
read back from the stand-in's record.
"""

from __future__ import annotations

import json
import urllib.parse
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from bot.store.tables import ForumSession, Rsvp, SessionQuestion
from tests.forum.question_rows import forum_session, member
from tests.slack import conftest as slack_fixtures
from tests.slack.harness import (
    APP_ID,
    CHAIR,
    KIM,
    SAM,
    TEAM,
    SlackBot,
    User,
    picked,
    reply_text,
    state,
    ticked,
    typed,
)

# The Slack fixtures (tests/slack/conftest.py), usable in this folder.
slack_api = slack_fixtures.slack_api
slack_settings = slack_fixtures.slack_settings
slackbot = slack_fixtures.slackbot

TYPED = "Is <b>this</b> & <!channel> escalation <@U0SAM> ok?"
ESCAPED = (
    "Is &lt;b&gt;this&lt;/b&gt; &amp; &lt;!channel&gt; escalation &lt;@U0SAM&gt; ok?"
)


@pytest.fixture
async def upcoming(slackbot: SlackBot) -> tuple[ForumSession, ForumSession]:
    """Kim and Sam are members; two sessions are coming up (the app's clock is real time)."""
    services = slackbot.services
    await member(services, KIM.email, KIM.name)
    await member(services, SAM.email, SAM.name)
    soon = datetime.now(UTC) + timedelta(days=7)
    first = await forum_session(services, soon, title="Spring forum")
    second = await forum_session(
        services, soon + timedelta(days=90), title="Summer forum"
    )
    return first, second


async def _submit(
    slackbot: SlackBot, user: User, values: dict[str, Any], metadata: str = ""
) -> Any:
    """A modal submission carrying `private_metadata`, as the harness's does not."""
    payload = {
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "partnership"},
        "user": {"id": user.id, "username": "u", "name": "u", "team_id": TEAM},
        "api_app_id": APP_ID,
        "token": "legacy-verification-token",
        "trigger_id": "9.trigger",
        "is_enterprise_install": False,
        "view": {
            "id": "V0Q",
            "team_id": TEAM,
            "type": "modal",
            "callback_id": "session_question",
            "private_metadata": metadata,
            "state": {"values": values},
            "hash": "h",
            "app_id": APP_ID,
        },
        "response_urls": [],
    }
    body = urllib.parse.urlencode({"payload": json.dumps(payload)})
    response = await slackbot.post(body, "application/x-www-form-urlencoded")
    assert response.status_code == 200
    return response.json() if response.text else None


async def _questions(slackbot: SlackBot) -> list[SessionQuestion]:
    async with slackbot.services.sessions() as session:
        rows = await session.exec(
            select(SessionQuestion).order_by(col(SessionQuestion.id))
        )
        return list(rows.all())


async def test_the_command_opens_a_modal_with_a_session_choice_and_stores_the_question(
    slackbot: SlackBot, upcoming: tuple[ForumSession, ForumSession]
) -> None:
    first, second = upcoming
    await slackbot.command(KIM, "question")
    (opened,) = await slackbot.wait_for("views.open")
    view = opened.args["view"]
    if isinstance(view, str):
        view = json.loads(view)
    assert view["callback_id"] == "session_question"
    select_block = next(b for b in view["blocks"] if b.get("block_id") == "session")
    assert [o["value"] for o in select_block["element"]["options"]] == [
        str(first.id),
        str(second.id),
    ]
    values = state(
        session=picked(str(second.id)), question=typed(TYPED), anonymous=ticked()
    )
    answer = await _submit(slackbot, KIM, values)
    assert answer["response_action"] == "update"
    assert ESCAPED in reply_text({"blocks": answer["view"]["blocks"]})
    (stored,) = await _questions(slackbot)
    assert (stored.session_id, stored.text, stored.channel) == (
        second.id,
        TYPED,
        "slack",
    )
    assert stored.member_id is not None


async def test_the_button_asks_anonymously_and_bad_questions_come_back_as_errors(
    slackbot: SlackBot, upcoming: tuple[ForumSession, ForumSession]
) -> None:
    first, _second = upcoming
    message = {"channel": "C0FORUM", "ts": "1700000000.000001", "blocks": []}
    await slackbot.message_action(
        SAM, "session_question_open", str(first.id), message=message
    )
    (opened,) = await slackbot.wait_for("views.open")
    view = opened.args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["private_metadata"] == str(first.id)
    assert all(b.get("block_id") != "session" for b in view["blocks"])

    too_long = state(question=typed("x" * 1001), anonymous=ticked("yes"))
    refused = await _submit(slackbot, SAM, too_long, str(first.id))
    assert refused["response_action"] == "errors"
    assert "1001 characters" in refused["errors"]["question"]
    child = state(
        question=typed("What about Jack, 7, at school?"), anonymous=ticked("yes")
    )
    answer = await _submit(slackbot, SAM, child, str(first.id))
    assert "do not share details" in reply_text({"blocks": answer["view"]["blocks"]})
    (stored,) = await _questions(slackbot)
    assert stored.member_id is None and "Jack" not in stored.text

    outsider = await _submit(
        slackbot, CHAIR, state(question=typed("Hi?")), str(first.id)
    )
    assert "not a member" in outsider["errors"]["question"]


async def test_members_upvote_and_the_list_updates_in_place(
    slackbot: SlackBot, upcoming: tuple[ForumSession, ForumSession]
) -> None:
    first, _second = upcoming
    await _submit(slackbot, KIM, state(question=typed(TYPED)), str(first.id))
    await _submit(
        slackbot, KIM, state(question=typed("Second question")), str(first.id)
    )
    (asked, second_q) = await _questions(slackbot)

    await slackbot.command(SAM, "questions")
    listing = await slackbot.reply()
    shown = reply_text(listing)
    assert ESCAPED in shown and TYPED not in shown
    assert shown.index("Is &lt;b&gt;") < shown.index("Second question")
    message = {
        "channel": "C0FORUM",
        "ts": "1700000000.000042",
        "blocks": listing["blocks"],
    }
    await slackbot.message_action(
        SAM, "session_question_upvote", str(second_q.id), message=message
    )
    (updated,) = await slackbot.wait_for("chat.update")
    assert (updated.args["channel"], updated.args["ts"]) == (
        "C0FORUM",
        "1700000000.000042",
    )
    blocks = updated.args["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    redrawn = reply_text({"blocks": blocks})
    assert redrawn.index("Second question") < redrawn.index("Is &lt;b&gt;")
    assert "*1* vote" in redrawn

    await slackbot.message_action(
        KIM, "session_question_upvote", str(asked.id), message=message
    )
    refusal = await slackbot.reply()
    assert "your own question" in refusal["text"]


async def _ephemeral_click(
    slackbot: SlackBot, user: User, value: str, name: str
) -> None:
    """A click on a button in an ephemeral message (what `/forum questions` shows)."""
    payload = {
        "type": "block_actions",
        "user": {"id": user.id, "username": "u", "name": "u", "team_id": TEAM},
        "api_app_id": APP_ID,
        "token": "legacy-verification-token",
        "container": {
            "type": "message",
            "message_ts": "1700000000.000077",
            "channel_id": "C0FORUM",
            "is_ephemeral": True,
        },
        "trigger_id": "7.trigger",
        "team": {"id": TEAM, "domain": "partnership"},
        "is_enterprise_install": False,
        "channel": {"id": "C0FORUM", "name": "forum"},
        "response_url": slackbot.api.response_url(name),
        "actions": [
            {
                "type": "button",
                "action_id": "session_question_upvote",
                "block_id": f"question-{value}",
                "value": value,
                "action_ts": "1700000000.000078",
            }
        ],
    }
    body = urllib.parse.urlencode({"payload": json.dumps(payload)})
    assert (
        await slackbot.post(body, "application/x-www-form-urlencoded")
    ).status_code == 200


async def test_an_upvote_in_the_private_list_redraws_it_with_the_new_count(
    slackbot: SlackBot, upcoming: tuple[ForumSession, ForumSession]
) -> None:
    first, _second = upcoming
    await _submit(slackbot, SAM, state(question=typed("Only one")), str(first.id))
    (asked,) = await _questions(slackbot)
    await _ephemeral_click(slackbot, KIM, str(asked.id), "click-1")
    await _ephemeral_click(slackbot, KIM, str(asked.id), "click-2")  # a double click
    for name in ("click-1", "click-2"):
        redrawn = await slackbot.reply(name)
        assert redrawn["replace_original"] in (True, "true")
        assert "Only one\n*1* vote" in reply_text(redrawn)
    assert not slackbot.api.calls_to("chat.update")


async def test_the_chair_marks_attendance_by_mentions(
    slackbot: SlackBot, upcoming: tuple[ForumSession, ForumSession]
) -> None:
    held = await forum_session(
        slackbot.services, datetime.now(UTC) - timedelta(days=1), title="Winter forum"
    )
    await slackbot.command(KIM, f"attended {held.id} <@{SAM.id}|sam>")
    assert "only the forum's admins" in (await slackbot.reply())["text"]

    await slackbot.command(
        CHAIR, f"attended {held.id} <@{KIM.id}|kim> <@{SAM.id}> <@U0NOBODY>"
    )
    answer = (await slackbot.reply())["text"]
    assert "Marked 2 more as attended at Winter forum" in answer
    assert "<@U0NOBODY>" in answer
    async with slackbot.services.sessions() as session:
        rows = (
            await session.exec(select(Rsvp).where(col(Rsvp.session_id) == held.id))
        ).all()
    assert [r.attended for r in rows] == [True, True]
    await slackbot.command(CHAIR, f"attended {upcoming[0].id} <@{KIM.id}>")
    assert "has not started" in (await slackbot.reply())["text"]
