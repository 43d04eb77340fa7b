"""bot.outbox.queue on SQLite and PostgreSQL: claims and leases, stale workers, counts, retention, retry policy."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import pytest
from sqlalchemy import update
from sqlmodel import col, select

from bot.outbox import queue
from bot.outbox.worker import DeliveryWorker, RetryPolicy
from bot.runtime import Services
from bot.store.tables import Bounce, OutboxMessage
from tests.conftest import StepClock
from tests.servers.smtp import SmtpServer

LEASE = timedelta(seconds=60)


def _messages(
    n: int, *, start: int = 0, campaign: str | None = None
) -> list[queue.NewMessage]:
    return [
        queue.NewMessage(
            key=f"q:{i}",
            channel="email",
            recipient=f"member{i}@example.org",
            payload=f"Subject: {i}\r\n\r\nbody {i}\r\n".encode(),
            campaign=campaign,
        )
        for i in range(start, start + n)
    ]


async def _enqueue(
    services: Services, messages: Sequence[queue.NewMessage], *, now: datetime
) -> int:
    async with services.sessions() as session:
        added = await queue.enqueue(session, messages, now=now)
        await session.commit()
    return added


async def _claim(
    services: Services,
    worker: str,
    *,
    now: datetime,
    limit: int = 100,
    lease: timedelta = LEASE,
) -> list[queue.Claimed]:
    async with services.sessions() as session:
        return await queue.claim(
            session, worker=worker, limit=limit, now=now, lease=lease
        )


async def _rows(services: Services) -> list[OutboxMessage]:
    async with services.sessions() as session:
        return list(
            (
                await session.exec(
                    select(OutboxMessage).order_by(col(OutboxMessage.id))
                )
            ).all()
        )


async def _bounces(services: Services) -> list[Bounce]:
    async with services.sessions() as session:
        return list((await session.exec(select(Bounce))).all())


async def _counts(services: Services, campaign: str | None = None) -> dict[str, int]:
    async with services.sessions() as session:
        return await queue.counts(session, campaign=campaign)


async def _mark_sent(
    services: Services, ids: Sequence[int], *, worker: str, now: datetime
) -> None:
    async with services.sessions() as session:
        await queue.mark_sent(session, ids, worker=worker, now=now)
        await session.commit()


# --- enqueue


async def test_enqueue_stores_each_key_once(
    services: Services, clock: StepClock
) -> None:
    messages = _messages(3)
    assert (
        await _enqueue(services, [*messages, messages[0]], now=clock.now()) == 3
    )  # a repeat in one batch
    assert (
        await _enqueue(services, _messages(5), now=clock.now()) == 2
    )  # q:0..q:2 are known
    assert await _enqueue(services, [], now=clock.now()) == 0
    rows = await _rows(services)
    assert [r.idempotency_key for r in rows] == [f"q:{i}" for i in range(5)]
    assert all(r.status == queue.PENDING and r.attempts == 0 for r in rows)
    assert all(r.next_attempt_at == clock.now() == r.created_at for r in rows)
    assert rows[0].payload == b"Subject: 0\r\n\r\nbody 0\r\n"


# --- claim


async def test_claim_takes_due_messages_oldest_first_up_to_the_limit(
    services: Services, clock: StepClock
) -> None:
    await _enqueue(services, _messages(5), now=clock.now())
    first = await _claim(services, "w1", now=clock.now(), limit=3)
    assert [c.recipient for c in first] == [f"member{i}@example.org" for i in range(3)]
    assert all(c.attempts == 1 and c.channel == "email" for c in first)
    assert first[1].payload == b"Subject: 1\r\n\r\nbody 1\r\n"
    rest = await _claim(services, "w2", now=clock.now(), limit=10)
    assert [c.recipient for c in rest] == ["member3@example.org", "member4@example.org"]
    assert await _claim(services, "w3", now=clock.now()) == []
    rows = await _rows(services)
    assert [r.lease_owner for r in rows] == ["w1", "w1", "w1", "w2", "w2"]
    assert {r.status for r in rows} == {queue.SENDING}
    assert {r.lease_expires_at for r in rows} == {clock.now() + LEASE}


async def test_claim_respects_next_attempt_at(
    services: Services, clock: StepClock
) -> None:
    await _enqueue(services, _messages(1), now=clock.now())
    assert await _claim(services, "w", now=clock.now() - timedelta(seconds=1)) == []
    (claimed,) = await _claim(
        services, "w", now=clock.now()
    )  # due at exactly next_attempt_at
    retry_at = clock.now() + timedelta(minutes=5)
    async with services.sessions() as session:
        await queue.mark_retry(
            session, claimed.id, worker="w", error="451 later", retry_at=retry_at
        )
        await session.commit()
    (row,) = await _rows(services)
    assert (row.status, row.next_attempt_at, row.lease_owner, row.last_error) == (
        queue.PENDING,
        retry_at,
        None,
        "451 later",
    )
    assert await _claim(services, "w", now=retry_at - timedelta(microseconds=1)) == []
    (again,) = await _claim(services, "w", now=retry_at)
    assert again.id == claimed.id
    assert again.attempts == 2


async def test_a_live_lease_is_not_claimed_again(
    services: Services, clock: StepClock
) -> None:
    await _enqueue(services, _messages(2), now=clock.now())
    assert len(await _claim(services, "w1", now=clock.now())) == 2
    assert (
        await _claim(services, "w2", now=clock.now() + LEASE - timedelta(seconds=1))
        == []
    )
    assert (
        await _claim(services, "w2", now=clock.now() + LEASE) == []
    )  # expiry is strict
    assert await _counts(services) == {
        **dict.fromkeys(queue.STATUSES, 0),
        queue.SENDING: 2,
    }


async def test_an_expired_lease_is_claimed_again(
    services: Services, clock: StepClock
) -> None:
    """A worker that died holding messages: another takes them once the lease runs out."""
    await _enqueue(services, _messages(2), now=clock.now())
    dead = await _claim(services, "dead", now=clock.now())
    later = clock.now() + LEASE + timedelta(seconds=1)
    taken = await _claim(services, "alive", now=later)
    assert [c.id for c in taken] == [c.id for c in dead]
    assert [c.attempts for c in taken] == [2, 2]
    rows = await _rows(services)
    assert {(r.status, r.lease_owner, r.lease_expires_at) for r in rows} == {
        (queue.SENDING, "alive", later + LEASE)
    }


async def test_mark_sent_only_touches_rows_the_worker_still_leases(
    services: Services, clock: StepClock
) -> None:
    await _enqueue(services, _messages(3), now=clock.now())
    slow = await _claim(services, "slow", now=clock.now(), limit=2)
    later = clock.now() + LEASE + timedelta(seconds=1)
    (taken_over,) = await _claim(
        services, "fast", now=later, limit=1
    )  # the first of slow's, expired
    assert taken_over.id == slow[0].id
    pending_id = (await _rows(services))[2].id
    assert pending_id is not None

    # slow finishes late: its expired row now belongs to fast, and it never held the third
    await _mark_sent(
        services, [c.id for c in slow] + [pending_id], worker="slow", now=later
    )
    first, second, third = await _rows(services)
    assert (first.status, first.lease_owner, first.sent_at) == (
        queue.SENDING,
        "fast",
        None,
    )
    assert (second.status, second.lease_owner, second.sent_at) == (
        queue.SENT,
        None,
        later,
    )
    assert (third.status, third.lease_owner) == (queue.PENDING, None)

    await _mark_sent(services, [taken_over.id], worker="fast", now=later)
    first, _, _ = await _rows(services)
    assert (first.status, first.lease_owner, first.lease_expires_at, first.sent_at) == (
        queue.SENT,
        None,
        None,
        later,
    )
    await _mark_sent(services, [], worker="fast", now=later)  # nothing to do is fine


async def test_a_stale_worker_cannot_retry_or_fail_a_taken_over_message(
    services: Services, clock: StepClock
) -> None:
    await _enqueue(services, _messages(1), now=clock.now())
    (stale,) = await _claim(services, "stale", now=clock.now())
    later = clock.now() + LEASE + timedelta(seconds=1)
    await _claim(services, "owner", now=later)
    async with services.sessions() as session:
        await queue.mark_retry(
            session, stale.id, worker="stale", error="451", retry_at=later
        )
        await queue.mark_failed(
            session,
            stale,
            worker="stale",
            error="550 no",
            code=550,
            bounce=False,
            now=later,
        )
        await session.commit()
    (row,) = await _rows(services)
    assert (row.status, row.lease_owner, row.last_error) == (
        queue.SENDING,
        "owner",
        None,
    )


async def test_mark_failed_records_a_bounce_only_when_asked(
    services: Services, clock: StepClock
) -> None:
    await _enqueue(services, _messages(2), now=clock.now())
    permanent, given_up = await _claim(services, "w", now=clock.now())
    async with services.sessions() as session:
        await queue.mark_failed(
            session,
            permanent,
            worker="w",
            error="550 no such user",
            code=550,
            bounce=True,
            now=clock.now(),
        )
        await queue.mark_failed(
            session,
            given_up,
            worker="w",
            error="451 later",
            code=451,
            bounce=False,
            now=clock.now(),
        )
        await session.commit()
    assert [(r.status, r.last_error, r.lease_owner) for r in await _rows(services)] == [
        (queue.FAILED, "550 no such user", None),
        (queue.FAILED, "451 later", None),
    ]
    assert [(b.recipient, b.outbox_id, b.code) for b in await _bounces(services)] == [
        ("member0@example.org", permanent.id, 550)
    ]


# --- counts, oldest_due, purge_finished, retry_failed


async def test_counts_every_status_and_by_campaign(
    services: Services, clock: StepClock
) -> None:
    assert await _counts(services) == dict.fromkeys(queue.STATUSES, 0)
    await _enqueue(services, _messages(3, campaign="spring"), now=clock.now())
    await _enqueue(services, _messages(2, start=3), now=clock.now())
    claimed = await _claim(services, "w", now=clock.now(), limit=2)
    await _mark_sent(services, [claimed[0].id], worker="w", now=clock.now())
    assert await _counts(services) == {
        **dict.fromkeys(queue.STATUSES, 0),
        "pending": 3,
        "sending": 1,
        "sent": 1,
    }
    assert await _counts(services, campaign="spring") == {
        **dict.fromkeys(queue.STATUSES, 0),
        "pending": 1,
        "sending": 1,
        "sent": 1,
    }
    assert await _counts(services, campaign="autumn") == dict.fromkeys(
        queue.STATUSES, 0
    )


async def test_oldest_due_is_the_earliest_pending(
    services: Services, clock: StepClock
) -> None:
    async with services.sessions() as session:
        assert await queue.oldest_due(session) is None
    first = clock.now()
    await _enqueue(services, _messages(1), now=first)
    await _enqueue(services, _messages(1, start=1), now=first + timedelta(hours=1))
    async with services.sessions() as session:
        assert await queue.oldest_due(session) == first
    await _claim(services, "w", now=first, limit=1)  # the oldest is no longer pending
    async with services.sessions() as session:
        assert await queue.oldest_due(session) == first + timedelta(hours=1)


async def _set_status(services: Services, ids: Sequence[int], status: str) -> None:
    async with services.sessions() as session:
        await session.exec(
            update(OutboxMessage)
            .where(col(OutboxMessage.id).in_(ids))
            .values(status=status)
        )
        await session.commit()


async def test_purge_finished_deletes_only_old_finished_messages(
    services: Services, clock: StepClock
) -> None:
    old, new = clock.now() - timedelta(days=40), clock.now()
    await _enqueue(
        services, _messages(5), now=old
    )  # pending, sending, sent, failed, cancelled
    await _enqueue(services, _messages(3, start=5), now=new)  # sent, failed, cancelled
    ids = [r.id for r in await _rows(services) if r.id is not None]
    for status, chosen in {
        queue.SENDING: [ids[1]],
        queue.SENT: [ids[2], ids[5]],
        queue.FAILED: [ids[3], ids[6]],
        queue.CANCELLED: [ids[4], ids[7]],
    }.items():
        await _set_status(services, chosen, status)
    async with services.sessions() as session:
        deleted = await queue.purge_finished(
            session, before=clock.now() - timedelta(days=30)
        )
    assert deleted == 3
    assert [(r.idempotency_key, r.status) for r in await _rows(services)] == [
        ("q:0", queue.PENDING),
        ("q:1", queue.SENDING),
        ("q:5", queue.SENT),
        ("q:6", queue.FAILED),
        ("q:7", queue.CANCELLED),
    ]
    async with services.sessions() as session:
        assert (
            await queue.purge_finished(session, before=clock.now() - timedelta(days=30))
            == 0
        )


async def test_retry_failed_queues_failures_again(
    services: Services, clock: StepClock
) -> None:
    await _enqueue(services, _messages(3), now=clock.now())
    claimed = await _claim(services, "w", now=clock.now())
    async with services.sessions() as session:
        for message in claimed[:2]:
            await queue.mark_failed(
                session,
                message,
                worker="w",
                error="550 no",
                code=550,
                bounce=True,
                now=clock.now(),
            )
        await queue.mark_sent(session, [claimed[2].id], worker="w", now=clock.now())
        await session.commit()
    clock.advance(hours=2)
    async with services.sessions() as session:
        assert await queue.retry_failed(session, now=clock.now()) == 2
    rows = await _rows(services)
    assert [(r.status, r.attempts) for r in rows] == [
        (queue.PENDING, 0),
        (queue.PENDING, 0),
        (queue.SENT, 1),
    ]
    assert rows[0].next_attempt_at == clock.now()
    again = await _claim(services, "w", now=clock.now())
    assert [c.id for c in again] == [c.id for c in claimed[:2]]
    assert [c.attempts for c in again] == [1, 1]
    async with services.sessions() as session:
        assert await queue.retry_failed(session, now=clock.now()) == 0


# --- RetryPolicy and max_attempts


def _ceiling(_low: float, high: float) -> float:
    return high


def _floor(low: float, _high: float) -> float:
    return low


def test_delay_doubles_from_the_base_and_is_capped() -> None:
    policy = RetryPolicy(max_attempts=8, base_seconds=30, max_seconds=600)
    seconds = [policy.delay(n, uniform=_ceiling).total_seconds() for n in range(1, 8)]
    assert seconds == [30, 60, 120, 240, 480, 600, 600]
    assert policy.delay(0, uniform=_ceiling) == timedelta(
        seconds=30
    )  # no attempts yet: the base
    assert policy.delay(1000, uniform=_ceiling) == timedelta(
        seconds=600
    )  # no overflow far out


def test_delay_is_jittered_between_half_and_all_of_the_ceiling() -> None:
    policy = RetryPolicy(base_seconds=30, max_seconds=3600)
    asked: list[tuple[float, float]] = []

    def recording(low: float, high: float) -> float:
        asked.append((low, high))
        return 0.75

    assert policy.delay(3, uniform=recording) == timedelta(seconds=90)
    assert asked == [(0.5, 1.0)]
    assert policy.delay(3, uniform=_floor) == timedelta(seconds=60)
    assert policy.delay(3, uniform=_ceiling) == timedelta(seconds=120)
    for attempts in range(1, 12):
        ceiling = min(3600, 30 * 2 ** (attempts - 1))
        for _ in range(20):
            assert (
                ceiling / 2 <= policy.delay(attempts).total_seconds() <= ceiling
            )  # the real random.uniform


def _worker(services: Services, policy: RetryPolicy) -> DeliveryWorker:
    return DeliveryWorker(
        sessions=services.sessions,
        transports=services.transports,
        clock=services.clock,
        policy=policy,
    )


@pytest.mark.parametrize("max_attempts", [1, 3])
async def test_max_attempts_turns_a_temporary_failure_into_failed_without_a_bounce(
    services: Services, smtpd: SmtpServer, clock: StepClock, max_attempts: int
) -> None:
    smtpd.faults.rcpt["member0@example.org"] = 451
    await _enqueue(services, _messages(1), now=clock.now())
    policy = RetryPolicy(max_attempts=max_attempts, base_seconds=10, max_seconds=10)
    worker = _worker(services, policy)
    for attempt in range(1, max_attempts):
        assert await worker.drain() == 1
        (row,) = await _rows(services)
        assert (row.status, row.attempts) == (queue.PENDING, attempt)
        clock.advance(seconds=10)
    assert await worker.drain() == 1
    (row,) = await _rows(services)
    assert (row.status, row.attempts) == (queue.FAILED, max_attempts)
    assert row.last_error is not None and row.last_error.startswith("451")
    assert await _bounces(services) == []
    clock.advance(days=1)
    assert await worker.drain() == 0  # given up: never claimed again
    assert smtpd.messages == []


async def test_a_permanent_failure_is_not_retried_whatever_the_budget(
    services: Services, smtpd: SmtpServer, clock: StepClock
) -> None:
    smtpd.faults.rcpt["member0@example.org"] = 550
    await _enqueue(services, _messages(1), now=clock.now())
    assert await _worker(services, RetryPolicy(max_attempts=10)).drain() == 1
    (row,) = await _rows(services)
    assert (row.status, row.attempts) == (queue.FAILED, 1)
    assert [(b.recipient, b.code) for b in await _bounces(services)] == [
        ("member0@example.org", 550)
    ]
