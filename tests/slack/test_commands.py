"""Every `/forum` subcommand, through Bolt's real request handling, answered as Slack shows it."""

from __future__ import annotations

import json

from bot.domain import members as m
from bot.domain import membership
from bot.runtime import Services
from bot.store.tables import Member
from tests.slack.conftest import FRONT_DOOR, SUPPORT
from tests.slack.harness import (
    CHAIR,
    FORUM_CHANNEL,
    KIM,
    SAM,
    SlackBot,
    User,
    reply_text,
)


async def add(services: Services, user: User, **profile: object) -> Member:
    """A member the partnership added (active, not yet linked to Slack)."""
    async with services.sessions() as session:
        member, _ = await membership.add_member(
            session,
            services.mailroom,
            email=user.email,
            profile=m.Profile(name=user.name, **profile),  # type: ignore[arg-type]
            now=services.clock.now(),
        )
    return member


async def test_join_opens_the_modal_prefilled_from_the_slack_profile(
    slackbot: SlackBot,
) -> None:
    response = await slackbot.command(SAM, "join")
    assert response.status_code == 200

    (opened,) = await slackbot.wait_for("views.open")
    assert opened.args["trigger_id"] == "1.trigger"
    view = opened.args["view"]
    assert view["callback_id"] == "join"
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks["name"]["element"]["initial_value"] == "Sam Okafor"
    # The modal says which address they join with.
    assert SAM.email in view["blocks"][0]["text"]["text"]
    organisations = [o["value"] for o in blocks["organisation"]["element"]["options"]]
    assert organisations == slackbot.services.settings.organisations
    assert {"consent", "topics", "channels"} <= set(blocks)
    assert (await slackbot.outbox()) == []


async def test_prefs_opens_the_modal_for_a_member(slackbot: SlackBot) -> None:
    await add(
        slackbot.services, KIM, organisation="Northshire Council", topics=("Neglect",)
    )

    await slackbot.command(KIM, "prefs")

    (opened,) = await slackbot.wait_for("views.open")
    view = opened.args["view"]
    assert view["callback_id"] == "prefs"
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks["organisation"]["element"]["initial_option"]["value"] == (
        "Northshire Council"
    )
    chosen = blocks["topics"]["element"]["initial_options"]
    assert [o["value"] for o in chosen] == ["Neglect"]


async def test_prefs_for_someone_not_a_member_says_so(slackbot: SlackBot) -> None:
    await slackbot.command(SAM, "prefs")

    reply = await slackbot.reply()
    assert reply["response_type"] == "ephemeral"
    assert "not a member" in reply["text"]
    assert "`/forum join`" in reply["text"]
    assert slackbot.api.calls_to("views.open") == []


async def test_leave(slackbot: SlackBot) -> None:
    await add(slackbot.services, KIM)

    await slackbot.command(KIM, "leave")
    assert "You have left the Practitioner Forum" in (await slackbot.reply())["text"]
    async with slackbot.services.sessions() as session:
        assert (await m.get_member(session, KIM.email)).status == m.UNSUBSCRIBED

    await slackbot.command(KIM, "leave")
    assert (await slackbot.reply())["text"] == "You had already left."
    await slackbot.command(SAM, "leave")
    assert "You are not a member" in (await slackbot.reply())["text"]


async def test_sessions(slackbot: SlackBot) -> None:
    await slackbot.command(KIM, "sessions")
    reply = await slackbot.reply()
    assert reply["response_type"] == "ephemeral"
    assert "Forum sessions" in reply["text"]


async def test_ask_a_greeting(slackbot: SlackBot) -> None:
    await slackbot.command(KIM, "ask hello there")
    assert (await slackbot.reply())["text"].startswith(
        "Hello! I run the Practitioner Forum"
    )


async def test_ask_a_question_the_documents_cannot_answer_offers_the_team(
    slackbot: SlackBot,
) -> None:
    # No documents are ingested in this test: the bot says so and offers to pass it on.
    await slackbot.command(
        KIM,
        "ask When should I escalate a concern about neglect to a strategy discussion?",
    )

    reply = await slackbot.reply()
    assert reply["text"].startswith("I could not find a clear answer")
    assert f"{SUPPORT.name} ({SUPPORT.email})" in reply["text"]
    buttons = [
        e["action_id"]
        for b in reply["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    ]
    assert buttons == ["kb_helpful", "kb_unhelpful", "kb_handoff"]


async def test_ask_about_a_child_in_danger_now_gives_the_urgent_contacts_first(
    slackbot: SlackBot,
) -> None:
    await slackbot.command(
        KIM,
        "ask a pupil just told me her dad hit her and she is scared to go home tonight",
    )

    first_line = (await slackbot.reply())["text"].splitlines()[0]
    assert first_line == (
        f"If you are worried a child is in danger now: {FRONT_DOOR.name}: {FRONT_DOOR.phone}."
    )


async def test_ask_without_a_question(slackbot: SlackBot) -> None:
    await slackbot.command(KIM, "ask")
    assert "`/forum ask <question>`" in (await slackbot.reply())["text"]


async def test_an_unknown_word(slackbot: SlackBot) -> None:
    await slackbot.command(KIM, "frobnicate now")
    reply = await slackbot.reply()
    assert reply["response_type"] == "ephemeral"
    assert reply["text"] == "I don't know that command. Try `/forum help`."


async def test_admin_members(slackbot: SlackBot) -> None:
    await add(slackbot.services, KIM, organisation="Northshire Council")
    await add(slackbot.services, SAM, organisation="Northshire Police")

    await slackbot.command(CHAIR, "admin members")

    text = (await slackbot.reply())["text"]
    assert text.startswith("*Members:* 0 pending, 2 active, 0 unsubscribed")
    assert "• Northshire Council: 1" in text and "• Northshire Police: 1" in text


async def test_admin_find(slackbot: SlackBot) -> None:
    await add(slackbot.services, KIM, role="Health visitor")

    await slackbot.command(CHAIR, f"admin find {KIM.email}")
    shown = reply_text(await slackbot.reply())
    assert f"*Email:* {KIM.email}" in shown
    assert "*Role:* Health visitor" in shown
    assert "*Status:* active" in shown

    await slackbot.command(CHAIR, "admin find nobody@example.org")
    # Not found, said plainly.
    assert "nobody@example.org" in (await slackbot.reply())["text"]


async def test_admin_announce_queues_one_post_to_the_forum_channel(
    slackbot: SlackBot,
) -> None:
    await slackbot.command(
        CHAIR, "admin announce The next forum is on <Thursday> & online"
    )

    assert (await slackbot.reply())["text"] == (
        f"Your announcement is queued for <#{FORUM_CHANNEL}>."
    )
    (row,) = await slackbot.outbox()
    assert (row.channel, row.recipient, row.status) == (
        "slack",
        FORUM_CHANNEL,
        "pending",
    )
    assert row.campaign == "announcement"
    payload = json.loads(row.payload)
    assert payload["channel"] == FORUM_CHANNEL
    assert payload["text"] == "The next forum is on <Thursday> & online"
    posted = payload["blocks"][0]["text"]["text"]
    assert "&lt;Thursday&gt; &amp; online" in posted  # typed text cannot ping or link
    assert f"<@{CHAIR.id}>" in posted


async def test_admin_without_a_word_lists_the_admin_commands(
    slackbot: SlackBot,
) -> None:
    await slackbot.command(CHAIR, "admin")
    assert "*Admin commands*" in (await slackbot.reply())["text"]


async def test_join_without_an_address_from_slack_says_why(slackbot: SlackBot) -> None:
    """Without the users:read.email scope Slack shares no address, and nothing is linked."""
    slackbot.api.add_user("U0NOMAIL", "", "Alex Doe")

    await slackbot.command(User("U0NOMAIL", "", "Alex Doe"), "join")

    reply = await slackbot.reply()
    assert "did not share your email address" in reply["text"]
    assert slackbot.api.calls_to("views.open") == []
