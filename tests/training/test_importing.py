"""Importing a booking system's CSV: events, bookings and attendance, bad rows by line,
re-import changing nothing, addresses normalised and linked to members."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlmodel import col, select

from bot.errors import InvalidInputError
from bot.runtime import Services
from bot.store.tables import Booking, Course, TrainingEvent
from tests.training.kit import BOOKINGS, EVENTS, add_member, load

HEAD = "Event ref,Course title,Start,End,Trainer,Places offered,Venue,Delegate email,Delegate name,Organisation,Booking status,Attended\n"
EVENT = "E1,Coercive Control,2019-11-12 13:30,2019-11-12 16:30,Pat Trainer,12,Online"


async def _events(services: Services) -> list[TrainingEvent]:
    async with services.sessions() as session:
        rows = await session.exec(
            select(TrainingEvent).order_by(col(TrainingEvent.ref))
        )
        return list(rows.all())


async def _bookings(services: Services) -> list[Booking]:
    async with services.sessions() as session:
        rows = await session.exec(select(Booking).order_by(col(Booking.email)))
        return list(rows.all())


async def test_events_land_in_utc_and_a_second_import_changes_nothing(
    services: Services,
) -> None:
    first = await load(services, EVENTS)
    assert (first.kind, first.imported, first.rejected) == ("events", 3, [])
    events = await _events(services)
    assert [e.ref for e in events] == [
        "SAMPLE-1920-01",
        "SAMPLE-1920-02",
        "SAMPLE-1920-03",
    ]
    # 09:30 in October is British Summer Time (08:30 UTC); in March it is GMT.
    assert events[0].starts_at == datetime(2019, 10, 8, 8, 30, tzinfo=UTC)
    assert events[2].starts_at == datetime(2020, 3, 10, 9, 30, tzinfo=UTC)
    assert (events[0].places, events[0].trainer) == (15, "Sample Trainer A")
    again = await load(services, EVENTS)
    assert (again.imported, again.updated, again.unchanged) == (0, 0, 3)
    moved = EVENTS.replace(b"Sample Trainer B,15", b"Sample Trainer B,18")
    changed = await load(services, moved)
    assert (changed.updated, changed.unchanged) == (1, 2)
    async with services.sessions() as session:
        assert len((await session.exec(select(Course))).all()) == 3
    assert [e.places for e in await _events(services)] == [15, 18, 10]


async def test_bad_rows_are_reported_by_line_and_good_rows_still_land(
    services: Services,
) -> None:
    text = (
        HEAD
        + f"{EVENT},kim@northshire.example.org,Kim Lee,Council,Booked,Yes\n"  # line 2
        + f"{EVENT},not-an-address,Nobody,Council,Booked,Yes\n"  # 3
        + f"{EVENT},sam@northshire.example.org,Sam,Police,Booked,maybe\n"  # 4
        + "E2,Coercive Control,next Tuesday,2019-11-12 16:30,Pat,12,Online,"
        "lee@northshire.example.org,Lee,NHS,Booked,No\n"  # 5
        + f"{EVENT},KIM@Northshire.example.org ,Kim again,Council,Booked,No\n"  # 6
        + "E1,Coercive Control,too,few\n"  # 7
        + f"{EVENT},ola@northshire.example.org,Ola,School,Waitlisted,\n"  # 8
        + "\n"
        + f"{EVENT},sam@northshire.example.org,Sam Okafor,Police,Booked,No\n"  # 10
    )
    report = await load(services, text.encode())
    assert report.kind == "bookings"
    assert [(r.line, r.reason) for r in report.rejected] == [
        (
            3,
            (
                "'not-an-address' is not a valid email address: An email address must "
                "have an @-sign."
            ),
        ),
        (4, "attended must be yes or no, not 'maybe'"),
        (5, "the start 'next Tuesday' is not a date and time like 2020-01-14 09:30"),
        (6, "kim@northshire.example.org on event E1 already appears on line 2"),
        (7, "has 4 values where the header has 12"),
        (8, "booking status must be booked or cancelled, not 'Waitlisted'"),
    ]
    assert report.imported == 2
    assert [(b.email, b.attended) for b in await _bookings(services)] == [
        ("kim@northshire.example.org", True),
        ("sam@northshire.example.org", False),
    ]
    assert [e.ref for e in await _events(services)] == ["E1"]


async def test_reimport_is_idempotent_and_members_are_linked(
    services: Services,
) -> None:
    kim = await add_member(services, "kim@northshire.example.org", "Kim Lee")
    text = HEAD + f"{EVENT}, Kim@NorthShire.example.org ,Kim Lee,Council,Booked,\n"
    first = await load(services, text.encode())
    assert (first.imported, first.events["created"]) == (1, 1)
    again = await load(services, text.encode())
    assert (again.imported, again.updated, again.unchanged) == (0, 0, 1)
    assert again.events == {"created": 0, "updated": 0, "unchanged": 1}
    (booking,) = await _bookings(services)
    assert (booking.email, booking.member_id, booking.attended) == (
        "kim@northshire.example.org",
        kim.id,
        None,
    )
    attendance = (
        "Event ref,Delegate email,Attended\nE1,kim@northshire.example.org,yes\n"
    )
    marked = await load(services, attendance.encode())
    assert (marked.kind, marked.updated) == ("attendance", 1)
    assert (await _bookings(services))[0].attended is True
    assert (await load(services, attendance.encode())).unchanged == 1


async def test_attendance_for_unknown_events_and_unbooked_absentees_is_refused(
    services: Services,
) -> None:
    await load(services, EVENTS)
    text = (
        "event_ref,email,attended\n"
        "NOPE,kim@northshire.example.org,yes\n"
        "SAMPLE-1920-01,walkin@northshire.example.org,yes\n"
        "SAMPLE-1920-01,never@northshire.example.org,no\n"
    )
    report = await load(services, text.encode(), "attendance")
    assert [(r.line, r.reason) for r in report.rejected] == [
        (2, "no event has the reference 'NOPE' (import the events first)"),
        (
            4,
            (
                "never@northshire.example.org has no booking on event SAMPLE-1920-01, "
                "so cannot be marked absent"
            ),
        ),
    ]
    (walk_in,) = await _bookings(services)
    assert (walk_in.email, walk_in.attended, walk_in.status) == (
        "walkin@northshire.example.org",
        True,
        "booked",
    )


async def test_files_that_cannot_be_read_say_why(services: Services) -> None:
    with pytest.raises(InvalidInputError, match="no places column"):
        await load(
            services,
            b"ref,course,start,end\nE1,X,2020-01-01 09:00,2020-01-01 10:00\n",
            "events",
        )
    with pytest.raises(InvalidInputError, match="The file is empty"):
        await load(services, b"", "events")
    with pytest.raises(InvalidInputError, match="kind must be one of"):
        await load(services, EVENTS, "people")
    assert await _events(services) == []


async def test_the_sample_bookings_file_carries_its_events(services: Services) -> None:
    report = await load(services, BOOKINGS)
    assert (report.kind, report.imported, report.rejected) == ("bookings", 39, [])
    assert report.events["created"] == 3


async def test_two_uploads_of_the_same_file_at_once_land_once(
    services: Services,
) -> None:
    first, second = await asyncio.gather(
        load(services, BOOKINGS), load(services, BOOKINGS)
    )
    assert sorted((first.imported, second.imported)) == [0, 39]
    assert sorted((first.unchanged, second.unchanged)) == [0, 39]
    assert first.rejected == second.rejected == []
    assert len(await _bookings(services)) == 39 and len(await _events(services)) == 3
