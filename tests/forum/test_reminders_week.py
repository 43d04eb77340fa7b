"""The acceptance test for reminders: the real trigger of the `forum-reminders` schedule,
fired across a simulated week, decides exactly which reminders go to whom, and when.

Sessions: S1 (capacity 4, people accepting early and late, waiting, declining, promoted
mid-week), S2 (cancelled mid-week), S3 (moved twelve hours later before its first reminder).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from apscheduler.triggers.interval import IntervalTrigger
from sqlmodel import col, select

import jobs
from bot.runtime import Services
from bot.store.tables import ForumSession, Member, OutboxMessage
from jobs.forum import send_reminders
from tests.conftest import StepClock
from tests.domain.mailbox import plain_text
from tests.forum.seats import add_member, add_session, reply

DAY, HOUR, MINUTE = timedelta(days=1), timedelta(hours=1), timedelta(minutes=1)
Event = tuple[timedelta, Callable[[], Awaitable[object]]]


def fire_times(services: Services, start: datetime, end: datetime) -> list[datetime]:
    """When the scheduler would run the job between `start` and `end`, from the real entry."""
    entry = next(s for s in jobs.SCHEDULES if s.id == "forum-reminders")
    resolved = entry.resolved(services.settings)
    assert entry.func == "jobs.forum:send_reminders" and resolved.trigger == "interval"
    trigger = IntervalTrigger(
        **resolved.trigger_args, start_date=start, timezone=services.settings.zone
    )
    times: list[datetime] = []
    fire = trigger.get_next_fire_time(None, start)
    while fire is not None and fire < end:
        times.append(fire)
        fire = trigger.get_next_fire_time(fire, fire)
    return times


async def _change(services: Services, row: ForumSession, **values: object) -> None:
    async with services.sessions() as session:
        stored = await session.get(ForumSession, row.id)
        assert stored is not None
        for name, value in values.items():
            setattr(stored, name, value)
        await session.commit()


def stamp(row: ForumSession) -> str:
    """The start time as reminder keys carry it."""
    return row.starts_at.astimezone(UTC).strftime("%Y%m%dT%H%MZ")


async def sent_reminders(services: Services) -> set[tuple[str, str, int, timedelta]]:
    """(member, session, offset, when queued relative to the week's start) per email reminder."""
    async with services.sessions() as session:
        rows = (
            await session.exec(
                select(OutboxMessage)
                .where(col(OutboxMessage.idempotency_key).startswith("reminder:"))
                .where(col(OutboxMessage.channel) == "email")
            )
        ).all()
        names = {m.id: m.name for m in (await session.exec(select(Member))).all()}
        titles = {
            s.id: s.title for s in (await session.exec(select(ForumSession))).all()
        }
    found = set()
    for row in rows:
        _, session_id, _start, offset, member_id = row.idempotency_key.split(":")
        found.add(
            (
                str(names[int(member_id)]),
                str(titles[int(session_id)]),
                int(offset),
                row.created_at - START,
            )
        )
    return found


START = StepClock().now()


async def test_a_week_of_reminders(services: Services, clock: StepClock) -> None:
    t0 = clock.now()
    assert t0 == START
    s1 = await add_session(services, t0 + 6 * DAY + HOUR, title="S1", capacity=4)
    s2 = await add_session(services, t0 + 5 * DAY, title="S2")
    s3 = await add_session(services, t0 + 8 * DAY, title="S3")
    ann, dan, eve, gus = [
        await add_member(services, n) for n in ("Ann", "Dan", "Eve", "Gus")
    ]
    hal = await add_member(services, "Hal", slack="U0HAL")
    cat, fay, ben = [await add_member(services, n) for n in ("Cat", "Fay", "Ben")]

    async def answer(
        row: ForumSession, member: Member, yes: bool, at: timedelta
    ) -> str:
        return await reply(services, row, member, yes, now=t0 + at)

    assert await answer(s1, ann, True, -10 * DAY) == "attending"
    assert await answer(s1, dan, True, -9 * DAY) == "attending"
    assert await answer(s1, gus, False, -9 * DAY) == "declined"
    assert await answer(s1, eve, True, -8.5 * DAY) == "attending"
    assert await answer(s2, ann, True, -6 * DAY) == "attending"
    assert await answer(s2, eve, False, -6 * DAY) == "declined"
    assert (
        await answer(s2, ben, True, -1 * DAY) == "attending"
    )  # after S2's 7-day point
    assert await answer(s3, ann, True, -1 * DAY) == "attending"

    events: list[Event] = [
        (
            12 * HOUR,
            lambda: _change(
                services,
                s3,
                starts_at=s3.starts_at + 12 * HOUR,
                ends_at=s3.ends_at + 12 * HOUR,
            ),
        ),
        (DAY, lambda: answer(s1, hal, True, DAY)),  # the last place, accepted late
        (DAY + HOUR, lambda: answer(s1, cat, True, DAY + HOUR)),  # waiting 1
        (DAY + 2 * HOUR, lambda: answer(s1, fay, True, DAY + 2 * HOUR)),  # waiting 2
        (DAY + 6 * HOUR, lambda: answer(s3, ben, True, DAY + 6 * HOUR)),
        (2 * DAY, lambda: answer(s1, dan, False, 2 * DAY)),  # Cat is promoted
        (3 * DAY, lambda: _change(services, s2, status="cancelled")),
    ]
    calls = 0
    for fire in fire_times(services, t0, t0 + 7 * DAY):
        while events and t0 + events[0][0] <= fire:
            clock.current = t0 + events[0][0]
            await events.pop(0)[1]()
        clock.current = fire
        await send_reminders()
        calls += 1
    assert calls == 7 * 24 * 12 and not events

    week, s1_start = 7 * DAY, 6 * DAY + HOUR
    expected = {
        # S1: 7 days before was before the week, so it went at the first run
        ("Ann", "S1", 10080, timedelta(0)),
        ("Dan", "S1", 10080, timedelta(0)),  # attending then; declined later
        ("Eve", "S1", 10080, timedelta(0)),
        *{
            (name, "S1", offset, s1_start - offset * MINUTE)
            for name in ("Ann", "Eve", "Hal", "Cat")  # Hal late, Cat promoted
            for offset in (1440, 15)
        },
        ("Ann", "S2", 10080, timedelta(0)),  # then cancelled: no 1-day or 15-minute
        # S3 moved 12 hours later before its 7-day point: both get it at the new time
        ("Ann", "S3", 10080, 8 * DAY + 12 * HOUR - week),
        ("Ben", "S3", 10080, 8 * DAY + 12 * HOUR - week),
    }
    assert await sent_reminders(services) == expected

    # Hal is on Slack: each of his reminders also went as a DM; nobody else's did.
    async with services.sessions() as session:
        dms = (
            await session.exec(
                select(OutboxMessage).where(col(OutboxMessage.channel) == "slack")
            )
        ).all()
    assert {m.idempotency_key for m in dms} >= {
        f"reminder:{s1.id}:{stamp(s1)}:1440:{hal.id}:slack",
        f"reminder:{s1.id}:{stamp(s1)}:15:{hal.id}:slack",
    }
    assert {m.recipient for m in dms} == {"U0HAL"}


async def test_the_last_reminder_leads_with_the_joining_link(
    services: Services, clock: StepClock
) -> None:
    row = await add_session(services, clock.now() + 10 * MINUTE, title="Soon")
    sam = await add_member(services, "Sam")
    await reply(services, row, sam, True, now=clock.now() - DAY)
    assert await send_reminders() == 1
    assert await send_reminders() == 0  # the next run sends nothing again
    async with services.sessions() as session:
        mail = (
            await session.exec(
                select(OutboxMessage).where(
                    col(OutboxMessage.idempotency_key).startswith("reminder:")
                )
            )
        ).one()
    text = plain_text(mail.payload)
    assert text.index("JOIN THE SESSION: https://meet.example.org/forum") < text.index(
        "Cannot come"
    )
    assert "Soon starts in 15 minutes." in text
