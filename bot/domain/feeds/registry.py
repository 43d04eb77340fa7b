"""The feeds the bot follows: adding (with a checked web address), listing, removing, pausing."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.errors import InvalidInputError, NotFoundError
from bot.store.tables import Feed, FeedItem

MAX_URL = 1000
MAX_NAME = 200
FEED_ROLES = frozenset(
    {"admin", "communications"}
)  # who manages feeds and chooses items


class FeedNotFoundError(NotFoundError):
    """No feed has that number."""


def web_address(text: str | None) -> str | None:
    """`text` if it is an absolute http(s) address fit to store and link to, else None.

    Feed entries are untrusted: a `javascript:` or `data:` link must never reach an email
    or a web page, so anything but http(s) is dropped rather than stored.
    """
    url = (text or "").strip()
    if not url or len(url) > MAX_URL or any(c.isspace() or ord(c) < 32 for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url


def check_feed(name: str, url: str) -> tuple[str, str]:
    """The cleaned name and address of a new feed.

    Raises:
        InvalidInputError: The name is empty or too long, or the address is not http(s).
    """
    clean_name = " ".join(name.split())
    if not clean_name:
        raise InvalidInputError("Give the feed a name.", field="name")
    if len(clean_name) > MAX_NAME:
        raise InvalidInputError(
            f"The feed's name is too long (at most {MAX_NAME} characters).",
            field="name",
        )
    clean_url = web_address(url)
    if clean_url is None:
        raise InvalidInputError(
            "The feed's address must be a full web address starting with http:// or "
            "https://, such as https://example.org/news/feed.",
            field="url",
        )
    return clean_name, clean_url


async def add_feed(
    session: AsyncSession, name: str, url: str, *, now: datetime
) -> Feed:
    """Follow a new feed. The caller commits.

    Raises:
        InvalidInputError: Bad name or address, or the bot already follows that address.
    """
    clean_name, clean_url = check_feed(name, url)
    existing = await find_feed_by_url(session, clean_url)
    if existing is not None:
        raise InvalidInputError(
            f"The bot already follows that feed, as “{existing.name}” "
            f"(number {existing.id}).",
            field="url",
        )
    feed = Feed(name=clean_name, url=clean_url, created_at=now)
    session.add(feed)
    await session.flush()
    return feed


async def find_feed_by_url(session: AsyncSession, url: str) -> Feed | None:
    return (await session.exec(select(Feed).where(col(Feed.url) == url))).first()


async def get_feed(session: AsyncSession, feed_id: int) -> Feed:
    """Raises:
    FeedNotFoundError: No feed has that number.
    """
    feed = await session.get(Feed, feed_id)
    if feed is None:
        raise FeedNotFoundError(f"There is no feed number {feed_id}.")
    return feed


async def list_feeds(session: AsyncSession, *, active_only: bool = False) -> list[Feed]:
    query = select(Feed).order_by(col(Feed.name), col(Feed.id))
    if active_only:
        query = query.where(col(Feed.active).is_(True))
    return list((await session.exec(query)).all())


async def remove_feed(session: AsyncSession, feed_id: int) -> Feed:
    """Stop following a feed and forget its items. The caller commits.

    Items are deleted explicitly: SQLite only honours ON DELETE CASCADE when foreign keys
    are switched on for the connection, and this must not depend on that.

    Raises:
        FeedNotFoundError: No feed has that number.
    """
    feed = await get_feed(session, feed_id)
    await session.exec(delete(FeedItem).where(col(FeedItem.feed_id) == feed_id))
    await session.delete(feed)
    await session.flush()
    return feed


async def set_active(session: AsyncSession, feed_id: int, active: bool) -> Feed:
    """Pause (or resume) polling a feed; its items stay. The caller commits.

    Raises:
        FeedNotFoundError: No feed has that number.
    """
    feed = await get_feed(session, feed_id)
    feed.active = active
    session.add(feed)
    await session.flush()
    return feed
