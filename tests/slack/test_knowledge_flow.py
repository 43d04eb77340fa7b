"""Issue 5 in Slack, end to end: a DM question answered from the sample knowledge base, feedback,
a handoff to the team by button, and the team's answer back as a direct message.

Signed requests go to the real app's /slack/events; replies leave through the outbox and
the delivery worker to the Slack stand-in, where they are read back.
"""

from __future__ import annotations

from typing import Any

from bot.domain.knowledge import tickets
from bot.runtime import Services
from tests.domain.sample_knowledge import ingest_sample, questions
from tests.domain.sample_knowledge import tickets as ticket_rows
from tests.slack.conftest import FRONT_DOOR
from tests.slack.harness import CHAIR, KIM, SlackBot
from tests.slack.test_messages import dm

ESCALATION = "How do I escalate a disagreement with another agency about a child?"
NOT_IN_THE_DOCUMENTS = "Is there a vegetarian lunch at the practitioner forum?"
TEAM_ANSWER = "Yes: every forum has a vegetarian lunch."


def buttons(blocks: list[dict[str, Any]]) -> dict[str, tuple[str, str]]:
    """action_id -> (label, value) of the buttons in a message's blocks."""
    return {
        element["action_id"]: (element["text"]["text"], element["value"])
        for block in blocks
        if block["type"] == "actions"
        for element in block["elements"]
    }


async def delivered(slackbot: SlackBot, count: int) -> list[dict[str, Any]]:
    """Deliver what the bot queued; the arguments of every chat.postMessage, `count` in all."""
    await slackbot.settle()
    await slackbot.services.delivery_worker().drain()
    posted = await slackbot.wait_for("chat.postMessage", count)
    assert len(posted) == count
    return [call.args for call in posted]


async def helpful_flags(services: Services) -> list[bool | None]:
    return [q.helpful for q in await questions(services)]


async def test_a_question_is_answered_rated_handed_off_and_answered_by_the_team(
    slackbot: SlackBot,
) -> None:
    services = slackbot.services
    await ingest_sample(services)

    # A question the documents answer: quoted, with the three buttons under it.
    await slackbot.event(dm(ESCALATION, ts="1700000100.000100"))
    (answer,) = await delivered(slackbot, 1)
    assert answer["channel"] == "D0KIM"
    assert answer["text"].startswith("Here is what the partnership's documents say:")
    assert "Resolution and Escalation Protocol" in answer["text"]
    (asked,) = await questions(services)
    assert (asked.channel, asked.kind, asked.text) == ("slack", "answer", ESCALATION)
    value = str(asked.id)
    assert buttons(answer["blocks"]) == {
        "kb_helpful": ("Helpful", value),
        "kb_unhelpful": ("Not helpful", value),
        "kb_handoff": ("Pass to the team", value),
    }

    response = await slackbot.message_action(KIM, "kb_helpful", value, message=answer)
    assert response.status_code == 200
    thanks = await slackbot.reply()
    assert thanks["response_type"] == "ephemeral" and thanks["text"].startswith(
        "Thank you"
    )
    assert await helpful_flags(services) == [True]

    # Not in the documents: said plainly, and the button passes it to the team.
    await slackbot.event(dm(NOT_IN_THE_DOCUMENTS, ts="1700000100.000200"))
    _, unsure = await delivered(slackbot, 2)
    assert unsure["text"].startswith("I could not find a clear answer")
    handoff = (await questions(services))[-1]
    assert handoff.kind == "handoff"
    assert "kb_handoff" in buttons(unsure["blocks"])

    await slackbot.message_action(KIM, "kb_handoff", str(handoff.id), message=unsure)
    passed = await slackbot.reply()
    assert passed["response_type"] == "ephemeral"
    assert passed["replace_original"] is False  # the answer stays in the conversation
    (ticket,) = await ticket_rows(services)
    assert passed["text"].startswith(
        f"I have passed your question to the team (ticket {ticket.id})"
    )
    assert (ticket.channel, ticket.reply_to, ticket.question_id, ticket.text) == (
        "slack",
        KIM.id,
        handoff.id,
        NOT_IN_THE_DOCUMENTS,
    )
    await slackbot.message_action(KIM, "kb_handoff", str(handoff.id), message=unsure)
    await slackbot.reply()
    # A second click opens no second ticket.
    assert len(await ticket_rows(services)) == 1

    # The team answers: it comes to the asker as a direct message, through the outbox.
    assert ticket.id is not None
    async with services.sessions() as session:
        await tickets.answer_ticket(
            session,
            services.mailroom,
            ticket.id,
            TEAM_ANSWER,
            by=CHAIR.email,
            now=services.clock.now(),
        )
    *_, back = await delivered(slackbot, 3)
    assert back["channel"] == KIM.id
    assert f"*Your question:* {NOT_IN_THE_DOCUMENTS}" in back["text"]
    assert f"*Answer from the team:* {TEAM_ANSWER}" in back["text"]
    (row,) = [r for r in await slackbot.outbox() if r.recipient == KIM.id]
    assert (row.idempotency_key, row.status) == (f"ticket:{ticket.id}:answer", "sent")

    # Not helpful, on the first answer: the last word counts.
    await slackbot.message_action(KIM, "kb_unhelpful", value, message=answer)
    assert (await slackbot.reply())["text"].startswith("Thank you. The team reviews")
    assert await helpful_flags(services) == [False, None]


async def test_an_urgent_message_gets_the_contacts_first_and_no_handoff_button(
    slackbot: SlackBot,
) -> None:
    await ingest_sample(slackbot.services)
    await slackbot.event(
        dm("a girl in my class just told me her dad hit her, she is scared to go home")
    )
    (urgent,) = await delivered(slackbot, 1)
    first = urgent["text"].splitlines()[0]
    assert first.endswith(f"{FRONT_DOOR.name}: {FRONT_DOOR.phone}.")
    (asked,) = await questions(slackbot.services)
    assert asked.kind == "urgent"
    assert set(buttons(urgent["blocks"])) == {"kb_helpful", "kb_unhelpful"}


async def test_a_forged_button_value_is_refused_politely(slackbot: SlackBot) -> None:
    message = {"channel": "D0KIM", "text": "an old answer", "blocks": []}
    await slackbot.message_action(KIM, "kb_handoff", "not-a-number", message=message)
    refused = await slackbot.reply()
    assert "no longer works" in refused["text"]
    await slackbot.message_action(KIM, "kb_helpful", "999999", message=message)
    unknown = await slackbot.reply()
    assert "not known" in unknown["text"]
    assert await ticket_rows(slackbot.services) == []
