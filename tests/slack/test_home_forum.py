"""The App Home tab's forum part: the next sessions with the member's reply, open polls, and
buttons pressed there (which have no message to update, so the tab redraws itself)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from bot.domain import polls
from bot.domain.forum.places import ATTENDING
from tests.forum.seats import add_session, rsvps
from tests.polls.conftest import make_poll
from tests.slack.harness import KIM, SlackBot
from tests.slack.test_commands import add
from tests.slack.test_home import home_of, shown


def values(view: dict[str, Any], action_id: str) -> list[str]:
    """The values of the tab's buttons with this action id (in rows or beside text)."""
    elements = [
        element
        for block in view["blocks"]
        for element in [*block.get("elements", []), block.get("accessory") or {}]
    ]
    return [e["value"] for e in elements if e.get("action_id") == action_id]


async def test_the_tab_shows_the_next_sessions_and_open_polls(
    slackbot: SlackBot,
) -> None:
    services = slackbot.services
    await add(services, KIM)
    now = services.clock.now()
    soon = await add_session(services, now + timedelta(days=3), title="Referrals <b>")
    later = await add_session(services, now + timedelta(days=90), title="Out of sight")
    past = await add_session(services, now - timedelta(days=3), title="Last time")
    poll = await make_poll(services, question="Next topic?")
    closed = await make_poll(services, question="Old poll", hours=1)
    async with services.sessions() as session:
        await polls.close_poll(session, closed.id or 0, now=services.clock.now())
        await session.commit()

    view = await home_of(slackbot, KIM)
    text = shown(view)
    assert text.index("Referrals &lt;b&gt;") < text.index("Out of sight")
    assert "Last time" not in text and "You have not replied yet." in text
    assert values(view, "session_rsvp") == [
        f"{soon.id}:yes",
        f"{soon.id}:no",
        f"{later.id}:yes",
        f"{later.id}:no",
    ]
    assert past.id not in {int(v.split(":")[0]) for v in values(view, "session_rsvp")}
    assert "Next topic?" in json.dumps(view) and "Old poll" not in json.dumps(view)
    assert values(view, "poll_vote")[0] == f"{poll.id}:0"


async def test_a_reply_from_the_tab_is_recorded_and_the_tab_redrawn(
    slackbot: SlackBot,
) -> None:
    services = slackbot.services
    kim = await add(services, KIM)
    row = await add_session(services, services.clock.now() + timedelta(days=3))
    await home_of(slackbot, KIM)

    response = await slackbot.action(
        KIM, "session_rsvp", block_id=f"session_{row.id}", value=f"{row.id}:yes"
    )
    assert response.status_code == 200
    redrawn = (await slackbot.wait_for("views.publish", 2))[-1].args["view"]
    assert (await rsvps(services, row))[kim.id or 0] == ATTENDING
    assert "You have a place." in shown(redrawn)
    assert slackbot.api.calls_to("response_url") == []  # nothing to respond to


async def test_a_vote_from_the_tab_is_recorded_and_the_tab_redrawn(
    slackbot: SlackBot,
) -> None:
    services = slackbot.services
    await add(services, KIM)
    poll = await make_poll(services, question="Next topic?")
    await home_of(slackbot, KIM)

    response = await slackbot.action(
        KIM, "poll_vote", block_id=f"poll:{poll.id}:1", value=f"{poll.id}:1"
    )
    assert response.status_code == 200
    redrawn = (await slackbot.wait_for("views.publish", 2))[-1].args["view"]
    assert "1 member has voted" in json.dumps(redrawn)
    assert slackbot.api.calls_to("chat.update") == []  # no message to update
