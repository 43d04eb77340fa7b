"""Issue 7 acceptance: real feed files (good, malformed, 304 Not Modified, slow) from a local
HTTP server; a broken feed is recorded and skipped, and never stops the others."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import col, select

from bot.domain import feeds
from bot.runtime import Services
from bot.store.tables import Feed, FeedItem
from tests.conftest import StepClock
from tests.feeds.conftest import AddFeed, poll
from tests.servers.feeds import LAST_MODIFIED, FeedServer

GOOD = {"Partnership news": "news.rss", "Review Panel": "panel.atom"}
BROKEN = {
    "Broken": "broken.xml",
    "Web page": "page.html",
    "Server error": "error.xml",
    "Slow": "slow.xml",
    "Huge": "huge.xml",
}


async def add_all(served: FeedServer, add: AddFeed) -> None:
    for name, path in {**GOOD, **BROKEN, "Recoverable": "recoverable.rss"}.items():
        await add(name, served.url(path))


async def stored(services: Services) -> list[FeedItem]:
    async with services.sessions() as session:
        return list(
            (await session.exec(select(FeedItem).order_by(col(FeedItem.id)))).all()
        )


async def feeds_by_name(services: Services) -> dict[str, Feed]:
    async with services.sessions() as session:
        return {f.name: f for f in await feeds.list_feeds(session)}


async def test_good_feeds_land_once_and_broken_ones_are_recorded(
    services: Services, served: FeedServer, add: AddFeed
) -> None:
    await add_all(served, add)
    results = await poll(services)

    # news.rss lists 4 entries, one twice; panel.atom 2; the broken-but-readable feed 1.
    assert [results[n].new_items for n in (*GOOD, "Recoverable")] == [3, 2, 1]
    assert all(results[n].error is None for n in (*GOOD, "Recoverable"))
    items = await stored(services)
    assert len(items) == 6 and len({(i.feed_id, i.guid) for i in items}) == 6
    errors = {name: results[name].error or "" for name in BROKEN}
    assert "not valid RSS or Atom" in errors["Broken"] and "line 2" in errors["Broken"]
    assert "a web page, not an RSS or Atom feed" in errors["Web page"]
    assert "HTTP 500 Internal Server Error" in errors["Server error"]
    assert "did not answer within 1 second." in errors["Slow"]
    assert "larger than 5 MB" in errors["Huge"]
    assert served.slow_started.is_set()
    recorded = await feeds_by_name(services)
    assert {n: recorded[n].last_error for n in BROKEN} == errors
    assert all(recorded[n].last_polled_at == services.clock.now() for n in recorded)


async def test_repolling_sends_validators_gets_304_and_stores_nothing_twice(
    services: Services, served: FeedServer, add: AddFeed, clock: StepClock
) -> None:
    for name, path in GOOD.items():
        await add(name, served.url(path))
    await poll(services)
    first = await stored(services)
    clock.advance(hours=1)

    results = await poll(services)

    for path in GOOD.values():
        initial, again = served.requests_for(path)
        assert (initial.if_none_match, initial.if_modified_since) == (None, None)
        assert again.if_none_match and again.if_none_match.startswith('"')
        assert (again.if_modified_since, again.status) == (LAST_MODIFIED, 304)
    assert all(r.not_modified and r.new_items == 0 for r in results.values())
    assert [i.id for i in await stored(services)] == [i.id for i in first]
    recorded = await feeds_by_name(services)
    assert all(f.last_polled_at == clock.now() and f.etag for f in recorded.values())


async def test_a_new_version_of_a_feed_adds_only_its_new_entries(
    services: Services, served: FeedServer, add: AddFeed
) -> None:
    await add("Partnership news", served.url("news.rss"))
    await poll(services)
    served.files["news.rss"] = "news-updated.rss"  # the website publishes one more item

    results = await poll(services)

    assert results["Partnership news"].new_items == 1
    assert served.requests_for("news.rss")[-1].status == 200
    titles = [i.title for i in await stored(services)]
    assert len(titles) == 4 and titles[-1] == "Escalation policy updated"


async def test_entries_are_stored_as_plain_text_with_safe_links(
    services: Services, served: FeedServer, add: AddFeed
) -> None:
    await add("Partnership news", served.url("news.rss"))
    await poll(services)
    by_guid = {i.guid: i for i in await stored(services)}

    briefing = by_guid["news-2026-0141"]
    assert briefing.title == "New Learning Lessons Briefing: neglect & older children"
    assert briefing.summary == (
        "Read the key learning from our latest review. Points for practice inside."
    )
    assert (
        briefing.published_at is not None
        and briefing.published_at.utcoffset() is not None
    )
    assert briefing.published_at.isoformat() == "2026-02-23T10:15:00+00:00"
    for item in by_guid.values():
        assert "<" not in item.title + item.summary and "alert" not in item.summary
    [training] = [i for i in by_guid.values() if i.title.startswith("Multi-agency")]
    assert training.link is None  # it was javascript:
    assert training.guid.startswith("sha256:")
    assert training.published_at is not None
    assert (
        training.published_at.isoformat() == "2026-02-18T13:30:00+00:00"
    )  # +0100 → UTC


async def test_broken_feeds_never_stop_what_the_newsletter_reads(
    services: Services, served: FeedServer, add: AddFeed
) -> None:
    await add_all(served, add)
    await poll(services)
    async with services.sessions() as session:
        since = datetime(2026, 2, 15, tzinfo=UTC)
        recent = await feeds.recent_items(session, since=since)
        await feeds.choose(session, recent[1].id or 0)
        await session.commit()
        chosen = await feeds.chosen_items(session)

    # Newest first; the undated entry counts as published when first seen (now).
    assert [i.title for i in recent] == [
        "Safer sleep week resources",
        "Child Safeguarding Practice Review Panel: annual report 2025",
        "New Learning Lessons Briefing: neglect & older children",
        "Practitioner Forum: March session on escalation",
        "Multi-agency training dates announced",
    ]
    assert [i.id for i in chosen] == [recent[1].id]
