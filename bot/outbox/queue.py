"""The durable outbox: every message the bot sends is written here first, then delivered.

Workers claim due rows with a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite has one
writer at a time, which serialises claims). A worker that dies leaves its rows `sending` until
the lease expires, when another worker claims them again: nothing is lost, and only messages
in flight at the moment of death can go out twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.store.db import dialect_name
from bot.store.tables import Bounce, OutboxMessage

PENDING, SENDING, SENT, FAILED, CANCELLED = (
    "pending",
    "sending",
    "sent",
    "failed",
    "cancelled",
)
STATUSES = (PENDING, SENDING, SENT, FAILED, CANCELLED)


@dataclass(frozen=True)
class NewMessage:
    """A message to enqueue. `key` makes enqueueing idempotent: the same key is stored once."""

    key: str
    channel: str
    recipient: str
    payload: bytes
    campaign: str | None = None


@dataclass(frozen=True)
class Claimed:
    """A message a worker holds the lease on and must now deliver."""

    id: int
    channel: str
    recipient: str
    payload: bytes
    attempts: int


async def enqueue(
    session: AsyncSession, messages: Iterable[NewMessage], *, now: datetime
) -> int:
    """Store messages for delivery, skipping any whose key is already in the outbox.

    The caller commits, so a domain change and the messages it causes land together.

    Returns:
        How many messages were new.
    """
    rows = [
        {
            "idempotency_key": m.key,
            "channel": m.channel,
            "recipient": m.recipient,
            "campaign": m.campaign,
            "payload": m.payload,
            "status": PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for m in messages
    ]
    if not rows:
        return 0
    insert = (
        postgresql.insert if dialect_name(session) == "postgresql" else sqlite.insert
    )
    statement = (
        insert(OutboxMessage)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(col(OutboxMessage.id))
    )
    # With RETURNING, SQLAlchemy batches the rows into multi-row INSERTs ("insertmanyvalues")
    # and a skipped duplicate returns no row, so the count of rows is the count of new messages.
    result = await session.exec(statement, params=rows)
    return len(result.all())


def _rowcount(result: Any, fallback: int) -> int:
    count = result.rowcount if isinstance(result, CursorResult) else -1
    return count if count >= 0 else fallback


async def claim(
    session: AsyncSession, *, worker: str, limit: int, now: datetime, lease: timedelta
) -> list[Claimed]:
    """Take up to `limit` due messages (pending, or `sending` with an expired lease) and commit.

    Returns:
        The claimed messages, oldest first.
    """
    due = (
        select(OutboxMessage.id)
        .where(
            or_(
                (col(OutboxMessage.status) == PENDING)
                & (col(OutboxMessage.next_attempt_at) <= now),
                (col(OutboxMessage.status) == SENDING)
                & (col(OutboxMessage.lease_expires_at) < now),
            )
        )
        .order_by(col(OutboxMessage.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    statement = (
        update(OutboxMessage)
        .where(col(OutboxMessage.id).in_(due.scalar_subquery()))
        .values(
            status=SENDING,
            lease_owner=worker,
            lease_expires_at=now + lease,
            attempts=OutboxMessage.attempts + 1,
        )
        .returning(
            col(OutboxMessage.id),
            col(OutboxMessage.channel),
            col(OutboxMessage.recipient),
            col(OutboxMessage.payload),
            col(OutboxMessage.attempts),
        )
    )
    rows = (await session.exec(statement)).all()
    await session.commit()
    return sorted((Claimed(*row) for row in rows), key=lambda c: c.id)


async def mark_sent(
    session: AsyncSession, ids: Sequence[int], *, worker: str, now: datetime
) -> None:
    """Record delivered messages. Only rows this worker still leases are touched."""
    if ids:
        await session.exec(
            update(OutboxMessage)
            .where(
                col(OutboxMessage.id).in_(ids), col(OutboxMessage.lease_owner) == worker
            )
            .values(
                status=SENT,
                sent_at=now,
                lease_owner=None,
                lease_expires_at=None,
                last_error=None,
            )
        )


async def keep_receipts(session: AsyncSession, receipts: Mapping[int, str]) -> None:
    """Store what transports answered for sent messages (a Slack post's channel and ts)."""
    for message_id, receipt in receipts.items():
        await session.exec(
            update(OutboxMessage)
            .where(col(OutboxMessage.id) == message_id)
            .values(receipt=receipt[:100])
        )


async def receipt_for(session: AsyncSession, key: str) -> str | None:
    """The receipt of the message queued under `key`, once it has been sent."""
    statement = select(OutboxMessage.receipt).where(
        col(OutboxMessage.idempotency_key) == key
    )
    return (await session.exec(statement)).first()


async def mark_retry(
    session: AsyncSession,
    message_id: int,
    *,
    worker: str,
    error: str,
    retry_at: datetime,
) -> None:
    """Put a message back in the queue after a temporary failure."""
    await session.exec(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.id) == message_id,
            col(OutboxMessage.lease_owner) == worker,
        )
        .values(
            status=PENDING,
            next_attempt_at=retry_at,
            lease_owner=None,
            lease_expires_at=None,
            last_error=error[:1000],
        )
    )


async def mark_failed(
    session: AsyncSession,
    message: Claimed,
    *,
    worker: str,
    error: str,
    code: int | None,
    bounce: bool,
    now: datetime,
) -> None:
    """Give up on a message; a permanent refusal is also recorded against the recipient."""
    await session.exec(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.id) == message.id,
            col(OutboxMessage.lease_owner) == worker,
        )
        .values(
            status=FAILED,
            lease_owner=None,
            lease_expires_at=None,
            last_error=error[:1000],
        )
    )
    if bounce:
        session.add(
            Bounce(
                recipient=message.recipient,
                outbox_id=message.id,
                code=code,
                reason=error[:1000],
                created_at=now,
            )
        )


async def counts(
    session: AsyncSession, *, campaign: str | None = None
) -> dict[str, int]:
    """Messages by status (every status present, zero when none)."""
    statement = select(col(OutboxMessage.status), func.count()).group_by(
        col(OutboxMessage.status)
    )
    if campaign is not None:
        statement = statement.where(col(OutboxMessage.campaign) == campaign)
    found = dict((await session.exec(statement)).all())
    return {status: int(found.get(status, 0)) for status in STATUSES}


async def oldest_due(session: AsyncSession) -> datetime | None:
    """When the longest-waiting pending message became due, to spot a stuck queue."""
    statement = select(func.min(col(OutboxMessage.next_attempt_at))).where(
        col(OutboxMessage.status) == PENDING
    )
    value = (await session.exec(statement)).one()
    return value[0] if isinstance(value, tuple) else value


async def purge_finished(session: AsyncSession, *, before: datetime) -> int:
    """Delete sent, failed and cancelled messages created before `before` (data retention).

    Returns:
        How many rows were deleted.
    """
    result = await session.exec(
        delete(OutboxMessage).where(
            col(OutboxMessage.status).in_((SENT, FAILED, CANCELLED)),
            col(OutboxMessage.created_at) < before,
        )
    )
    await session.commit()
    return _rowcount(result, 0)


async def retry_failed(session: AsyncSession, *, now: datetime) -> int:
    """Queue every failed message again (after a relay outage was fixed, say)."""
    result = await session.exec(
        update(OutboxMessage)
        .where(col(OutboxMessage.status) == FAILED)
        .values(status=PENDING, next_attempt_at=now, attempts=0)
    )
    await session.commit()
    return _rowcount(result, 0)
