"""Announcing a poll: the Slack post through the outbox, list mail with one signed link per option."""

from __future__ import annotations

import json

import pytest

from bot.domain import polls
from bot.errors import InvalidLinkError
from bot.runtime import Services
from bot.slack.poll_blocks import drawer
from bot.store.tables import Poll
from tests.domain.mailbox import outbox_rows, parse, plain_text, subject, token
from tests.polls.conftest import FORUM_CHANNEL, AddMember, MakePoll


async def announce(services: Services, poll: Poll) -> polls.Announced:
    settings = services.settings
    async with services.sessions() as session:
        fresh = await polls.get_poll(session, poll.id or 0)
        return await polls.announce_poll(
            session,
            fresh,
            room=services.mailroom,
            slack_channel=settings.slack_forum_channel,
            draw=drawer(settings.zone),
            zone=settings.zone,
            now=services.clock.now(),
        )


async def test_announcing_posts_to_slack_and_emails_active_members_once(
    services: Services, new_member: AddMember, new_poll: MakePoll
) -> None:
    kim = await new_member("kim@example.org", "Kim")
    await new_member(
        "sam@example.org", "Sam", channels=("slack",)
    )  # Slack only: no email
    poll = await new_poll(
        question="Next topic?\r\nBcc: everyone@example.org <b>now</b>"
    )

    assert await announce(services, poll) == polls.Announced(slack_posts=1, emails=1)
    assert await announce(services, poll) == polls.Announced(slack_posts=0, emails=0)

    post, mail = await outbox_rows(services)
    assert (post.channel, post.recipient, post.idempotency_key) == (
        "slack",
        FORUM_CHANNEL,
        f"poll:{poll.id}:post",
    )
    payload = json.loads(post.payload)
    buttons = [b["accessory"] for b in payload["blocks"] if "accessory" in b]
    assert [(b["action_id"], b["value"]) for b in buttons] == [
        ("poll_vote", f"{poll.id}:{n}") for n in range(3)
    ]
    assert "&lt;b&gt;now&lt;/b&gt;" in payload["blocks"][1]["text"]["text"]

    message = parse(mail.payload)
    assert mail.recipient == kim.email and mail.campaign == f"poll:{poll.id}"
    assert (
        subject(mail.payload)
        == "Poll: Next topic? Bcc: everyone@example.org <b>now</b>"
    )
    assert message["Bcc"] is None and message["List-Unsubscribe"]
    assert "List-Unsubscribe=One-Click" in str(message["List-Unsubscribe-Post"])
    links = [
        line.strip()
        for line in plain_text(mail.payload).splitlines()
        if "/vote/" in line
    ]
    assert len(links) == 3
    async with services.sessions() as session:
        member, poll_id, index = await polls.read_vote_link(
            session, services.links, token(links[2])
        )
        assert (member.id, poll_id, index) == (kim.id, poll.id, 2)
        with pytest.raises(InvalidLinkError):
            await polls.read_vote_link(
                session, services.links, token(links[2])[:-2] + "xx"
            )


async def test_a_closed_poll_is_not_announced(
    services: Services, new_poll: MakePoll
) -> None:
    poll = await new_poll()
    async with services.sessions() as session:
        await polls.close_poll(session, poll.id or 0, now=services.clock.now())
    with pytest.raises(polls.PollClosedError):
        await announce(services, poll)
    assert await outbox_rows(services) == []
