"""Utilisation and non-attendance: the sample reproduces the 2019/20 figure of 85%, and the
non-attendance CSV cannot run a formula when opened in a spreadsheet."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from bot.domain.training import utilisation as u
from bot.errors import NotFoundError
from bot.runtime import Services
from tests.training.kit import BOOKINGS, load

EVIL = '=HYPERLINK("http://evil.example","x")'


async def test_the_sample_year_is_85_per_cent(services: Services) -> None:
    await load(services, BOOKINGS)
    async with services.sessions() as session:
        events = await u.event_figures(session)
    assert [(e.ref, e.counts.row(), e.counts.utilisation) for e in events] == [
        ("SAMPLE-1920-01", (15, 15, 0, 13, 2), 86.7),
        ("SAMPLE-1920-02", (15, 14, 1, 13, 1), 86.7),
        ("SAMPLE-1920-03", (10, 9, 0, 8, 1), 80.0),
    ]
    whole = u.total(events)
    assert (whole.places, whole.attended, whole.utilisation) == (40, 34, 85.0)
    assert u.total(events).as_dict()["non_attended"] == 4


async def test_filters_by_dates_and_course(services: Services) -> None:
    await load(services, BOOKINGS)
    async with services.sessions() as session:
        autumn = await u.event_figures(
            session,
            since=datetime(2019, 10, 1, tzinfo=UTC),
            until=datetime(2020, 1, 1, tzinfo=UTC),
        )
        one = await u.event_figures(session, course_id=autumn[1].course_id)
    assert [e.ref for e in autumn] == ["SAMPLE-1920-01", "SAMPLE-1920-02"]
    assert [e.ref for e in one] == ["SAMPLE-1920-02"]
    courses = u.by_course(autumn + one)
    assert [(c.course, c.events, c.counts.attended) for c in courses] == [
        ("Coercive Control", 2, 26),
        ("Domestic Abuse: Advanced", 1, 13),
    ]


async def test_no_places_means_no_rate_rather_than_a_division_by_zero() -> None:
    assert u.rate(3, 0) is None and u.Counts(places=0, attended=2).utilisation is None


async def test_the_non_attendance_csv_is_safe_in_a_spreadsheet(
    services: Services,
) -> None:
    text = (
        "ref,course,start,end,places,email,name,organisation,status,attended\n"
        f'E1,Neglect,2020-02-04 09:30,2020-02-04 12:30,10,a@x.example.org,"{EVIL.replace(chr(34), chr(34) * 2)}",+Council,booked,no\n'
        "E1,Neglect,2020-02-04 09:30,2020-02-04 12:30,10,b@x.example.org,Bo,School,booked,yes\n"
        "E1,Neglect,2020-02-04 09:30,2020-02-04 12:30,10,c@x.example.org,Cy,-NHS,cancelled,no\n"
    )
    assert (await load(services, text.encode())).rejected == []
    async with services.sessions() as session:
        absent = await u.non_attendance(session, "E1")
        exported = await u.non_attendance_csv(session, "E1", services.settings.zone)
    assert [b.email for b in absent] == ["a@x.example.org"]
    header, *rows = list(csv.reader(io.StringIO(exported)))
    assert header == list(u.NON_ATTENDANCE_COLUMNS)
    assert rows == [
        [
            "E1",
            "Neglect",
            "2020-02-04 09:30",
            "a@x.example.org",
            "'" + EVIL,
            "'+Council",
        ]
    ]
    with pytest.raises(NotFoundError, match="'E9'"):
        async with services.sessions() as session:
            await u.non_attendance(session, "E9")
