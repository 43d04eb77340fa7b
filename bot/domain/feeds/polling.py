"""Polling feeds: fetch each active feed, store its new entries once, record what went wrong.

Each feed is polled on its own: its network fetch happens outside any transaction, and
its results are stored in a transaction of its own, so one malformed, slow or failing
feed is logged (in `Feed.last_error`, in plain English) and skipped without stopping the
others. Nothing here raises for a broken feed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.feeds.entries import Entry, FeedFormatError, read_entries
from bot.domain.feeds.fetching import FeedFetcher, FeedFetchError, Fetched, seconds
from bot.domain.feeds.registry import FeedNotFoundError, get_feed, list_feeds
from bot.store.db import dialect_name
from bot.store.tables import Feed, FeedItem

log = logging.getLogger(__name__)

CONCURRENCY = 4
CHUNK = 500  # rows per multi-row INSERT


@dataclass(frozen=True)
class PollResult:
    """What polling one feed did: new items stored, or why it was skipped."""

    feed_id: int
    name: str
    new_items: int = 0
    not_modified: bool = False
    error: str | None = None


@dataclass(frozen=True)
class _Target:
    """What the fetch needs, read in a short transaction before the network is touched."""

    id: int
    name: str
    url: str
    etag: str | None
    last_modified: str | None


async def poll_all(
    sessions: async_sessionmaker[AsyncSession],
    fetcher: FeedFetcher,
    *,
    time_limit: float,
    now: datetime,
    concurrency: int = CONCURRENCY,
    on_result: Callable[[PollResult], None] | None = None,
) -> list[PollResult]:
    """Poll every active feed, a few at a time; one result per feed, in name order."""
    async with sessions() as session:
        feed_ids = [f.id for f in await list_feeds(session, active_only=True) if f.id]
    limit = asyncio.Semaphore(concurrency)

    async def one(feed_id: int) -> PollResult:
        async with limit:
            try:
                result = await poll_feed(
                    sessions, feed_id, fetcher, time_limit=time_limit, now=now
                )
            except FeedNotFoundError:  # removed since the list was read
                result = PollResult(feed_id, "", error="The feed was removed.")
        if on_result is not None:
            on_result(result)
        return result

    return list(await asyncio.gather(*(one(i) for i in feed_ids)))


async def poll_feed(
    sessions: async_sessionmaker[AsyncSession],
    feed_id: int,
    fetcher: FeedFetcher,
    *,
    time_limit: float,
    now: datetime,
) -> PollResult:
    """Poll one feed (active or not) and store its new entries. Commits; never raises for
    a broken feed: the problem is in the result and in `Feed.last_error`.

    Raises:
        FeedNotFoundError: No feed has that number.
    """
    async with sessions() as session:
        feed = await get_feed(session, feed_id)
        target = _Target(feed_id, feed.name, feed.url, feed.etag, feed.last_modified)
    try:
        fetched, entries = await _fetch_and_read(fetcher, target, time_limit)
    except (FeedFetchError, FeedFormatError) as error:
        return await _record_error(sessions, target, str(error), now)
    except Exception:
        log.exception("feed %d (%s): unexpected failure", feed_id, target.url)
        message = "The bot could not read this feed because of an unexpected problem."
        return await _record_error(sessions, target, message, now)
    try:
        return await _store(sessions, target, fetched, entries, now)
    except Exception:
        log.exception("feed %d (%s): could not store its entries", feed_id, target.url)
        message = "The feed was read, but its entries could not be saved."
        return await _record_error(sessions, target, message, now)


async def _fetch_and_read(
    fetcher: FeedFetcher, target: _Target, time_limit: float
) -> tuple[Fetched, list[Entry]]:
    try:
        # The fetcher's own time-outs are per read; this bounds the whole fetch, so a
        # server that drips bytes cannot hold the poll up.
        async with asyncio.timeout(time_limit):
            fetched = await fetcher.fetch(
                target.url,
                etag=target.etag,
                last_modified=target.last_modified,
                time_limit=time_limit,
            )
    except TimeoutError:
        raise FeedFetchError(
            f"The feed did not answer within {seconds(time_limit)}."
        ) from None
    if fetched.not_modified:
        return fetched, []
    return fetched, read_entries(fetched.body, fetched.content_type)


async def _store(
    sessions: async_sessionmaker[AsyncSession],
    target: _Target,
    fetched: Fetched,
    entries: list[Entry],
    now: datetime,
) -> PollResult:
    async with sessions() as session:
        feed = await session.get(Feed, target.id)
        if feed is None:  # removed while we were fetching it
            return PollResult(target.id, target.name, error="The feed was removed.")
        new = await _insert_absent(session, target.id, entries, now)
        feed.last_polled_at, feed.last_error = now, None
        if not fetched.not_modified:
            feed.etag = (fetched.etag or "")[:500] or None
            feed.last_modified = (fetched.last_modified or "")[:100] or None
        session.add(feed)
        await session.commit()
    if new:
        log.info("feed %d (%s): %d new items", target.id, target.name, new)
    return PollResult(
        target.id, target.name, new_items=new, not_modified=fetched.not_modified
    )


async def _insert_absent(
    session: AsyncSession, feed_id: int, entries: list[Entry], now: datetime
) -> int:
    """Insert the entries not stored yet, by id or by link; returns how many were new.

    INSERT ... ON CONFLICT DO NOTHING on (feed_id, guid) is atomic on both databases, so
    two pollers storing the same feed at once store each entry once, without an error.
    An entry whose link the feed already has (the article re-published under a new id) is
    left out before inserting; that check is not atomic, but the ids of one document are
    the same for both pollers, so the unique id still stops a double. Rows go in chunks
    of `CHUNK`, keeping each statement's parameters well inside the databases' limits.
    """
    entries = await _new_links(session, feed_id, entries)
    new = 0
    for start in range(0, len(entries), CHUNK):
        new += await _insert_chunk(
            session, feed_id, entries[start : start + CHUNK], now
        )
    return new


async def _new_links(
    session: AsyncSession, feed_id: int, entries: list[Entry]
) -> list[Entry]:
    links = [e.link for e in entries if e.link]
    if not links:
        return entries
    statement = select(FeedItem.link).where(
        col(FeedItem.feed_id) == feed_id, col(FeedItem.link).in_(links)
    )
    known = set((await session.exec(statement)).all())
    return [e for e in entries if not e.link or e.link not in known]


async def _insert_chunk(
    session: AsyncSession, feed_id: int, entries: list[Entry], now: datetime
) -> int:
    if not entries:
        return 0
    insert = (
        postgresql.insert if dialect_name(session) == "postgresql" else sqlite.insert
    )
    rows = [
        {
            "feed_id": feed_id,
            "guid": e.guid,
            "title": e.title,
            "link": e.link,
            "summary": e.summary,
            "published_at": e.published_at,
            "fetched_at": now,
            "chosen": False,
        }
        for e in entries
    ]
    statement = (
        insert(FeedItem)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["feed_id", "guid"])
        .returning(col(FeedItem.id))
    )
    return len((await session.exec(statement)).all())


async def _record_error(
    sessions: async_sessionmaker[AsyncSession],
    target: _Target,
    message: str,
    now: datetime,
) -> PollResult:
    log.warning("feed %d (%s) skipped: %s", target.id, target.url, message)
    try:
        async with sessions() as session:
            feed = await session.get(Feed, target.id)
            if feed is not None:
                feed.last_polled_at, feed.last_error = now, message[:1000]
                session.add(feed)
                await session.commit()
    except Exception:
        log.exception("feed %d: could not record its error", target.id)
    return PollResult(target.id, target.name, error=message)
