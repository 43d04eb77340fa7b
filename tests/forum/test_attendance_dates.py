"""An attendance report is checked against the session's date: a report whose meeting
started on another day is refused in plain English (it would mark the wrong people as
no-shows), unless the chair forces it. Reports without a meeting date are taken as before."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.domain.forum import attendance
from bot.domain.forum.attendance_reports import possible_days
from bot.errors import UserFacingError
from bot.runtime import Services
from bot.store.tables import ForumSession
from tests.conftest import StepClock
from tests.forum.question_rows import forum_session, member

DATA = Path(__file__).parent.parent / "data" / "attendance"
ZOOM = (DATA / "zoom_participants.csv").read_bytes()  # a meeting on 19 January 2027
TEAMS = (DATA / "teams_attendance_report.tsv").read_bytes()  # the same day


async def _import(
    services: Services, row: ForumSession, data: bytes, *, force: bool = False
) -> attendance.Imported:
    async with services.sessions() as session:
        result = await attendance.import_report(
            session,
            row.id or 0,
            data,
            zone=services.settings.zone,
            now=services.clock.now(),
            force=force,
        )
        await session.commit()
        return result


def test_dates_are_read_either_way_round() -> None:
    assert possible_days("19/01/2027, 13:58:12") == {date(2027, 1, 19)}
    assert possible_days("01/19/2027 01:58:12 PM") == {date(2027, 1, 19)}
    assert possible_days("1/19/27, 1:58:12 PM") == {date(2027, 1, 19)}
    assert possible_days("2027-01-19 13:58") == {date(2027, 1, 19)}
    assert possible_days("05/04/2027") == {date(2027, 4, 5), date(2027, 5, 4)}
    assert possible_days("soon") == frozenset()


@pytest.mark.parametrize("report", [ZOOM, TEAMS], ids=["zoom", "teams"])
async def test_a_report_from_another_day_is_refused_unless_forced(
    services: Services, clock: StepClock, report: bytes
) -> None:
    clock.current = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
    await member(services, "kim@northshire.example.org", "Kim Lee")
    other_day = await forum_session(
        services, datetime(2027, 1, 26, 14, 0, tzinfo=UTC), title="Spring forum"
    )
    with pytest.raises(UserFacingError) as refused:
        await _import(services, other_day, report)
    said = str(refused.value)
    assert "started" in said and "19" in said
    assert "'Spring forum' was on Tuesday 26 January 2027" in said
    assert "use --force" in said
    async with services.sessions() as session:
        assert (await attendance.figures(session, other_day.id or 0)).attended == 0

    forced = await _import(services, other_day, report, force=True)
    assert forced.attended == 1


async def test_a_report_from_the_sessions_local_day_is_taken(
    services: Services, clock: StepClock
) -> None:
    # 23:30 UTC on 5 July is 00:30 on 6 July in London (BST), the day the report shows:
    # the check uses the session's local date, not its UTC one.
    clock.current = datetime(2027, 7, 10, 9, 0, tzinfo=UTC)
    await member(services, "kim@northshire.example.org", "Kim Lee")
    summer = await forum_session(services, datetime(2027, 7, 5, 23, 30, tzinfo=UTC))
    report = (
        b"Meeting ID,Topic,Start Time\n1,Forum,07/06/2027 12:30:00 AM\n\n"
        b"Name (Original Name),User Email,Join Time\n"
        b"Kim Lee,kim@northshire.example.org,07/06/2027 12:31:00 AM\n"
    )
    assert (await _import(services, summer, report)).attended == 1


async def test_a_report_without_a_date_is_taken(
    services: Services, clock: StepClock
) -> None:
    await member(services, "kim@northshire.example.org", "Kim Lee")
    row = await forum_session(services, clock.now() - timedelta(days=1))
    result = await _import(services, row, b"email\nkim@northshire.example.org\n")
    assert result.attended == 1
