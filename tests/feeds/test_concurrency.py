"""Two pollers at once (the job and an admin's "check now") store each entry once."""

from __future__ import annotations

import asyncio

from sqlmodel import func, select

from bot.domain import feeds
from bot.runtime import Services
from bot.store.tables import FeedItem
from tests.feeds.conftest import AddFeed
from tests.servers.feeds import FeedServer


async def test_concurrent_polls_store_each_entry_once(
    services: Services, served: FeedServer, add: AddFeed
) -> None:
    for name in ("news.rss", "panel.atom", "recoverable.rss"):
        await add(name, served.url(name))

    async def poller() -> list[feeds.PollResult]:
        return await feeds.poll_all(
            services.sessions, services.feeds, time_limit=5, now=services.clock.now()
        )

    rounds = await asyncio.gather(*(poller() for _ in range(4)))

    async with services.sessions() as session:
        stored = (await session.exec(select(func.count()).select_from(FeedItem))).one()
    assert stored == 6
    assert sum(r.new_items for results in rounds for r in results) == 6
    assert all(r.error is None for results in rounds for r in results)
