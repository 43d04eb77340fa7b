"""Answering a survey in Slack, through signed requests against the local Slack API
stand-in: the Answer button in the invitation DM, the modal redrawn as conditions are met,
validation errors next to the inputs, and the answers stored once."""

from __future__ import annotations

import json
import time
from typing import Any

from sqlmodel import select

from bot.domain import surveys
from bot.store.tables import Member, Survey, SurveyResponse
from tests.slack.harness import (
    APP_ID,
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
from tests.slack.test_commands import add
from tests.surveys.conftest import SCRIPT, open_survey, sample

CHANGE = "survey_answer_change"


def radio(value: str) -> dict[str, Any]:
    return {"type": "radio_buttons", "selected_option": {"value": value}}


async def slack_member(slackbot: SlackBot, user: User) -> Member:
    member = await add(slackbot.services, user)
    async with slackbot.services.sessions() as session:
        found = await session.get(Member, member.id)
        assert found is not None
        found.channels, found.slack_user_id = ["slack"], user.id
        await session.commit()
    return member


async def click_answer(slackbot: SlackBot, user: User, survey: Survey) -> None:
    dm = next(
        r
        for r in await slackbot.outbox()
        if r.idempotency_key == f"survey:{survey.id}:invite:member:1"
    )
    message = json.loads(dm.payload)
    assert message["channel"] == user.id
    await slackbot.message_action(
        user, "survey_open", str(survey.id), message=message, block_id="survey"
    )


def _view(survey: Survey, values: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "V0SURVEY",
        "team_id": TEAM,
        "type": "modal",
        "callback_id": "survey_answer",
        "private_metadata": str(survey.id),
        "state": {"values": values},
        "hash": "1.hash",
        "app_id": APP_ID,
    }


async def change(
    slackbot: SlackBot, user: User, survey: Survey, block: str, values: dict[str, Any]
) -> None:
    """Choosing an answer in the open modal, on an input that dispatches actions."""
    payload = {
        "type": "block_actions",
        "user": {"id": user.id, "username": "kim", "name": "kim", "team_id": TEAM},
        "api_app_id": APP_ID,
        "token": "legacy-verification-token",
        "container": {"type": "view", "view_id": "V0SURVEY"},
        "trigger_id": "9.trigger",
        "team": {"id": TEAM, "domain": "partnership"},
        "is_enterprise_install": False,
        "view": _view(survey, values),
        "actions": [
            {
                **values[block][CHANGE],
                "action_id": CHANGE,
                "block_id": block,
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }
    await slackbot._interaction(payload)


async def send(
    slackbot: SlackBot, user: User, survey: Survey, values: dict[str, Any]
) -> dict[str, Any]:
    payload = {
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "partnership"},
        "user": {"id": user.id, "username": "kim", "name": "kim", "team_id": TEAM},
        "api_app_id": APP_ID,
        "token": "legacy-verification-token",
        "trigger_id": "8.trigger",
        "is_enterprise_install": False,
        "view": _view(survey, values),
        "response_urls": [],
    }
    response = await slackbot._interaction(payload)
    assert response.status_code == 200
    await slackbot.settle()
    answer: dict[str, Any] = response.json()
    return answer


def block_ids(view: dict[str, Any]) -> list[str]:
    return [b["block_id"] for b in view["blocks"] if b.get("type") == "input"]


async def stored(slackbot: SlackBot) -> list[dict[str, Any]]:
    async with slackbot.services.sessions() as session:
        return [
            dict(r.answers) for r in (await session.exec(select(SurveyResponse))).all()
        ]


async def test_a_member_answers_in_the_modal_with_its_conditions(
    slackbot: SlackBot,
) -> None:
    await slack_member(slackbot, KIM)
    survey, invited = await open_survey(slackbot.services)
    assert invited == 1
    await click_answer(slackbot, KIM, survey)
    (opened,) = await slackbot.wait_for("views.open")
    view = opened.args["view"]
    assert block_ids(view) == [
        "aware",
        "confidence",
        "sector",
        "role",
        "promotion",
        "comments",
    ]
    aware = view["blocks"][1]
    assert (
        aware["dispatch_action"] is True and aware["element"]["type"] == "radio_buttons"
    )

    await change(slackbot, KIM, survey, "aware", {"aware": {CHANGE: radio("yes")}})
    (updated,) = await slackbot.wait_for("views.update")
    assert updated.args["view_id"] == "V0SURVEY"
    redrawn = updated.args["view"]
    assert block_ids(redrawn)[:2] == ["aware", "used"] and "resolved" not in block_ids(
        redrawn
    )
    assert redrawn["blocks"][1]["element"]["initial_option"]["value"] == "yes"  # kept

    values = state(comments=typed(SCRIPT)) | {
        "aware": {CHANGE: radio("yes")},
        "used": {CHANGE: radio("")},
    }
    answer = await send(slackbot, KIM, survey, values)
    assert answer == {
        "response_action": "errors",
        "errors": {"used": "Please answer this question."},
    }
    assert await stored(slackbot) == []

    values["used"] = {CHANGE: radio("no")}
    sector = next(b for b in view["blocks"] if b.get("block_id") == "sector")
    assert sector["element"]["type"] == "static_select"
    assert sector["element"]["options"][1] == {
        "text": {"type": "plain_text", "text": "Health", "emoji": True},
        "value": "1",  # by position: option texts may be longer than a value can be
    }
    values |= state(sector=picked("1"), promotion=ticked("4", "0"))
    answer = await send(slackbot, KIM, survey, values)
    assert answer["response_action"] == "update"
    assert "your answers are recorded" in json.dumps(answer["view"])
    assert await stored(slackbot) == [
        {
            "aware": "yes",
            "used": "no",
            "sector": "Health",
            "promotion": ["The partnership website", "Social media"],
            "comments": SCRIPT,
        }
    ]

    await click_answer(slackbot, KIM, survey)
    assert "already answered" in reply_text(await slackbot.reply())
    assert len(slackbot.api.calls_to("views.open")) == 1


async def test_a_new_required_question_is_shown_if_submitted_before_the_redraw(
    slackbot: SlackBot,
) -> None:
    await slack_member(slackbot, KIM)
    survey, _ = await open_survey(slackbot.services)
    answer = await send(slackbot, KIM, survey, {"aware": {CHANGE: radio("yes")}})
    assert answer["response_action"] == "update"
    assert "used" in block_ids(answer["view"])
    assert await stored(slackbot) == []


async def test_closed_surveys_and_strangers_are_refused(slackbot: SlackBot) -> None:
    await slack_member(slackbot, KIM)
    await slack_member(slackbot, SAM)
    survey, _ = await open_survey(
        slackbot.services, sample(audience={"organisations": ["Nowhere"]})
    )
    await slackbot.message_action(
        SAM, "survey_open", str(survey.id), message={"channel": SAM.id}
    )
    assert "not sent to you" in reply_text(await slackbot.reply())
    async with slackbot.services.sessions() as session:
        await surveys.set_status(
            session, survey.id or 0, surveys.CLOSED, now=slackbot.services.clock.now()
        )
        await session.commit()
    answer = await send(slackbot, KIM, survey, {"aware": {CHANGE: radio("no")}})
    assert answer["response_action"] == "update"
    assert "has closed" in json.dumps(answer["view"])
    assert await stored(slackbot) == []


async def test_a_question_depending_on_a_likert_answer_is_shown(
    slackbot: SlackBot,
) -> None:
    """Slack sends a likert point as text ("1"); the condition holds the number 1. The
    modal must compare them as the engine does, or the required follow-up is never shown
    and Submit keeps asking for it: the person is trapped."""
    definition = sample(
        ratios=[],
        questions=[
            {"id": "rating", "type": "likert", "text": "How was it?", "required": True},
            {
                "id": "why",
                "type": "text",
                "text": "What went wrong?",
                "required": True,
                "show_if": {"question": "rating", "equals": 1},
            },
        ],
    )
    await slack_member(slackbot, KIM)
    survey, _ = await open_survey(slackbot.services, definition)
    await click_answer(slackbot, KIM, survey)
    (opened,) = await slackbot.wait_for("views.open")
    assert block_ids(opened.args["view"]) == ["rating"]

    await change(slackbot, KIM, survey, "rating", {"rating": {CHANGE: radio("1")}})
    (updated,) = await slackbot.wait_for("views.update")
    assert block_ids(updated.args["view"]) == ["rating", "why"]

    values = {"rating": {CHANGE: radio("1")}} | state(why=typed("Too long"))
    answer = await send(slackbot, KIM, survey, values)
    assert answer["response_action"] == "update"
    assert "your answers are recorded" in json.dumps(answer["view"])
    assert await stored(slackbot) == [{"rating": 1, "why": "Too long"}]
