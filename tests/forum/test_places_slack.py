"""RSVP with Slack's `session_rsvp` buttons, through signed requests to the real app and
the local stand-in for Slack's Web API."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from bot.store.tables import Member
from tests.domain.mailbox import outbox_rows
from tests.forum.seats import add_session, reply, rsvps
from tests.slack import conftest as slack_fixtures
from tests.slack.harness import FORUM_CHANNEL, KIM, SAM, SlackBot, User, reply_text

# The Slack fixtures (stand-in API, settings, the app driven by signed requests).
slack_api = slack_fixtures.slack_api
slack_settings = slack_fixtures.slack_settings
slackbot = slack_fixtures.slackbot


async def _kim(bot: SlackBot, *, status: str = "active") -> Member:
    """Kim as a member, known by her Slack address (not yet linked by user id)."""
    async with bot.services.sessions() as session:
        member = Member(email=KIM.email, name=KIM.name, status=status)
        session.add(member)
        await session.commit()
        return member


def _announcement(session_id: int) -> dict[str, object]:
    return {
        "channel": FORUM_CHANNEL,
        "text": "Practitioner Forum",
        "blocks": [
            {
                "type": "actions",
                "block_id": "rsvp",
                "elements": [
                    {
                        "type": "button",
                        "action_id": "session_rsvp",
                        "value": f"{session_id}:yes",
                    },
                    {
                        "type": "button",
                        "action_id": "session_rsvp",
                        "value": f"{session_id}:no",
                    },
                ],
            }
        ],
    }


async def _click(bot: SlackBot, user: User, value: str, session_id: int) -> str:
    response = await bot.message_action(
        user,
        "session_rsvp",
        value,
        message=_announcement(session_id),
        block_id="rsvp",
    )
    assert response.status_code == 200
    return reply_text(await bot.reply())


async def test_a_member_takes_a_place_and_gives_it_up_from_slack(
    slackbot: SlackBot,
) -> None:
    bot = slackbot
    soon = datetime.now(UTC) + timedelta(days=4)
    row = await add_session(
        bot.services, soon, title="Referrals <& thresholds>", capacity=1
    )
    kim = await _kim(bot)

    said = await _click(bot, KIM, f"{row.id}:yes", row.id or 0)
    assert said.startswith("You have a place.")
    assert "Referrals &lt;&amp; thresholds&gt;" in said  # escaped for mrkdwn
    assert "<https://meet.example.org/forum|Joining link>" in said
    assert await rsvps(bot.services, row) == {kim.id: "attending"}
    assert (
        await outbox_rows(bot.services, KIM.email) == []
    )  # the reply is the confirmation

    said = await _click(bot, KIM, f"{row.id}:no", row.id or 0)
    assert said.startswith("You have said you cannot come.")
    assert await rsvps(bot.services, row) == {kim.id: "declined"}


async def test_a_slack_member_promoted_from_the_waiting_list_gets_a_dm(
    slackbot: SlackBot,
) -> None:
    bot = slackbot
    soon = datetime.now(UTC) + timedelta(days=4)
    row = await add_session(bot.services, soon, capacity=1)
    async with bot.services.sessions() as session:
        ann = Member(email="ann@example.org", name="Ann", status="active")
        kim = Member(
            email=KIM.email, name=KIM.name, status="active", slack_user_id=KIM.id
        )
        session.add_all([ann, kim])
        await session.commit()
    await reply(bot.services, row, ann, True, now=datetime.now(UTC))

    said = await _click(bot, KIM, f"{row.id}:yes", row.id or 0)
    assert said.startswith("You are on the waiting list (number 1).")
    await reply(bot.services, row, ann, False, now=datetime.now(UTC))

    dms = await outbox_rows(bot.services, KIM.id)
    assert len(dms) == 1
    assert "A place has come free for you" in json.loads(dms[0].payload)["text"]
    assert await rsvps(bot.services, row) == {ann.id: "declined", kim.id: "attending"}


async def test_someone_who_is_not_a_member_is_told_to_join(slackbot: SlackBot) -> None:
    bot = slackbot
    row = await add_session(bot.services, datetime.now(UTC) + timedelta(days=4))
    said = await _click(bot, SAM, f"{row.id}:yes", row.id or 0)
    assert "not one yet" in said and "/forum join" in said
    assert await rsvps(bot.services, row) == {}


async def test_a_cancelled_session_and_a_forged_value_are_refused(
    slackbot: SlackBot,
) -> None:
    bot = slackbot
    row = await add_session(bot.services, datetime.now(UTC) + timedelta(days=4))
    await _kim(bot)
    forged = await _click(bot, KIM, f"{row.id}:maybe", row.id or 0)
    assert "That button no longer works" in forged
    past = await add_session(bot.services, datetime.now(UTC) - timedelta(days=4))
    late = await _click(bot, KIM, f"{past.id}:yes", past.id or 0)
    assert "already started or taken place" in late
    assert (
        await rsvps(bot.services, row) == {} and await rsvps(bot.services, past) == {}
    )
