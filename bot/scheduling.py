"""The scheduler: APScheduler 3 with its jobs in the database, fired by one leader process.

Every `serve` process starts a paused scheduler; the one that holds the `scheduler` lease
resumes it, and the others take over when that lease expires. Misfire policy: a run missed
while no leader was up (or the process was busy) still fires if it is less than
`scheduler_misfire_grace_seconds` late; several missed runs of one job coalesce into one; a
job never runs twice at once. Jobs must be idempotent all the same.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from apscheduler.events import EVENT_JOB_ERROR, JobExecutionEvent
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import make_url
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.ports import Clock
from bot.errors import ConfigError
from bot.settings import Settings
from bot.store import leases
from bot.store.db import make_sync_engine

log = logging.getLogger(__name__)
LEASE_NAME = "scheduler"


@dataclass(frozen=True)
class Schedule:
    """One entry of the jobs manifest: a `module:function` reference and when it runs."""

    id: str
    func: str
    trigger: str
    trigger_args: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    # Trigger arguments read from settings when the jobs are stored, e.g.
    # {"minutes": "forum_reminder_check_minutes"}; `trigger_args` holds the defaults.
    settings_args: dict[str, str] = field(default_factory=dict)

    def resolved(self, settings: Settings | None) -> Schedule:
        """This entry with its `settings_args` filled in from `settings` (if given)."""
        if settings is None or not self.settings_args:
            return self
        chosen = {
            arg: getattr(settings, name) for arg, name in self.settings_args.items()
        }
        if "crontab" in chosen:  # "0 9 1 * *": minute hour day month day-of-week
            chosen.update(crontab_args(chosen.pop("crontab")))
        return replace(
            self, trigger_args={**self.trigger_args, **chosen}, settings_args={}
        )


def crontab_args(expression: str) -> dict[str, str]:
    """Cron trigger arguments from a crontab line, as APScheduler's CronTrigger.from_crontab
    reads it (so day-of-week 0 is Monday there too); the trigger checks each field.

    Raises:
        ConfigError: Not five fields.
    """
    fields = expression.split()
    if len(fields) != 5:
        raise ConfigError(
            f"{expression!r} is not a crontab line (minute hour day month day-of-week)"
        )
    return dict(
        zip(("minute", "hour", "day", "month", "day_of_week"), fields, strict=True)
    )


@dataclass(frozen=True)
class JobInfo:
    id: str
    description: str
    trigger: str
    next_run: datetime | None


def job_store_url(database_url: str) -> str:
    """Where the scheduler keeps its jobs: the application's database, except on SQLite.

    APScheduler 3's job store is synchronous and runs on the event loop's thread. On SQLite,
    where one writer locks the whole file, its write could wait on a transaction of our own
    async engine that cannot finish while the loop is blocked: a deadlock until the busy
    timeout. A file of its own beside the database removes the shared lock.
    """
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return database_url
    database = Path(url.database)
    jobs = database.with_name(f"{database.stem}-jobs{database.suffix or '.db'}")
    return url.set(database=str(jobs)).render_as_string(hide_password=False)


def build_scheduler(settings: Settings) -> AsyncIOScheduler:
    """A scheduler whose job store is the application's database (see `job_store_url`)."""
    store = SQLAlchemyJobStore(
        engine=make_sync_engine(job_store_url(settings.effective_database_url)),
        tablename="apscheduler_jobs",
    )
    scheduler = AsyncIOScheduler(
        jobstores={"default": store},
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": settings.scheduler_misfire_grace_seconds,
        },
        timezone=settings.zone,
    )
    scheduler.add_listener(_log_failure, EVENT_JOB_ERROR)
    return scheduler


@asynccontextmanager
async def paused_scheduler(settings: Settings) -> AsyncIterator[AsyncIOScheduler]:
    """A scheduler that reads and writes the job store but fires nothing (for the CLI)."""
    scheduler = build_scheduler(settings)
    scheduler.start(paused=True)
    try:
        yield scheduler
    finally:
        scheduler.shutdown(wait=False)


def _log_failure(event: JobExecutionEvent) -> None:
    log.error(
        "job %s (due %s) failed: %r",
        event.job_id,
        event.scheduled_run_time,
        event.exception,
    )


def sync_schedules(
    scheduler: AsyncIOScheduler,
    schedules: Sequence[Schedule],
    settings: Settings | None = None,
) -> None:
    """Make the stored jobs match the manifest: add or replace each entry, drop the rest.

    With `settings`, entries' `settings_args` (configurable intervals) are read from them.
    """
    wanted = {s.id for s in schedules}
    for schedule in (s.resolved(settings) for s in schedules):
        scheduler.add_job(
            schedule.func,
            trigger=schedule.trigger,
            id=schedule.id,
            name=schedule.description or schedule.id,
            replace_existing=True,
            **schedule.trigger_args,
        )
    for job in scheduler.get_jobs():
        if job.id not in wanted:
            scheduler.remove_job(job.id)


def job_infos(scheduler: AsyncIOScheduler) -> list[JobInfo]:
    return [
        JobInfo(job.id, job.name, str(job.trigger), job.next_run_time)
        for job in sorted(scheduler.get_jobs(), key=lambda j: j.id)
    ]


class Leadership:
    """Keeps the `scheduler` lease renewed and the scheduler running only while it is held."""

    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        holder: str,
        ttl: timedelta,
        on_gain: Callable[[], None],
        on_loss: Callable[[], None],
    ) -> None:
        self._sessions, self._clock, self.holder, self._ttl = (
            sessions,
            clock,
            holder,
            ttl,
        )
        self._on_gain, self._on_loss = on_gain, on_loss
        self.leading = False

    async def step(self) -> bool:
        """Try once to take or renew the lease, switching the scheduler on or off to match."""
        async with self._sessions() as session:
            held = await leases.try_acquire(
                session,
                name=LEASE_NAME,
                holder=self.holder,
                now=self._clock.now(),
                ttl=self._ttl,
            )
        if held != self.leading:
            self.leading = held
            log.info(
                "scheduler %s: %s", self.holder, "now leader" if held else "standing by"
            )
            (self._on_gain if held else self._on_loss)()
        return held

    async def run(self, stop: asyncio.Event) -> None:
        """Renew every third of the lease until `stop`, then hand the lease back."""
        try:
            while not stop.is_set():
                try:
                    await self.step()
                # A database blip: stop firing jobs until the lease is sure again.
                except Exception:
                    log.exception("scheduler %s could not renew its lease", self.holder)
                    if self.leading:
                        self.leading = False
                        self._on_loss()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(
                        stop.wait(), timeout=self._ttl.total_seconds() / 3
                    )
        finally:
            if self.leading:
                self._on_loss()
                async with self._sessions() as session:
                    await leases.release(session, name=LEASE_NAME, holder=self.holder)
