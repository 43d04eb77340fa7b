"""Signature verification with the replay window, and a signed `/forum help` answered."""

from __future__ import annotations

import time

from tests.slack.harness import CHAIR, KIM, SlackBot, reply_text, sign

ADMIN_SECTION = "*Admin commands*"


async def test_a_forged_signature_is_refused_and_reaches_nothing(
    slackbot: SlackBot,
) -> None:
    body = SlackBot.command_body(
        KIM, "help", response_url=slackbot.api.response_url("forged"), trigger_id="1.t"
    )
    now = int(time.time())

    wrong_secret = await slackbot.post(
        body,
        "application/x-www-form-urlencoded",
        signature=sign(body, now, secret="not-the-signing-secret"),
    )
    tampered = await slackbot.post(
        body.replace("help", "admin+members"),
        "application/x-www-form-urlencoded",
        signature=sign(body, now),  # signed for the other body
    )
    await slackbot.settle()

    assert wrong_secret.status_code == 401
    assert tampered.status_code == 401
    assert slackbot.api.calls == []  # not even users.info or auth.test


async def test_a_signed_request_older_than_five_minutes_is_refused(
    slackbot: SlackBot,
) -> None:
    body = SlackBot.command_body(
        KIM, "help", response_url=slackbot.api.response_url("old"), trigger_id="1.t"
    )
    old = int(time.time()) - 5 * 60 - 30
    replayed = await slackbot.post(
        body, "application/x-www-form-urlencoded", timestamp=old
    )
    await slackbot.settle()

    # Correctly signed, but outside the replay window.
    assert replayed.status_code == 401
    assert slackbot.api.calls == []


async def test_a_signed_forum_help_is_answered_at_the_response_url(
    slackbot: SlackBot,
) -> None:
    response = await slackbot.command(KIM, "help")
    assert response.status_code == 200
    assert response.text == ""  # the bare acknowledgement; the answer comes separately

    reply = await slackbot.reply()
    assert reply["response_type"] == "ephemeral"
    assert reply["text"] == "Forum commands"
    shown = reply_text(reply)
    assert "`/forum join`" in shown and "`/forum ask <question>`" in shown
    assert ADMIN_SECTION not in shown  # a practitioner does not see the admin commands

    await slackbot.command(KIM, "")  # no word at all is help too
    assert "`/forum join`" in reply_text(await slackbot.reply())


async def test_admins_see_the_admin_section_in_help(slackbot: SlackBot) -> None:
    await slackbot.command(CHAIR, "help")
    shown = reply_text(await slackbot.reply())
    assert ADMIN_SECTION in shown
    assert "`/forum admin announce <text>`" in shown
