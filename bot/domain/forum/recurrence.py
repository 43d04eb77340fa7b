"""A year's sessions from a pattern such as "3rd Tuesday of January, April, July and October".

Running it again creates nothing new: a date that already has a session (in any status, so
a session the chair cancelled is not brought back) is skipped, and so is a date already past.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.forum.sessions import (
    ForumRules,
    SessionDetails,
    create_session,
    sessions_between,
)
from bot.domain.forum.times import to_utc
from bot.errors import InvalidInputError
from bot.store.tables import ForumSession

WEEKDAYS = tuple(name.lower() for name in calendar.day_name)


@dataclass(frozen=True)
class Pattern:
    """The `week`th `weekday` (0 = Monday) of each month in `months`; week -1 is the last."""

    year: int
    weekday: int
    week: int
    months: tuple[int, ...]
    start: time
    minutes: int


@dataclass(frozen=True)
class RecurResult:
    created: list[ForumSession]
    skipped: list[tuple[date, str]]


def weekday_number(name: str) -> int:
    cleaned = name.strip().lower()
    for number, day in enumerate(WEEKDAYS):
        if day.startswith(cleaned) and len(cleaned) >= 3:
            return number
    raise InvalidInputError(f"{name!r} is not a day of the week.", field="weekday")


def nth_weekday(year: int, month: int, weekday: int, week: int) -> date:
    """The `week`th `weekday` of a month (week 1-4, or -1 for the last)."""
    days = [
        d
        for d in calendar.Calendar().itermonthdates(year, month)
        if d.month == month and d.weekday() == weekday
    ]
    return days[-1] if week == -1 else days[week - 1]


def check_pattern(pattern: Pattern) -> None:
    if pattern.week not in (1, 2, 3, 4, -1):
        raise InvalidInputError(
            "The week must be 1 to 4, or -1 for the last one.", field="week"
        )
    if not pattern.months or any(m < 1 or m > 12 for m in pattern.months):
        raise InvalidInputError("Give months as numbers 1 to 12.", field="months")
    if pattern.minutes < 1:
        raise InvalidInputError(
            "The length must be at least one minute.", field="minutes"
        )


def dates_of(pattern: Pattern) -> list[date]:
    check_pattern(pattern)
    return [
        nth_weekday(pattern.year, month, pattern.weekday, pattern.week)
        for month in sorted(set(pattern.months))
    ]


async def create_recurring(
    session: AsyncSession,
    rules: ForumRules,
    pattern: Pattern,
    template: SessionDetails,
    *,
    created_by: str | None,
    now: datetime,
) -> RecurResult:
    """Create the pattern's sessions, copying `template` apart from the times. The caller
    commits."""
    result = RecurResult(created=[], skipped=[])
    for day in dates_of(pattern):
        starts = datetime.combine(day, pattern.start)
        day_start = to_utc(datetime.combine(day, time()), rules.zone)
        day_end = to_utc(datetime.combine(day + timedelta(days=1), time()), rules.zone)
        if to_utc(starts, rules.zone) <= now:
            result.skipped.append((day, "already past"))
            continue
        if await sessions_between(session, day_start, day_end):
            result.skipped.append((day, "already has a session"))
            continue
        details = replace(
            template, starts=starts, ends=starts + timedelta(minutes=pattern.minutes)
        )
        row = await create_session(
            session, rules, details, created_by=created_by, now=now
        )
        result.created.append(row)
    return result
