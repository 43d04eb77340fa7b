"""Named, expiring leases: one holder at a time across processes, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.store.db import dialect_name
from bot.store.tables import Lease


async def try_acquire(
    session: AsyncSession, *, name: str, holder: str, now: datetime, ttl: timedelta
) -> bool:
    """Take or renew the lease `name` for `holder` if it is free, expired or already ours; commits.

    Both statements are single atomic writes, so two processes racing cannot both win.

    Returns:
        True when `holder` holds the lease until `now + ttl`.
    """
    renewed = await session.exec(
        update(Lease)
        .where(col(Lease.name) == name)
        .where((col(Lease.holder) == holder) | (col(Lease.expires_at) < now))
        .values(holder=holder, expires_at=now + ttl)
    )
    won = renewed.rowcount == 1
    if not won:
        insert = (
            postgresql.insert
            if dialect_name(session) == "postgresql"
            else sqlite.insert
        )
        created = await session.exec(
            insert(Lease)
            .values(name=name, holder=holder, expires_at=now + ttl)
            .on_conflict_do_nothing()
            # SQLAlchemy 2.1 reports -1 for an INSERT's rowcount unless told to keep it.
            .execution_options(preserve_rowcount=True)
        )
        won = created.rowcount == 1
    await session.commit()
    return won


async def release(session: AsyncSession, *, name: str, holder: str) -> None:
    """Give the lease up at once (on a clean shutdown) so another process need not wait it out."""
    await session.exec(
        delete(Lease).where(col(Lease.name) == name, col(Lease.holder) == holder)
    )
    await session.commit()
