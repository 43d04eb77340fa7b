"""Every slash command and interaction is acknowledged before the slow work behind it is done.

The stand-in holds one Web API method back (`delay`) and counts the calls it is holding
(`delayed`). Each test starts a request, waits until the slow call has begun, then checks the
HTTP answer to /slack/events has come back while that call is still held: the order of events,
not a stopwatch, shows Slack was not kept waiting for the work.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.slack.harness import CHAIR, SAM, WAIT, SlackBot, User
from tests.slack.test_home import opened
from tests.slack.test_join import join_form

SLOW = 0.5  # seconds the stand-in holds the slow method; far above an acknowledgement


@dataclass(frozen=True)
class Case:
    slow: str  # the Web API method the stand-in holds back
    send: Callable[[SlackBot], Coroutine[Any, Any, httpx.Response]]
    then: str | None = None  # what the bot calls once the slow call has answered


CASES = {
    "slash command, slow users.info": Case(
        "users.info", lambda bot: bot.command(SAM, "help"), then="response_url"
    ),
    "slash command, slow views.open": Case(
        "views.open", lambda bot: bot.command(SAM, "join")
    ),
    "button, slow users.info": Case(
        "users.info", lambda bot: bot.action(SAM, "open_join"), then="views.open"
    ),
    "admin button, slow views.open": Case(
        "views.open", lambda bot: bot.action(CHAIR, "admin_announce", block_id="admin")
    ),
    "modal submission, slow views.publish": Case(
        "views.publish", lambda bot: bot.view_submission(SAM, "join", join_form())
    ),
    "App Home opened, slow users.info": Case(
        "users.info", lambda bot: bot.event(opened(SAM)), then="views.publish"
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
async def test_acknowledged_while_the_slow_call_is_still_pending(
    slackbot: SlackBot, case: Case
) -> None:
    api = slackbot.api
    api.delay[case.slow] = SLOW
    async with asyncio.timeout(WAIT):
        request = asyncio.create_task(case.send(slackbot))
        await api.wait_for(case.slow)  # the slow work has begun
        response = await request

    assert response.status_code == 200
    assert api.delayed[case.slow] == 1  # answered while the slow call is still held
    if case.then:
        assert api.calls_to(case.then) == []

    await slackbot.settle()  # the work still finishes, after the acknowledgement
    assert api.delayed[case.slow] == 0
    if case.then:
        assert len(api.calls_to(case.then)) == 1


async def test_many_concurrent_commands_are_all_acknowledged_before_any_work_ends(
    slackbot: SlackBot,
) -> None:
    """Twenty people at once, each looked up with a slow users.info: twenty prompt acks."""
    api = slackbot.api
    people = [f"U0P{n:03d}" for n in range(20)]
    for n, user in enumerate(people):
        api.add_user(user, f"p{n}@northshire.example.org", f"Practitioner {n}")
    api.delay["users.info"] = SLOW
    async with asyncio.timeout(WAIT):
        responses = await asyncio.gather(
            *(slackbot.command(User(u, "", "P"), "sessions") for u in people)
        )
        assert [r.status_code for r in responses] == [200] * 20
        assert api.calls_to("response_url") == []  # no reply yet: every ack came first
        replies = await api.wait_for("response_url", 20)
    assert len(replies) == 20
