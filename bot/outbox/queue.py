"""The durable outbox: every message the bot sends is written here first, then delivered.

Workers claim due rows with a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite has one
writer at a time, which serialises claims). A worker that dies leaves its rows `sending` until
the lease expires, when another worker claims them again: nothing is lost, and only messages
in flight at the moment of death can go out twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.store.tables import Bounce, OutboxMessage

PENDING, SENDING, SENT, FAILED, CANCELLED = "pending", "sending", "sent", "failed", "cancelled"
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


async def enqueue(session: AsyncSession, messages: Iterable[NewMessage], *, now: datetime) -> int:
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
    dialect = session.bind.dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(OutboxMessage)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(OutboxMessage.id)  # type: ignore[arg-type]
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
                (OutboxMessage.status == PENDING) & (OutboxMessage.next_attempt_at <= now),  # type: ignore[arg-type]
                (OutboxMessage.status == SENDING) & (OutboxMessage.lease_expires_at < now),  # type: ignore[arg-type,operator]
            )
        )
        .order_by(OutboxMessage.id)  # type: ignore[arg-type]
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    statement = (
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(due.scalar_subquery()))  # type: ignore[union-attr]
        .values(
            status=SENDING,
            lease_owner=worker,
            lease_expires_at=now + lease,
            attempts=OutboxMessage.attempts + 1,
        )
        .returning(
            OutboxMessage.id,
            OutboxMessage.channel,
            OutboxMessage.recipient,
            OutboxMessage.payload,
            OutboxMessage.attempts,
        )
    )
    rows = (await session.exec(statement)).all()  # type: ignore[call-overload]
    await session.commit()
    return sorted((Claimed(*row) for row in rows), key=lambda c: c.id)


async def mark_sent(session: AsyncSession, ids: Sequence[int], *, worker: str, now: datetime) -> None:
    """Record delivered messages. Only rows this worker still leases are touched."""
    if ids:
        await session.exec(  # type: ignore[call-overload]
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), OutboxMessage.lease_owner == worker)  # type: ignore[union-attr]
            .values(status=SENT, sent_at=now, lease_owner=None, lease_expires_at=None, last_error=None)
        )


async def mark_retry(
    session: AsyncSession, message_id: int, *, worker: str, error: str, retry_at: datetime
) -> None:
    """Put a message back in the queue after a temporary failure."""
    await session.exec(  # type: ignore[call-overload]
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.lease_owner == worker)  # type: ignore[arg-type]
        .values(
            status=PENDING,
            next_attempt_at=retry_at,
            lease_owner=None,
            lease_expires_at=None,
            last_error=error[:1000],
        )
    )


async def mark_failed(
    session: AsyncSession, message: Claimed, *, worker: str, error: str, code: int | None, bounce: bool, now: datetime
) -> None:
    """Give up on a message; a permanent refusal is also recorded against the recipient."""
    await session.exec(  # type: ignore[call-overload]
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id, OutboxMessage.lease_owner == worker)  # type: ignore[arg-type]
        .values(status=FAILED, lease_owner=None, lease_expires_at=None, last_error=error[:1000])
    )
    if bounce:
        session.add(
            Bounce(recipient=message.recipient, outbox_id=message.id, code=code, reason=error[:1000], created_at=now)
        )


async def counts(session: AsyncSession, *, campaign: str | None = None) -> dict[str, int]:
    """Messages by status (every status present, zero when none)."""
    statement = select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    if campaign is not None:
        statement = statement.where(OutboxMessage.campaign == campaign)
    found = dict((await session.exec(statement)).all())  # type: ignore[call-overload]
    return {status: int(found.get(status, 0)) for status in STATUSES}


async def oldest_due(session: AsyncSession) -> datetime | None:
    """When the longest-waiting pending message became due, to spot a stuck queue."""
    statement = select(func.min(OutboxMessage.next_attempt_at)).where(OutboxMessage.status == PENDING)
    value = (await session.exec(statement)).one()  # type: ignore[call-overload]
    return value[0] if isinstance(value, tuple) else value  # type: ignore[no-any-return]


async def purge_finished(session: AsyncSession, *, before: datetime) -> int:
    """Delete sent, failed and cancelled messages created before `before` (data retention).

    Returns:
        How many rows were deleted.
    """
    result = await session.exec(  # type: ignore[call-overload]
        delete(OutboxMessage).where(
            OutboxMessage.status.in_((SENT, FAILED, CANCELLED)),  # type: ignore[attr-defined]
            OutboxMessage.created_at < before,  # type: ignore[arg-type]
        )
    )
    await session.commit()
    return _rowcount(result, 0)


async def retry_failed(session: AsyncSession, *, now: datetime) -> int:
    """Queue every failed message again (after a relay outage was fixed, say)."""
    result = await session.exec(  # type: ignore[call-overload]
        update(OutboxMessage)
        .where(OutboxMessage.status == FAILED)  # type: ignore[arg-type]
        .values(status=PENDING, next_attempt_at=now, attempts=0)
    )
    await session.commit()
    return _rowcount(result, 0)
