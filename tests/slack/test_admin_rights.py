"""Admin actions are checked on the server on every request: hiding them is not enough."""

from __future__ import annotations

import json

from tests.slack.harness import (
    CHAIR,
    FORUM_CHANNEL,
    KIM,
    SlackBot,
    state,
    typed,
)

REFUSED = "Sorry, only the forum's admins and chair can do that."


async def test_a_practitioner_cannot_run_admin_subcommands(slackbot: SlackBot) -> None:
    for text in (
        "admin members",
        f"admin find {CHAIR.email}",
        "admin announce hi",
        "admin",
    ):
        await slackbot.command(KIM, text)
        reply = await slackbot.reply()
        assert (reply["text"], reply["response_type"]) == (REFUSED, "ephemeral")

    await slackbot.settle()
    assert await slackbot.outbox() == []  # nothing queued for the forum channel


async def test_a_forged_announce_button_is_refused(slackbot: SlackBot) -> None:
    response = await slackbot.action(KIM, "admin_announce", block_id="admin")
    await slackbot.settle()

    assert response.status_code == 200  # acknowledged, then refused
    assert slackbot.api.calls_to("views.open") == []
    # An App Home button has no response URL: the refusal goes to the person as a DM.
    (row,) = await slackbot.outbox()
    assert (row.channel, row.recipient) == ("slack", KIM.id)
    assert json.loads(row.payload)["text"] == REFUSED


async def test_a_forged_announce_submission_is_refused_and_queues_nothing(
    slackbot: SlackBot,
) -> None:
    response = await slackbot.view_submission(
        KIM, "announce", state(text=typed("Forum cancelled, ignore the invitation"))
    )
    await slackbot.settle()

    assert response.status_code == 200
    body = response.json()
    assert body == {"response_action": "errors", "errors": {"text": REFUSED}}
    assert await slackbot.outbox() == []


async def test_the_chair_posts_an_announcement_from_the_app_home(
    slackbot: SlackBot,
) -> None:
    await slackbot.action(CHAIR, "admin_announce", block_id="admin")
    (opened,) = await slackbot.wait_for("views.open")
    assert opened.args["view"]["callback_id"] == "announce"

    response = await slackbot.view_submission(
        CHAIR, "announce", state(text=typed("  Briefing on neglect is out.  "))
    )

    assert response.status_code == 200 and response.text == ""
    (row,) = await slackbot.outbox()
    assert (row.channel, row.recipient, row.status) == (
        "slack",
        FORUM_CHANNEL,
        "pending",
    )
    assert json.loads(row.payload)["text"] == "Briefing on neglect is out."


async def test_an_empty_announcement_is_shown_as_an_error(slackbot: SlackBot) -> None:
    response = await slackbot.view_submission(
        CHAIR, "announce", state(text=typed("  "))
    )
    assert response.json()["response_action"] == "errors"
    assert await slackbot.outbox() == []
