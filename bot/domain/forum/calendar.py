"""iCalendar (RFC 5545/5546) invitations for forum sessions, written with the icalendar library.

Times are written in the partnership's zone with its VTIMEZONE, so a calendar shows the
right wall time on both sides of a clock change. The UID never changes; SEQUENCE comes from
the session row, so a calendar replaces an earlier copy with a later one. A cancelled
session is sent as METHOD:CANCEL with STATUS:CANCELLED.

ATTENDEE carries RSVP=FALSE: members answer with the signed links in the email, Slack or the
web, not by calendar replies sent to the bot's mailbox.
"""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress, vText

from bot.domain.forum.sessions import CANCELLED
from bot.domain.mime import clean_header_text
from bot.store.tables import ForumSession

PRODID = "-//Practitioner Forum//forumbot//EN"
REQUEST = "REQUEST"
CANCEL = "CANCEL"


def method_for(row: ForumSession) -> str:
    return CANCEL if row.status == CANCELLED else REQUEST


def description_for(row: ForumSession, *, public: bool = False) -> str:
    """The plain-text DESCRIPTION: what the session is about, its agenda and where to join."""
    parts = [row.description.strip()] if row.description.strip() else []
    if row.topic:
        parts.append(f"Topic: {row.topic}")
    if row.agenda:
        parts.append("Agenda:\n" + "\n".join(f"- {item}" for item in row.agenda))
    if row.join_url and not public:
        parts.append(f"Join online: {row.join_url}")
    return "\n\n".join(parts)


def _address(name: str, email: str, **params: str) -> vCalAddress:
    value = vCalAddress(f"mailto:{email}")
    if name:
        value.params["CN"] = vText(clean_header_text(name, 100))
    for key, param in params.items():
        value.params[key] = param
    return value


def _event(
    row: ForumSession,
    zone: ZoneInfo,
    organizer: tuple[str, str],
    attendee: tuple[str, str] | None,
    public: bool,
) -> Event:
    event = Event()
    event.add("uid", row.uid)
    event.add("sequence", row.sequence)
    event.add("dtstamp", row.updated_at)
    event.add("dtstart", row.starts_at.astimezone(zone))
    event.add("dtend", row.ends_at.astimezone(zone))
    event.add("summary", row.title)
    event.add("description", description_for(row, public=public))
    event.add("status", "CANCELLED" if row.status == CANCELLED else "CONFIRMED")
    event.add("transp", "OPAQUE")
    if row.join_url and not public:
        event.add("location", row.join_url)
        event.add("url", row.join_url)
    event.add("organizer", _address(*organizer))
    if attendee is not None:
        event.add(
            "attendee",
            _address(
                *attendee,
                ROLE="REQ-PARTICIPANT",
                PARTSTAT="NEEDS-ACTION",
                RSVP="FALSE",
            ),
        )
    return event


def invitation(
    row: ForumSession,
    *,
    zone: ZoneInfo,
    organizer: tuple[str, str],
    attendee: tuple[str, str] | None = None,
    public: bool = False,
) -> str:
    """The session's iCalendar text (CRLF lines): a REQUEST, or a CANCEL once cancelled.

    Args:
        organizer: (name, address) of the partnership's sender.
        attendee: (name, address) of the member it goes to; None for a public download.
        public: Leave out the joining link (a public download: the link is for members, and
            a published one invites strangers into the meeting).
    """
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method_for(row))
    cal.add_component(_event(row, zone, organizer, attendee, public))
    first = row.starts_at.astimezone(zone).date() - timedelta(days=366)
    last = max(row.ends_at.astimezone(zone).date(), first) + timedelta(days=366)
    cal.add_missing_timezones(first_date=first, last_date=_year_start(last))
    text: bytes = cal.to_ical()
    return text.decode("utf-8")


def _year_start(day: date) -> date:
    return date(day.year + 1, 1, 1)
