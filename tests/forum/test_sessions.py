"""Sessions in the domain: local times stored as UTC, validation, sequence, listing, recurrence."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time
from typing import Any

import pytest

from bot.domain.forum import recurrence, sessions
from bot.errors import InvalidInputError, NotFoundError, UserFacingError
from bot.runtime import Services
from tests.conftest import StepClock
from tests.forum.sessions_kit import details, new_session, post_of, rules_of


async def test_create_stores_utc_and_the_whole_agenda(services: Services) -> None:
    winter = await new_session(services)
    summer = await new_session(
        services, start="2027-07-20 14:00", end="2027-07-20 15:30"
    )
    assert winter.starts_at == datetime(2027, 1, 19, 14, 0, tzinfo=UTC)
    assert summer.starts_at == datetime(2027, 7, 20, 13, 0, tzinfo=UTC)  # BST
    assert summer.ends_at == datetime(2027, 7, 20, 14, 30, tzinfo=UTC)
    fixed = services.settings.forum_fixed_agenda
    assert fixed and winter.agenda == [*fixed, "Referrals: what good looks like"]
    assert winter.uid.startswith("forum-session-")
    assert winter.uid.endswith("@partnership.example.org") and winter.uid != summer.uid
    assert (winter.sequence, winter.status) == (0, sessions.SCHEDULED)
    async with services.sessions() as session:
        stored = await sessions.get_session(session, winter.id or 0)
        again = sessions.details_of(stored, rules_of(services))
    assert again.starts == datetime(2027, 1, 19, 14, 0)
    assert again.items == ("Referrals: what good looks like",)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": "  "}, "title"),
        ({"end": "2027-01-19 13:00"}, "end after it starts"),
        ({"capacity": 0}, "at least 1"),
        ({"start": "2026-02-01 10:00", "end": "2026-02-01 11:00"}, "already passed"),
        ({"audience_topics": ("Knitting",)}, "Unknown topics: Knitting"),
        ({"audience_organisations": ("Acme",)}, "Unknown organisations: Acme"),
        ({"join_url": "javascript:alert(1)"}, "https://"),
        ({"start": "2027-03-28 01:30", "end": "2027-03-28 03:00"}, "clocks go forward"),
    ],
)
async def test_create_refuses_bad_details_in_plain_english(
    services: Services, changes: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        await new_session(services, **changes)
    async with services.sessions() as session:
        assert await sessions.list_sessions(session, now=services.clock.now()) == []


async def _edit(services: Services, row_id: int, **changes: Any) -> tuple[int, bool]:
    async with services.sessions() as session:
        rules = rules_of(services)
        current = sessions.details_of(
            await sessions.get_session(session, row_id), rules
        )
        row, changed = await sessions.edit_session(
            session,
            post_of(services),
            row_id,
            replace(current, **changes),
            now=services.clock.now(),
        )
        await session.commit()
        return row.sequence, changed


async def test_only_calendar_changes_raise_the_sequence(services: Services) -> None:
    row = await new_session(services)
    assert row.id is not None
    assert await _edit(services, row.id, title="Forum: neglect", capacity=60) == (
        0,
        False,
    )
    later = datetime(2027, 1, 19, 15, 0)
    assert await _edit(
        services, row.id, starts=later, ends=datetime(2027, 1, 19, 16)
    ) == (1, True)
    assert await _edit(services, row.id, join_url="https://meet.example.org/new") == (
        2,
        True,
    )
    assert await _edit(services, row.id, items=("Another item",)) == (3, True)
    with pytest.raises(InvalidInputError, match="already passed"):
        await _edit(
            services,
            row.id,
            starts=datetime(2026, 1, 1, 10),
            ends=datetime(2026, 1, 1, 11),
        )


async def test_cancel_raises_the_sequence_once(services: Services) -> None:
    row = await new_session(services)
    assert row.id is not None
    async with services.sessions() as session:
        cancelled = await sessions.cancel_session(
            session, row.id, now=services.clock.now()
        )
        await session.commit()
    assert (cancelled.status, cancelled.sequence) == (sessions.CANCELLED, 1)
    async with services.sessions() as session:
        with pytest.raises(UserFacingError, match="already cancelled"):
            await sessions.cancel_session(session, row.id, now=services.clock.now())
    with pytest.raises(UserFacingError, match="cannot be edited"):
        await _edit(services, row.id, title="Back again")


async def test_upcoming_and_past(services: Services, clock: StepClock) -> None:
    first = await new_session(services)
    second = await new_session(
        services, start="2027-04-20 14:00", end="2027-04-20 15:30"
    )
    clock.advance(days=330)  # 2027-01-25: the first is over
    async with services.sessions() as session:
        now = services.clock.now()
        upcoming = await sessions.list_sessions(session, now=now)
        past = await sessions.list_sessions(session, now=now, when="past")
        with pytest.raises(NotFoundError, match="no session 999"):
            await sessions.get_session(session, 999)
    assert [s.id for s in upcoming] == [second.id]
    assert [s.id for s in past] == [first.id]


async def _recur(services: Services) -> recurrence.RecurResult:
    pattern = recurrence.Pattern(
        year=2027,
        weekday=recurrence.weekday_number("tuesday"),
        week=3,
        months=(1, 4, 7, 10),
        start=time(14, 0),
        minutes=90,
    )
    async with services.sessions() as session:
        result = await recurrence.create_recurring(
            session,
            rules_of(services),
            pattern,
            details(),
            created_by=None,
            now=services.clock.now(),
        )
        await session.commit()
        return result


async def test_recurring_pattern_creates_the_year_once(services: Services) -> None:
    await new_session(services, start="2027-04-20 09:30", end="2027-04-20 11:00")
    first = await _recur(services)
    assert [r.starts_at.date() for r in first.created] == [
        date(2027, 1, 19),
        date(2027, 7, 20),
        date(2027, 10, 19),
    ]
    assert first.skipped == [(date(2027, 4, 20), "already has a session")]
    assert [r.starts_at.hour for r in first.created] == [14, 13, 13]  # GMT, BST, BST
    second = await _recur(services)
    assert second.created == [] and len(second.skipped) == 4


def test_pattern_errors_are_plain() -> None:
    with pytest.raises(InvalidInputError, match="day of the week"):
        recurrence.weekday_number("someday")
    bad = recurrence.Pattern(2027, 1, 5, (1,), time(14), 90)
    with pytest.raises(InvalidInputError, match="1 to 4"):
        recurrence.dates_of(bad)
    assert recurrence.nth_weekday(2027, 1, 1, -1) == date(2027, 1, 26)
