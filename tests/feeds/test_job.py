"""The poll-feeds job: on the schedule every `feeds_poll_minutes`, and safe to re-run."""

from __future__ import annotations

from bot.settings import Settings
from jobs import SCHEDULES
from jobs.feeds import poll_feeds
from tests.feeds.conftest import AddFeed
from tests.servers.feeds import FeedServer


def test_the_job_runs_as_often_as_settings_say(settings: Settings) -> None:
    [entry] = [s for s in SCHEDULES if s.id == "poll-feeds"]
    every = settings.model_copy(update={"feeds_poll_minutes": 30})
    resolved = entry.resolved(every)
    assert (resolved.func, resolved.trigger, resolved.trigger_args) == (
        "jobs.feeds:poll_feeds",
        "interval",
        {"minutes": 30},
    )


async def test_the_job_polls_and_a_broken_feed_does_not_stop_it(
    served: FeedServer, add: AddFeed
) -> None:
    """`add` opens the services, as a process running the scheduler has them."""
    await add("Panel", served.url("panel.atom"))
    await add("Slow", served.url("slow.xml"))
    await add("Broken", served.url("broken.xml"))

    assert await poll_feeds() == {"feeds": 3, "new_items": 2, "failed": 2}
    assert await poll_feeds() == {"feeds": 3, "new_items": 0, "failed": 2}
    assert served.requests_for("panel.atom")[-1].status == 304
