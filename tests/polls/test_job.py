"""The close-polls job, driven by stepping the clock: closing on time, final results, refreshes."""

from __future__ import annotations

import json
from typing import Any

from bot.domain import polls
from bot.runtime import Services
from jobs import SCHEDULES
from jobs.polls import close_polls
from tests.conftest import StepClock
from tests.domain.mailbox import outbox_rows
from tests.polls.conftest import FORUM_CHANNEL, AddMember, MakePoll
from tests.polls.test_announce import announce
from tests.polls.test_domain import cast


def buttons(blocks: list[dict[str, Any]]) -> int:
    return sum(1 for b in blocks if "accessory" in b)


async def payloads(services: Services) -> dict[str, dict[str, Any]]:
    return {
        row.idempotency_key: json.loads(row.payload)
        for row in await outbox_rows(services)
        if row.channel == "slack"
    }


def test_the_job_runs_every_minute() -> None:
    [entry] = [s for s in SCHEDULES if s.id == "close-polls"]
    assert (entry.func, entry.trigger, entry.trigger_args) == (
        "jobs.polls:close_polls",
        "interval",
        {"minutes": 1},
    )


async def test_polls_close_on_time_and_show_final_results(
    services: Services, clock: StepClock, new_member: AddMember, new_poll: MakePoll
) -> None:
    poll, kim = await new_poll(hours=2), await new_member("kim@example.org", "Kim")
    await announce(services, poll)
    async with services.sessions() as session:  # as a click on the post tells us
        await polls.remember_slack_message(
            session, poll.id or 0, channel=FORUM_CHANNEL, ts="1700000000.000001"
        )
    await cast(services, poll, kim, 1, channel="email")

    clock.advance(minutes=119)
    assert await close_polls() == []  # not yet
    async with services.sessions() as session:
        assert (await polls.get_poll(session, poll.id or 0)).status == polls.OPEN
    refreshed = [p for k, p in (await payloads(services)).items() if ":tally:" in k]
    assert len(refreshed) == 1  # the email vote, shown on the post
    assert (
        refreshed[0]["ts"] == "1700000000.000001"
        and buttons(refreshed[0]["blocks"]) == 3
    )
    assert "1 vote (100%)" in json.dumps(refreshed[0]["blocks"])

    clock.advance(minutes=1)
    assert await close_polls() == [poll.id]
    assert await close_polls() == []  # a re-run closes nothing and sends nothing twice
    async with services.sessions() as session:
        closed = await polls.get_poll(session, poll.id or 0)
    assert closed.status == polls.CLOSED and closed.closed_at == clock.now()

    sent = await payloads(services)
    final = [p for k, p in sent.items() if ":tally:" in k and buttons(p["blocks"]) == 0]
    assert len(final) == 1 and final[0]["ts"] == "1700000000.000001"
    results = sent[f"poll:{poll.id}:results"]
    assert "ts" not in results and results["channel"] == FORUM_CHANNEL
    assert buttons(results["blocks"]) == 0 and "Poll results" in json.dumps(results)
    assert len(sent) == 4  # the post, one refresh, the final update, the results


async def test_a_post_not_yet_located_is_not_refreshed(
    services: Services, clock: StepClock, new_member: AddMember, new_poll: MakePoll
) -> None:
    poll, kim = await new_poll(hours=1), await new_member("kim@example.org", "Kim")
    await announce(services, poll)
    await cast(services, poll, kim, 0, channel="web")
    await close_polls()
    assert list(await payloads(services)) == [f"poll:{poll.id}:post"]
    clock.advance(hours=1)
    await close_polls()
    assert list(await payloads(services)) == [
        f"poll:{poll.id}:post",
        f"poll:{poll.id}:results",
    ]
