"""The chair's session modals and `/forum sessions`, through signed requests to the real app.

The app runs against the local Slack Web API stand-in; modals opened are read back from the
stand-in, submissions are signed view_submission payloads, messages are read from the outbox.
"""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

from sqlmodel import select

from bot.store.tables import ForumSession
from tests.forum.sessions_kit import add_member
from tests.slack import conftest as slack_fixtures
from tests.slack.harness import (
    APP_ID,
    CHAIR,
    KIM,
    TEAM,
    SlackBot,
    User,
    reply_text,
    state,
    ticked,
    typed,
)

slack_api = slack_fixtures.slack_api
slack_settings = slack_fixtures.slack_settings
slackbot = slack_fixtures.slackbot


def _values(
    title: str = "Forum: <neglect> & you", start: str = "14:00", end: str = "15:30"
) -> dict[str, Any]:
    return state(
        title=typed(title),
        date={"type": "datepicker", "selected_date": "2027-10-26"},
        start_time={"type": "timepicker", "selected_time": start},
        end_time={"type": "timepicker", "selected_time": end},
        join_url=typed("https://meet.example.org/forum"),
        capacity={"type": "number_input", "value": "60"},
        items=typed("Neglect toolkit\n\nCase review"),
        audience_topics={"type": "multi_static_select", "selected_options": []},
        send=ticked("send"),
    )


async def _submit(
    slackbot: SlackBot,
    user: User,
    callback: str,
    values: dict[str, Any],
    metadata: str = "",
) -> Any:
    """A signed view_submission carrying `private_metadata` (the harness's carries none)."""
    payload = {
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "partnership"},
        "user": {"id": user.id, "username": "u", "name": "u", "team_id": TEAM},
        "api_app_id": APP_ID,
        "token": "legacy-verification-token",
        "trigger_id": "9.trigger",
        "is_enterprise_install": False,
        "view": {
            "id": "V0S",
            "team_id": TEAM,
            "type": "modal",
            "callback_id": callback,
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


async def _rows(slackbot: SlackBot) -> list[ForumSession]:
    async with slackbot.services.sessions() as session:
        return list((await session.exec(select(ForumSession))).all())


async def _keys(slackbot: SlackBot) -> list[tuple[str, str]]:
    return [
        (r.channel, r.recipient)
        for r in await slackbot.outbox()
        if r.idempotency_key.startswith("session:")
    ]


async def test_only_the_chair_opens_the_modal(slackbot: SlackBot) -> None:
    await slackbot.command(KIM, "session new")
    assert "only the forum's chair and admins" in (await slackbot.reply())["text"]
    refused = await _submit(slackbot, KIM, "session_edit", _values())
    assert refused is None and await _rows(slackbot) == []
    await slackbot.settle()


async def test_chair_creates_edits_and_cancels(slackbot: SlackBot) -> None:
    await add_member(slackbot.services, KIM.name, email=KIM.email, slack=KIM.id)
    await slackbot.command(CHAIR, "session new")
    (opened,) = await slackbot.wait_for("views.open")
    assert opened.args["view"]["callback_id"] == "session_edit"
    wrong = await _submit(slackbot, CHAIR, "session_edit", _values(end="13:00"))
    assert wrong == {
        "response_action": "errors",
        "errors": {"end_time": "The session must end after it starts."},
    }
    saved = await _submit(slackbot, CHAIR, "session_edit", _values())
    assert saved["response_action"] == "update"
    assert "&lt;neglect&gt; &amp; you" in reply_text(
        {"blocks": saved["view"]["blocks"]}
    )
    await slackbot.settle()
    (row,) = await _rows(slackbot)
    # British Summer Time lasts until 31 October 2027: 14:00 in London is 13:00 UTC.
    assert row.starts_at.isoformat() == "2027-10-26T13:00:00+00:00"
    assert row.agenda[-2:] == ["Neglect toolkit", "Case review"] and row.capacity == 60
    assert sorted(await _keys(slackbot)) == [
        ("email", KIM.email),
        ("slack", "C0FORUM"),
        ("slack", KIM.id),
    ]

    await slackbot.command(CHAIR, "session edit " + str(row.id))
    opened = (await slackbot.wait_for("views.open", 2))[-1]
    assert opened.args["view"]["private_metadata"] == str(row.id)
    title_block = opened.args["view"]["blocks"][0]
    assert title_block["element"]["initial_value"] == "Forum: <neglect> & you"
    moved = await _submit(
        slackbot,
        CHAIR,
        "session_edit",
        _values(start="15:00", end="16:00"),
        str(row.id),
    )
    assert moved["response_action"] == "update"
    await slackbot.settle()
    assert (
        len(await _keys(slackbot)) == 6
    )  # the update: email, DM and channel post again

    await slackbot.command(CHAIR, "session cancel " + str(row.id))
    opened = (await slackbot.wait_for("views.open", 3))[-1]
    assert opened.args["view"]["callback_id"] == "session_cancel"
    await _submit(slackbot, CHAIR, "session_cancel", {}, str(row.id))
    await slackbot.settle()
    (row,) = await _rows(slackbot)
    assert (row.status, row.sequence) == ("cancelled", 2)
    last = [
        r
        for r in await slackbot.outbox()
        if r.idempotency_key.startswith(f"session:{row.id}:seq2")
    ]
    assert sorted(r.recipient for r in last) == sorted([KIM.email, KIM.id, "C0FORUM"])


async def test_sessions_lists_upcoming_with_rsvp_buttons(slackbot: SlackBot) -> None:
    await slackbot.command(KIM, "sessions")
    assert "none are scheduled" in (await slackbot.reply())["text"]
    await _submit(slackbot, CHAIR, "session_edit", _values(title="Autumn forum"))
    await slackbot.settle()
    (row,) = await _rows(slackbot)
    await slackbot.command(KIM, "sessions")
    reply = await slackbot.reply()
    assert "Autumn forum" in reply_text(reply) and "14:00" in reply_text(reply)
    values = [
        e["value"]
        for b in reply["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    ]
    assert values == [f"{row.id}:yes", f"{row.id}:no", str(row.id)]
