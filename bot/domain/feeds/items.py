"""Feed items for the newsletter: listing them, and choosing which ones the next issue carries.

The newsletter composer calls `chosen_items` and `recent_items`; both only read stored rows,
so a broken or unreachable feed can never make them fail (it simply has no new items).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.errors import NotFoundError
from bot.store.tables import FeedItem


class FeedItemNotFoundError(NotFoundError):
    """No feed item has that number."""


def _newest_first() -> tuple[ColumnElement[Any], ...]:
    """Items without a published time sort by when the bot first saw them."""
    when = func.coalesce(col(FeedItem.published_at), col(FeedItem.fetched_at))
    return (when.desc(), col(FeedItem.id).desc())


async def get_item(session: AsyncSession, item_id: int) -> FeedItem:
    """Raises:
    FeedItemNotFoundError: No item has that number.
    """
    item = await session.get(FeedItem, item_id)
    if item is None:
        raise FeedItemNotFoundError(f"There is no feed item number {item_id}.")
    return item


async def list_items(
    session: AsyncSession, *, feed_id: int | None = None, limit: int = 50
) -> list[FeedItem]:
    """The newest items, of one feed or all of them."""
    query = select(FeedItem).order_by(*_newest_first()).limit(limit)
    if feed_id is not None:
        query = query.where(col(FeedItem.feed_id) == feed_id)
    return list((await session.exec(query)).all())


async def recent_items(
    session: AsyncSession, since: datetime, limit: int = 20
) -> list[FeedItem]:
    """Items published (or, lacking a date, first seen) since `since`, newest first."""
    when = func.coalesce(col(FeedItem.published_at), col(FeedItem.fetched_at))
    query = (
        select(FeedItem).where(when >= since).order_by(*_newest_first()).limit(limit)
    )
    return list((await session.exec(query)).all())


async def chosen_items(session: AsyncSession) -> list[FeedItem]:
    """Items chosen for the next newsletter and not yet carried by an issue, newest first."""
    query = (
        select(FeedItem)
        .where(col(FeedItem.chosen).is_(True), col(FeedItem.newsletter_id).is_(None))
        .order_by(*_newest_first())
    )
    return list((await session.exec(query)).all())


async def choose(session: AsyncSession, item_id: int) -> FeedItem:
    """Mark an item for the next newsletter. The caller commits.

    Raises:
        FeedItemNotFoundError: No item has that number.
    """
    return await _set_chosen(session, item_id, chosen=True)


async def unchoose(session: AsyncSession, item_id: int) -> FeedItem:
    """Take an item out of the next newsletter. The caller commits.

    Raises:
        FeedItemNotFoundError: No item has that number.
    """
    return await _set_chosen(session, item_id, chosen=False)


async def _set_chosen(session: AsyncSession, item_id: int, *, chosen: bool) -> FeedItem:
    item = await get_item(session, item_id)
    item.chosen = chosen
    session.add(item)
    await session.flush()
    return item
