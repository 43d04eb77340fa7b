"""Choosing items for the newsletter, and what the newsletter reads."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain import feeds
from bot.runtime import Services
from bot.store.tables import FeedItem
from tests.feeds.conftest import AddFeed, poll
from tests.servers.feeds import FeedServer


async def items_by_title(services: Services) -> dict[str, FeedItem]:
    async with services.sessions() as session:
        return {i.title: i for i in await feeds.list_items(session)}


async def test_chosen_items_are_those_chosen_and_not_yet_sent(
    services: Services, served: FeedServer, add: AddFeed
) -> None:
    await add("News", served.url("news.rss"))
    await add("Panel", served.url("panel.atom"))
    await poll(services)
    titles = await items_by_title(services)
    report = titles["Child Safeguarding Practice Review Panel: annual report 2025"]
    forum = titles["Practitioner Forum: March session on escalation"]
    infants = titles["Briefing: safeguarding children under one"]
    async with services.sessions() as session:
        for item in (report, forum, infants):
            await feeds.choose(session, item.id or 0)
        await feeds.unchoose(session, forum.id or 0)
        sent = await feeds.get_item(session, infants.id or 0)
        sent.newsletter_id = 7  # as the newsletter marks what it carried
        await session.commit()
        chosen = await feeds.chosen_items(session)
    assert [i.id for i in chosen] == [report.id]


async def test_recent_items_since_a_time_newest_first_with_a_limit(
    services: Services, served: FeedServer, add: AddFeed
) -> None:
    await add("News", served.url("news.rss"))
    await add("Panel", served.url("panel.atom"))
    await poll(services)
    async with services.sessions() as session:
        since = datetime(2026, 2, 19, tzinfo=UTC)
        recent = await feeds.recent_items(session, since)
        top = await feeds.recent_items(session, since, limit=2)
        mine = await feeds.list_items(session, feed_id=recent[0].feed_id)
    assert [i.published_at for i in recent] == [
        datetime(2026, 2, 24, 12, tzinfo=UTC),
        datetime(2026, 2, 23, 10, 15, tzinfo=UTC),
        datetime(2026, 2, 20, 9, tzinfo=UTC),
    ]
    assert [i.id for i in top] == [i.id for i in recent[:2]]
    assert {i.feed_id for i in mine} == {recent[0].feed_id} and len(mine) == 2


async def test_choosing_an_unknown_item_says_so(services: Services) -> None:
    async with services.sessions() as session:
        with pytest.raises(feeds.FeedItemNotFoundError, match="no feed item number 99"):
            await feeds.choose(session, 99)
        assert await feeds.chosen_items(session) == []
        assert await feeds.recent_items(session, datetime(2000, 1, 1, tzinfo=UTC)) == []
