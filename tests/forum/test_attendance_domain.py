"""Attendance: reports as Teams, Zoom and Google Meet export them, marks, figures per session.

The sample reports in tests/data/attendance are written as the tools write them: Teams as
UTF-16 with tabs and numbered sections, Zoom as UTF-8 CSV with a BOM after a meeting summary.
"""

from __future__ import annotations

import codecs
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import col, select

from bot.domain.forum import attendance
from bot.domain.forum.attendance_reports import read_report
from bot.errors import InvalidInputError, UserFacingError
from bot.runtime import Services
from bot.store.tables import ForumSession, Member, Rsvp
from tests.conftest import StepClock
from tests.forum.question_rows import forum_session, member, place

DATA = Path(__file__).parent.parent / "data" / "attendance"
TEAMS = (DATA / "teams_attendance_report.tsv").read_bytes()
ZOOM = (DATA / "zoom_participants.csv").read_bytes()


@pytest.fixture
async def held(
    services: Services, clock: StepClock
) -> tuple[ForumSession, dict[str, Member]]:
    """A session that took place yesterday, on the sample reports' day (19 January 2027):
    Kim and Sam said yes, Lee said no, Chris never replied."""
    clock.current = datetime(2027, 1, 20, 14, 0, tzinfo=UTC)
    row = await forum_session(services, clock.now() - timedelta(days=1))
    people = {
        "chris": await member(
            services, "chris.chair@partnership.example.org", "Chris Chair"
        ),
        "kim": await member(services, "kim@northshire.example.org", "Kim Lee"),
        "sam": await member(services, "sam@northshire.example.org", "Sam Okafor"),
        "lee": await member(services, "lee@northshire.example.org", "Lee Park"),
    }
    at = clock.now() - timedelta(days=20)
    await place(services, row, people["kim"], "attending", at)
    await place(services, row, people["sam"], "attending", at)
    await place(services, row, people["lee"], "declined", at)
    return row, people


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


async def _attended(
    services: Services, row: ForumSession
) -> dict[int, tuple[str, bool | None]]:
    async with services.sessions() as session:
        rows = await session.exec(select(Rsvp).where(col(Rsvp.session_id) == row.id))
        return {r.member_id: (r.status, r.attended) for r in rows.all()}


def test_a_teams_report_is_read_from_utf16_tabs_and_its_participants_section() -> None:
    assert TEAMS.startswith(codecs.BOM_UTF16_LE)
    report = read_report(TEAMS)
    assert report.format == "teams"
    assert [(a.line, a.email) for a in report.attendees] == [
        (11, "chris.chair@partnership.example.org"),
        (12, "kim@northshire.example.org"),
        (13, None),
        (14, "jo.visitor@elsewhere.example.com"),
        (16, "kim@northshire.example.org"),
    ]
    assert [(r.line, r.reason) for r in report.rejected] == [
        (15, "has 2 values where the header has 7")
    ]


async def test_importing_a_teams_report_marks_attended_no_shows_and_counts_guests(
    services: Services, held: tuple[ForumSession, dict[str, Member]]
) -> None:
    row, people = held
    result = await _import(services, row, TEAMS)
    assert (result.attended, result.no_shows, result.guests, result.walk_ins) == (
        2,
        1,
        2,
        1,
    )
    assert [r.line for r in result.rejected] == [15]
    marks = await _attended(services, row)
    assert marks == {
        people["kim"].id: ("attending", True),
        people["sam"].id: ("attending", False),
        people["lee"].id: ("declined", None),
        people["chris"].id: ("invited", True),
    }
    again = await _import(services, row, TEAMS)
    assert again.as_dict() == {**result.as_dict(), "walk_ins": 0}
    assert await _attended(services, row) == marks
    async with services.sessions() as session:
        figures = await attendance.figures(session, row.id or 0)
    assert (figures.invited, figures.accepted, figures.attended, figures.no_shows) == (
        3,
        2,
        2,
        1,
    )
    assert figures.guests == 2


async def test_a_zoom_report_skips_the_meeting_summary_and_reports_bad_rows_by_line(
    services: Services, held: tuple[ForumSession, dict[str, Member]]
) -> None:
    row, people = held
    result = await _import(services, row, ZOOM)
    assert result.format == "zoom"
    assert [(r.line, r.reason) for r in result.rejected] == [
        (8, "has an email address that is not valid ('not-an-address')")
    ]
    # chair@ is not a member's address here (Chris's is chris.chair@): a guest, with the caller.
    assert (result.attended, result.guests) == (1, 2)
    assert (await _attended(services, row))[people["sam"].id or 0] == (
        "attending",
        False,
    )


@pytest.mark.parametrize(
    "report",
    [
        b"Email\r\nKIM@northshire.example.org\r\nsam@northshire.example.org\r\n",
        (
            b"First name;Last name;Email;Duration\n"
            b"Kim;Lee;kim@northshire.example.org;80 min\nSam;Okafor;;75 min\n"
        ),
        (
            "Full Name\tUser Action\tTimestamp\nKim Lee\tJoined\t19/01/2027, 14:00:00\n"
            "Sam Okafor\tJoined\t19/01/2027, 14:01:00\nKim Lee\tLeft\t19/01/2027, 15:00:00\n"
        ).encode("utf-16-le"),
    ],
    ids=["plain", "google-meet", "old-teams-by-name"],
)
async def test_plain_google_meet_and_old_teams_reports_match_members(
    services: Services, held: tuple[ForumSession, dict[str, Member]], report: bytes
) -> None:
    row, people = held
    result = await _import(services, row, report)
    assert (result.attended, result.no_shows, result.guests, result.rejected) == (
        2,
        0,
        0,
        [],
    )
    marks = await _attended(services, row)
    assert (
        marks[people["kim"].id or 0]
        == marks[people["sam"].id or 0]
        == ("attending", True)
    )


@pytest.mark.parametrize(
    ("report", "message"),
    [
        (b"", "empty"),
        (b"when,duration\n14:00,90\n", "could not find the list of participants"),
    ],
)
async def test_an_unreadable_report_is_refused_plainly(
    services: Services,
    held: tuple[ForumSession, dict[str, Member]],
    report: bytes,
    message: str,
) -> None:
    row, _people = held
    with pytest.raises(InvalidInputError, match=message):
        await _import(services, row, report)


async def test_attendance_waits_for_the_session_and_not_for_a_cancelled_one(
    services: Services, clock: StepClock
) -> None:
    later = await forum_session(services, clock.now() + timedelta(days=1))
    cancelled = await forum_session(
        services, clock.now() - timedelta(days=1), status="cancelled"
    )
    with pytest.raises(UserFacingError, match="has not started"):
        await _import(services, later, b"email\nkim@northshire.example.org\n")
    with pytest.raises(UserFacingError, match="cancelled"):
        await _import(services, cancelled, b"email\nkim@northshire.example.org\n")


async def test_the_chair_marks_attendance_and_figures_cover_every_session_held(
    services: Services, clock: StepClock, held: tuple[ForumSession, dict[str, Member]]
) -> None:
    row, people = held
    await _import(services, row, TEAMS)
    earlier = await forum_session(
        services, clock.now() - timedelta(days=90), title="Autumn"
    )
    await forum_session(services, clock.now() + timedelta(days=90), title="Next")
    async with services.sessions() as session:
        ids = [people["sam"].id or 0, people["lee"].id or 0, people["sam"].id or 0]
        assert (
            await attendance.mark_attended(session, row.id or 0, ids, now=clock.now())
            == 2
        )
        assert (
            await attendance.mark_attended(
                session, earlier.id or 0, ids[:1], now=clock.now()
            )
            == 1
        )
        await session.commit()
    async with services.sessions() as session:
        every = await attendance.all_figures(session, now=clock.now())
    assert [(f.title, f.attended, f.no_shows, f.guests) for f in every] == [
        ("Autumn", 1, 0, 0),
        ("Practitioner Forum", 4, 0, 2),
    ]
