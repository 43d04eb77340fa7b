"""Acceptance: invitations parse with icalendar and keep the local time across clock changes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from icalendar import Calendar

from bot.domain.forum import sessions
from bot.domain.forum.calendar import invitation
from bot.domain.mime import CalendarAttachment, address, build_message, message_id_for
from bot.runtime import Services
from tests.domain.mailbox import parse, plain_text
from tests.forum.sessions_kit import new_session, rules_of

ORGANIZER = ("Practitioner Forum", "forum@partnership.example.org")
ATTENDEE = ("Sam Practitioner", "sam@partner.example.org")


def _parse(text: str) -> tuple[Calendar, Any]:
    calendar = Calendar.from_ical(text)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def _wall_time_by_vtimezone(calendar: Calendar, event: Any) -> datetime:
    """Read DTSTART as a calendar without the IANA database would: by the VTIMEZONE."""
    (zone,) = calendar.timezones
    assert zone.tz_name == "Europe/London"
    own = zone.to_tz(lookup_tzid=False)
    naive: datetime = event.decoded("DTSTART").replace(tzinfo=None)
    return naive.replace(tzinfo=own)


@pytest.mark.parametrize(
    ("start", "utc_hour"),
    [
        ("2026-03-24 14:00", 14),  # before British Summer Time starts (29 March)
        ("2026-03-31 14:00", 13),  # late March, after it starts
        ("2026-10-20 14:00", 13),  # before it ends (25 October)
        ("2026-10-27 14:00", 14),  # late October, after it ends
    ],
)
async def test_local_time_is_right_on_both_sides_of_a_clock_change(
    services: Services, start: str, utc_hour: int
) -> None:
    end = start.replace("14:00", "15:30")
    row = await new_session(services, start=start, end=end)
    text = invitation(
        row, zone=rules_of(services).zone, organizer=ORGANIZER, attendee=ATTENDEE
    )
    calendar, event = _parse(text)
    expected = datetime.fromisoformat(start).replace(hour=utc_hour, tzinfo=UTC)
    begins = event.decoded("DTSTART")
    assert begins.astimezone(UTC) == expected
    assert (begins.hour, begins.minute) == (14, 0)
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert _wall_time_by_vtimezone(calendar, event).astimezone(UTC) == expected
    assert event.decoded("DTEND").astimezone(UTC) - expected == (
        row.ends_at - row.starts_at
    )


async def test_request_carries_uid_sequence_people_and_agenda(
    services: Services,
) -> None:
    row = await new_session(
        services, description="Bring a case; all welcome, <everyone>."
    )
    calendar, event = _parse(
        invitation(
            row, zone=rules_of(services).zone, organizer=ORGANIZER, attendee=ATTENDEE
        )
    )
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == row.uid and event.decoded("SEQUENCE") == 0
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["ORGANIZER"]) == "mailto:forum@partnership.example.org"
    assert str(event["ATTENDEE"]) == "mailto:sam@partner.example.org"
    assert event["ATTENDEE"].params["CN"] == "Sam Practitioner"
    assert (
        str(event["LOCATION"]) == str(event["URL"]) == "https://meet.example.org/forum"
    )
    description = str(event["DESCRIPTION"])
    assert "Bring a case; all welcome, <everyone>." in description
    for item in row.agenda:
        assert f"- {item}" in description


async def test_cancellation_is_method_cancel_with_a_higher_sequence(
    services: Services,
) -> None:
    row = await new_session(services)
    async with services.sessions() as session:
        cancelled = await sessions.cancel_session(
            session, row.id or 0, now=services.clock.now()
        )
        await session.commit()
    calendar, event = _parse(
        invitation(cancelled, zone=rules_of(services).zone, organizer=ORGANIZER)
    )
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == row.uid and event.decoded("SEQUENCE") == 1
    assert "ATTENDEE" not in event


def test_the_message_carries_the_invitation_inline_and_attached() -> None:
    ics = "BEGIN:VCALENDAR\r\nMETHOD:CANCEL\r\nSUMMARY:Café forum\r\nEND:VCALENDAR\r\n"
    raw = build_message(
        subject="Cancelled: Café forum",
        text="Plain",
        html="<p>HTML</p>",
        sender=address("Practitioner Forum", "forum@partnership.example.org"),
        to=address("Sam", "sam@partner.example.org"),
        message_id=message_id_for("session:1:seq1:member:2", "partnership.example.org"),
        date=datetime(2027, 1, 1, tzinfo=UTC),
        calendar=CalendarAttachment(ics, "CANCEL"),
    )
    message = parse(raw)
    assert message.get_content_type() == "multipart/mixed"
    alternative, attached = message.iter_parts()
    kinds = [p.get_content_type() for p in alternative.iter_parts()]
    assert kinds == ["text/plain", "text/html", "text/calendar"]
    inline = list(alternative.iter_parts())[2]
    assert inline.get_param("method") == "CANCEL"
    assert inline.get_payload(decode=True) == ics.encode("utf-8")
    assert attached.get_filename() == "invite.ics"
    assert attached.get_payload(decode=True) == ics.encode("utf-8")
    assert plain_text(raw) == "Plain"
