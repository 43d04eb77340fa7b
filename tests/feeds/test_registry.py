"""Following feeds: checked addresses, no duplicates, removal with items, pausing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import col, func, select

from bot.domain import feeds
from bot.errors import InvalidInputError
from bot.runtime import Services
from bot.store.tables import FeedItem
from tests.feeds.conftest import AddFeed, poll
from tests.servers.feeds import FeedServer


@pytest.mark.parametrize(
    ("name", "url", "field"),
    [
        ("News", "javascript:alert(1)", "url"),
        ("News", "ftp://example.org/feed.xml", "url"),
        ("News", "file:///etc/passwd", "url"),
        ("News", "https://", "url"),
        ("News", "example.org/feed", "url"),
        ("News", "https://example.org/a feed", "url"),
        ("   ", "https://example.org/feed", "name"),
        ("x" * 201, "https://example.org/feed", "name"),
    ],
)
def test_bad_names_and_addresses_are_refused_plainly(
    name: str, url: str, field: str
) -> None:
    with pytest.raises(InvalidInputError) as refused:
        feeds.check_feed(name, url)
    assert refused.value.field == field
    assert "http" in str(refused.value) or "name" in str(refused.value)


def test_names_are_tidied_and_addresses_kept() -> None:
    assert feeds.check_feed("  BSCP \n news ", " https://example.org/feed?x=1 ") == (
        "BSCP news",
        "https://example.org/feed?x=1",
    )


async def test_the_same_address_cannot_be_followed_twice(
    services: Services, add: AddFeed
) -> None:
    first = await add("News", "https://example.org/feed")
    with pytest.raises(InvalidInputError, match=r"already follows .*number \d+"):
        await add("News again", "https://example.org/feed")
    async with services.sessions() as session:
        assert [f.id for f in await feeds.list_feeds(session)] == [first.id]


async def test_removing_a_feed_removes_its_items_only(
    services: Services, served: FeedServer, add: AddFeed
) -> None:
    news = await add("News", served.url("news.rss"))
    panel = await add("Panel", served.url("panel.atom"))
    await poll(services)
    async with services.sessions() as session:
        await feeds.remove_feed(session, news.id or 0)
        await session.commit()
        left = await session.exec(
            select(FeedItem.feed_id, func.count()).group_by(col(FeedItem.feed_id))
        )
        assert dict(left.all()) == {panel.id: 2}
        with pytest.raises(feeds.FeedNotFoundError, match="no feed number"):
            await feeds.remove_feed(session, news.id or 0)


async def test_paused_feeds_are_not_polled(
    services: Services, served: FeedServer, add: AddFeed
) -> None:
    news = await add("News", served.url("news.rss"))
    await add("Panel", served.url("panel.atom"))
    async with services.sessions() as session:
        await feeds.set_active(session, news.id or 0, False)
        await session.commit()

    assert list(await poll(services)) == ["Panel"]
    assert served.requests_for("news.rss") == []
    results = await feeds.poll_feed(  # polling one feed by hand still works
        services.sessions,
        news.id or 0,
        services.feeds,
        time_limit=1,
        now=services.clock.now(),
    )
    assert results.new_items == 3


async def test_a_feed_list_file_is_added_once(services: Services) -> None:
    listed = feeds.read_feed_list(feeds_file())
    async with services.sessions() as session:
        first = await feeds.add_listed(session, listed, now=services.clock.now())
        await session.commit()
        again = await feeds.add_listed(session, listed, now=services.clock.now())
        await session.commit()
        followed = await feeds.list_feeds(session)
    assert len(first.added) == len(listed) >= 4 and first.skipped == []
    assert again.added == [] and again.skipped == first.added
    assert all(f.url.startswith("https://") for f in followed)
    assert any(not f.active for f in followed)  # the sample adds one paused


def feeds_file() -> Path:
    return Path(__file__).parents[2] / "config" / "feeds.toml"


def test_a_bad_feed_list_names_the_entry(tmp_path: Path) -> None:
    bad = tmp_path / "feeds.toml"
    bad.write_text(
        '[[feeds]]\nname = "A"\nurl = "https://a.example.org/rss"\n'
        '[[feeds]]\nname = "B"\nurl = "javascript:x"\n',
        encoding="utf-8",
    )
    with pytest.raises(InvalidInputError, match="Feed 2 in .*http"):
        feeds.read_feed_list(bad)
    bad.write_text("[[feeds]\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="not valid TOML"):
        feeds.read_feed_list(bad)
    with pytest.raises(InvalidInputError, match="Cannot read"):
        feeds.read_feed_list(tmp_path / "missing.toml")
