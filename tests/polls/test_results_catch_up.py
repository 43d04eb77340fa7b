"""A poll closed without its results going out (publishing failed after the close was
committed) has its results posted by the job's next run, once; and a poll with nowhere to
post them is left alone."""

from __future__ import annotations

from typing import Any

import pytest

from bot.domain import polls
from bot.runtime import Services
from bot.store.tables import Poll
from jobs.polls import close_polls
from tests.conftest import StepClock
from tests.domain.mailbox import outbox_rows
from tests.polls.conftest import FORUM_CHANNEL, MakePoll


class DrawingFailed(RuntimeError):
    pass


def broken_draw(_poll: Poll, _results: polls.Results) -> list[dict[str, Any]]:
    raise DrawingFailed("the results could not be drawn")


async def keys(services: Services) -> list[str]:
    return [row.idempotency_key for row in await outbox_rows(services)]


async def test_results_that_failed_to_publish_go_out_on_the_next_run(
    services: Services, clock: StepClock, new_poll: MakePoll
) -> None:
    assert services.settings.slack_forum_channel == FORUM_CHANNEL
    poll = await new_poll(hours=1)
    clock.advance(hours=1)
    async with services.sessions() as session:
        with pytest.raises(DrawingFailed):
            await polls.close_due_polls(
                session, slack_channel=FORUM_CHANNEL, draw=broken_draw, now=clock.now()
            )
    async with services.sessions() as session:
        assert (await polls.get_poll(session, poll.id or 0)).status == polls.CLOSED
    assert f"poll:{poll.id}:results" not in await keys(services)

    clock.advance(minutes=1)
    assert await close_polls() == []  # nothing left to close...
    assert f"poll:{poll.id}:results" in await keys(
        services
    )  # ...but the results go out
    before = await keys(services)
    clock.advance(minutes=1)
    await close_polls()
    assert await keys(services) == before  # once


async def test_a_chairs_close_that_failed_to_publish_is_caught_up(
    services: Services, clock: StepClock, new_poll: MakePoll
) -> None:
    poll = await new_poll(hours=5)
    async with services.sessions() as session:
        with pytest.raises(DrawingFailed):
            await polls.close_and_publish(
                session,
                poll.id or 0,
                slack_channel=FORUM_CHANNEL,
                draw=broken_draw,
                now=clock.now(),
            )
    await close_polls()
    assert f"poll:{poll.id}:results" in await keys(services)


async def test_without_a_channel_closed_polls_are_not_taken_up(
    services: Services, clock: StepClock, new_poll: MakePoll
) -> None:
    poll = await new_poll(hours=1)
    clock.advance(hours=1)
    async with services.sessions() as session:
        await polls.close_due_polls(
            session, slack_channel=None, draw=services.poll_draw, now=clock.now()
        )
        assert await polls.unpublished_poll_ids(session, None, clock.now()) == []
        assert await polls.unpublished_poll_ids(
            session, FORUM_CHANNEL, clock.now()
        ) == [poll.id]
