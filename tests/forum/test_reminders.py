"""Reminder rules one at a time, and how the job's interval is configured."""

from __future__ import annotations

from datetime import timedelta

from apscheduler.triggers.interval import IntervalTrigger

import jobs
from bot.domain.forum.reminders import due_offset, starts_in
from bot.runtime import Services, open_services
from bot.scheduling import build_scheduler, sync_schedules
from bot.settings import Settings
from bot.store.db import upgrade_schema
from bot.store.tables import ForumSession
from jobs.forum import send_reminders
from tests.conftest import StepClock
from tests.forum.seats import add_member, add_session, outbox_keys, reply

DAY, MINUTE = timedelta(days=1), timedelta(minutes=1)
OFFSETS = [10080, 1440, 15]


async def test_the_check_interval_comes_from_settings(settings: Settings) -> None:
    entry = next(s for s in jobs.SCHEDULES if s.id == "forum-reminders")
    assert entry.trigger_args == {"minutes": 5}  # the default without settings
    custom = settings.model_copy(update={"forum_reminder_check_minutes": 2})
    assert entry.resolved(custom).trigger_args == {"minutes": 2}
    scheduler = build_scheduler(custom)
    scheduler.start(paused=True)
    try:
        sync_schedules(scheduler, jobs.SCHEDULES, custom)
        trigger = scheduler.get_job("forum-reminders").trigger
        assert isinstance(trigger, IntervalTrigger)
        assert trigger.interval == timedelta(minutes=2)
    finally:
        scheduler.shutdown(wait=False)


def test_only_the_latest_due_reminder_is_due(clock: StepClock) -> None:
    start = clock.now() + 10 * DAY
    row = ForumSession(uid="u", title="t", starts_at=start, ends_at=start + DAY)
    assert due_offset(row, OFFSETS, start - 8 * DAY) is None
    assert due_offset(row, OFFSETS, start - 7 * DAY) == 10080
    assert due_offset(row, OFFSETS, start - DAY - MINUTE) == 10080
    assert (
        due_offset(row, OFFSETS, start - DAY) == 1440
    )  # a missed 7-day one is dropped
    assert due_offset(row, OFFSETS, start - 15 * MINUTE) == 15
    assert due_offset(row, OFFSETS, start) is None
    row.status = "cancelled"
    assert due_offset(row, OFFSETS, start - 15 * MINUTE) is None


def test_reminder_wording() -> None:
    assert [starts_in(o) for o in (10080, 1440, 120, 15, 1)] == [
        "in 7 days",
        "in 1 day",
        "in 2 hours",
        "in 15 minutes",
        "in 1 minute",
    ]


async def test_configured_offsets_and_nobody_waiting_or_declined(
    mail_settings: Settings, clock: StepClock
) -> None:
    """With reminders set to 2 hours only: one reminder, to the one attending."""
    custom = mail_settings.model_copy(update={"forum_reminder_minutes": [120]})
    upgrade_schema(custom.effective_database_url)
    async with open_services(custom, clock=clock) as services:
        await _two_hours_only(services, clock)


async def _two_hours_only(services: Services, clock: StepClock) -> None:
    row = await add_session(services, clock.now() + 3 * DAY, capacity=1)
    ann, wai, dec = [await add_member(services, n) for n in ("Ann", "Wai", "Dec")]
    for member, yes in ((ann, True), (wai, True), (dec, False)):
        await reply(services, row, member, yes)
    clock.current = row.starts_at - DAY
    assert await send_reminders() == 0
    clock.current = row.starts_at - 2 * 60 * MINUTE
    assert await send_reminders() == 1
    assert await outbox_keys(services, "reminder:") == [
        f"reminder:{row.id}:{row.starts_at:%Y%m%dT%H%MZ}:120:{ann.id}"
    ]


async def test_members_who_left_get_no_reminders(
    services: Services, clock: StepClock
) -> None:
    row = await add_session(services, clock.now() + 2 * DAY)
    gone = await add_member(services, "Gone")
    await reply(services, row, gone, True)
    async with services.sessions() as session:
        stored = await session.get(type(gone), gone.id)
        assert stored is not None
        stored.status = "unsubscribed"
        await session.commit()
    clock.current = row.starts_at - DAY
    assert await send_reminders() == 0
