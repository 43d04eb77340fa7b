"""Scheduler leadership over a database lease, the stored job schedule, and the maintenance jobs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import timedelta
from unittest.mock import Mock

import pytest
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, JobExecutionEvent
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlmodel import select

import jobs
from bot.outbox import queue
from bot.runtime import Services, current_services, open_services
from bot.scheduling import (
    LEASE_NAME,
    Leadership,
    Schedule,
    build_scheduler,
    job_infos,
    job_store_url,
    sync_schedules,
)
from bot.settings import Settings
from bot.store import leases
from bot.store.db import upgrade_schema
from bot.store.tables import OutboxMessage
from jobs.maintenance import STUCK_AFTER, check_outbox, purge_outbox
from tests.conftest import StepClock

TTL = timedelta(seconds=30)
MANIFEST = {schedule.id for schedule in jobs.SCHEDULES}
WAIT = 10  # seconds: the most any awaited event may take before the test fails

# Jobs are stored by reference ("module:function") with picklable arguments, so the job
# below finds its event by name.
FIRED: dict[str, asyncio.Event] = {}


async def fire_event(name: str) -> None:
    """A job for the scheduler to run: tells the waiting test it ran."""
    FIRED[name].set()


async def retired_job() -> None:
    """Stands for a job that was dropped from the manifest."""


@pytest.fixture
async def opened(settings: Settings, clock: StepClock) -> AsyncIterator[Services]:
    """Services over a migrated database with no transports; `current_services()` finds them."""
    upgrade_schema(settings.effective_database_url)
    async with open_services(settings, clock=clock, transports={}) as services:
        yield services


@contextmanager
def started(scheduler: AsyncIOScheduler, *, paused: bool) -> Iterator[AsyncIOScheduler]:
    scheduler.start(paused=paused)
    try:
        yield scheduler
    finally:
        scheduler.shutdown(wait=False)


class Contender:
    """A Leadership with spies on its callbacks, as one `serve` process would have."""

    def __init__(self, services: Services, holder: str) -> None:
        self.gained = asyncio.Event()
        self.on_gain = Mock(side_effect=self.gained.set)
        self.on_loss = Mock()
        self.leadership = Leadership(
            sessions=services.sessions,
            clock=services.clock,
            holder=holder,
            ttl=TTL,
            on_gain=self.on_gain,
            on_loss=self.on_loss,
        )

    async def step(self) -> bool:
        return await self.leadership.step()


@pytest.fixture
def contenders(opened: Services) -> tuple[Contender, Contender]:
    return Contender(opened, "serve-a"), Contender(opened, "serve-b")


async def test_only_one_process_leads(contenders: tuple[Contender, Contender]) -> None:
    a, b = contenders
    assert await a.step()
    assert not await b.step()
    assert await a.step()  # renewing keeps it
    assert not await b.step()
    assert (a.leadership.leading, b.leadership.leading) == (True, False)
    a.on_gain.assert_called_once_with()
    a.on_loss.assert_not_called()
    b.on_gain.assert_not_called()
    b.on_loss.assert_not_called()


async def test_the_other_takes_over_when_the_leader_stops_renewing(
    contenders: tuple[Contender, Contender], clock: StepClock
) -> None:
    a, b = contenders
    assert await a.step()
    clock.advance(seconds=TTL.total_seconds() - 1)
    assert await a.step()  # renewed: good for another TTL from now
    clock.advance(seconds=TTL.total_seconds())
    assert not await b.step()  # expires exactly now: not yet free
    clock.advance(seconds=1)
    assert await b.step()
    b.on_gain.assert_called_once_with()

    assert not await a.step()  # the old leader comes back and finds it taken
    a.on_loss.assert_called_once_with()
    assert (a.leadership.leading, b.leadership.leading) == (False, True)


async def test_release_lets_the_other_take_over_at_once(
    opened: Services, contenders: tuple[Contender, Contender]
) -> None:
    a, b = contenders
    assert await a.step()
    async with opened.sessions() as session:
        await leases.release(
            session, name=LEASE_NAME, holder="serve-b"
        )  # not b's to give
    assert not await b.step()
    async with opened.sessions() as session:
        await leases.release(session, name=LEASE_NAME, holder="serve-a")
    assert await b.step()  # no clock movement needed


async def test_run_leads_until_stopped_then_hands_the_lease_back(
    contenders: tuple[Contender, Contender],
) -> None:
    a, b = contenders
    stop = asyncio.Event()
    running = asyncio.create_task(a.leadership.run(stop))
    try:
        async with asyncio.timeout(WAIT):
            await a.gained.wait()
        assert not await b.step()
    finally:
        stop.set()
        async with asyncio.timeout(WAIT):
            await running
    a.on_gain.assert_called_once_with()
    a.on_loss.assert_called_once_with()  # the scheduler is paused before the lease goes
    assert await b.step()


@pytest.mark.usefixtures("opened")
async def test_schedules_are_stored_with_next_run_times(settings: Settings) -> None:
    with started(build_scheduler(settings), paused=True) as scheduler:
        sync_schedules(scheduler, jobs.SCHEDULES)
        infos = {info.id: info for info in job_infos(scheduler)}
    assert set(infos) == MANIFEST
    assert {"check-outbox", "purge-outbox"} <= MANIFEST
    assert all(info.next_run is not None for info in infos.values())
    assert infos["purge-outbox"].description.startswith(
        "Delete delivered and failed messages"
    )

    # Stored in the database: a fresh scheduler (another process) sees the same jobs.
    with started(build_scheduler(settings), paused=True) as other:
        stored = {job.id: job for job in other.get_jobs()}
    assert set(stored) == MANIFEST
    purge_at = stored["purge-outbox"].next_run_time.astimezone(settings.zone)
    assert (purge_at.hour, purge_at.minute) == (
        3,
        30,
    )  # local time, whatever the offset
    assert stored["check-outbox"].trigger.interval == timedelta(minutes=15)
    assert stored["check-outbox"].func_ref == "jobs.maintenance:check_outbox"


@pytest.mark.usefixtures("opened")
async def test_sync_drops_jobs_that_left_the_manifest(settings: Settings) -> None:
    with started(build_scheduler(settings), paused=True) as scheduler:
        sync_schedules(
            scheduler,
            [
                *jobs.SCHEDULES,
                Schedule(
                    "retired",
                    "tests.test_scheduling:retired_job",
                    "interval",
                    {"hours": 1},
                ),
            ],
        )
        assert {job.id for job in scheduler.get_jobs()} == MANIFEST | {"retired"}
        sync_schedules(scheduler, jobs.SCHEDULES)
        assert {job.id for job in scheduler.get_jobs()} == MANIFEST
        sync_schedules(scheduler, jobs.SCHEDULES)  # syncing again changes nothing
        assert len(scheduler.get_jobs()) == len(MANIFEST)


@pytest.mark.usefixtures("opened")
async def test_a_job_stored_by_reference_fires_when_due(settings: Settings) -> None:
    FIRED["due-now"] = asyncio.Event()
    try:
        with started(build_scheduler(settings), paused=False) as scheduler:
            job = scheduler.add_job(
                "tests.test_scheduling:fire_event", args=["due-now"], id="due-now"
            )
            assert job.func_ref == "tests.test_scheduling:fire_event"
            async with asyncio.timeout(WAIT):
                await FIRED["due-now"].wait()
    finally:
        del FIRED["due-now"]


@pytest.mark.usefixtures("opened")
async def test_the_scheduler_runs_a_manifest_job_against_the_open_services(
    settings: Settings,
) -> None:
    """What a leader does: the job is looked up by its reference and finds the services."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[JobExecutionEvent] = loop.create_future()

    def settle(event: JobExecutionEvent) -> None:
        if not done.done():
            done.set_result(event)

    def finished(event: JobExecutionEvent) -> None:
        loop.call_soon_threadsafe(settle, event)

    with started(build_scheduler(settings), paused=False) as scheduler:
        scheduler.add_listener(finished, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
        scheduler.add_job("jobs.maintenance:check_outbox", id="check-now")
        async with asyncio.timeout(WAIT):
            event = await done
    assert event.exception is None
    assert event.retval == dict.fromkeys(queue.STATUSES, 0)


async def _enqueue(services: Services, key: str, *, age: timedelta) -> None:
    async with services.sessions() as session:
        message = queue.NewMessage(
            key=key, channel="email", recipient=f"{key}@example.org", payload=b"x"
        )
        assert (
            await queue.enqueue(session, [message], now=services.clock.now() - age) == 1
        )
        await session.commit()


async def _finish(services: Services, *, sent: set[str], failed: set[str]) -> None:
    """Claim everything due and record each key as sent, failed or to be retried later."""
    worker = "test-worker"
    now = services.clock.now()
    async with services.sessions() as session:
        claimed = await queue.claim(
            session, worker=worker, limit=100, now=now, lease=timedelta(minutes=2)
        )
    async with services.sessions() as session:
        for message in claimed:
            key = message.recipient.partition("@")[0]
            if key in sent:
                await queue.mark_sent(session, [message.id], worker=worker, now=now)
            elif key in failed:
                await queue.mark_failed(
                    session,
                    message,
                    worker=worker,
                    error="550 no",
                    code=550,
                    bounce=True,
                    now=now,
                )
            else:
                await queue.mark_retry(
                    session, message.id, worker=worker, error="451 later", retry_at=now
                )
        await session.commit()


async def _keys(services: Services) -> dict[str, str]:
    async with services.sessions() as session:
        rows = (await session.exec(select(OutboxMessage))).all()
    return {row.idempotency_key: row.status for row in rows}


async def test_purge_outbox_deletes_only_old_finished_messages(
    opened: Services,
) -> None:
    retention = timedelta(days=opened.settings.outbox_retention_days)
    await _enqueue(opened, "old-sent", age=retention + timedelta(days=1))
    await _enqueue(opened, "old-failed", age=retention + timedelta(days=1))
    await _enqueue(opened, "old-pending", age=retention + timedelta(days=1))
    await _enqueue(opened, "recent-sent", age=retention - timedelta(days=1))
    await _finish(opened, sent={"old-sent", "recent-sent"}, failed={"old-failed"})
    assert current_services() is opened

    assert await purge_outbox() == 2
    assert await _keys(opened) == {
        "old-pending": queue.PENDING,
        "recent-sent": queue.SENT,
    }
    assert await purge_outbox() == 0


async def test_check_outbox_counts_and_warns(
    opened: Services, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="jobs.maintenance"):
        assert await check_outbox() == dict.fromkeys(queue.STATUSES, 0)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]

    await _enqueue(opened, "refused", age=timedelta(minutes=1))
    await _finish(opened, sent=set(), failed={"refused"})
    await _enqueue(opened, "waiting", age=STUCK_AFTER + timedelta(minutes=5))
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="jobs.maintenance"):
        counts = await check_outbox()
    assert counts == {
        **dict.fromkeys(queue.STATUSES, 0),
        queue.PENDING: 1,
        queue.FAILED: 1,
    }
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2
    assert "1 messages have failed" in warnings[0]
    assert "a message has waited since" in warnings[1]


def test_sqlite_job_store_has_a_file_of_its_own() -> None:
    assert (
        job_store_url("sqlite:///data/forumbot.db") == "sqlite:///data/forumbot-jobs.db"
    )
    assert job_store_url("sqlite:////tmp/x/db") == "sqlite:////tmp/x/db-jobs.db"
    pg = "postgresql://postgres@127.0.0.1:5432/test"
    assert job_store_url(pg) == pg


async def test_syncing_jobs_while_a_transaction_is_open_does_not_wait_on_it(
    opened: Services, settings: Settings
) -> None:
    """The job store's synchronous writes run on the loop's thread: on SQLite they must not
    need the lock that an open async transaction (which needs the loop to finish) holds."""
    async with opened.sessions() as session:
        await queue.enqueue(
            session,
            [
                queue.NewMessage(
                    key="k", channel="email", recipient="a@b.c", payload=b"x"
                )
            ],
            now=opened.clock.now(),
        )  # this transaction now holds SQLite's write lock until commit
        with started(build_scheduler(settings), paused=True) as scheduler:
            sync_schedules(scheduler, jobs.SCHEDULES)  # would block for busy_timeout
            assert {job.id for job in scheduler.get_jobs()} == MANIFEST
        await session.commit()
