"""Reading a booking system's CSV export into checked rows: events, bookings, attendance.

Booking systems name their columns differently ("Event ref", "Course title", "Delegate
email", "Attended?"), so the header is mapped to our names first; each row is then checked
on its own, and a bad row becomes a reason with its line number instead of stopping the file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from bot.domain.forum.times import parse_local
from bot.domain.spreadsheets import Row, read_csv
from bot.domain.training import bookings as b
from bot.domain.training.events import EventDetails
from bot.errors import InvalidInputError

EVENT_COLUMNS = ("ref", "course", "start", "end", "trainer", "places", "location")
DELEGATE_COLUMNS = ("email", "name", "organisation", "status", "attended")
ALIASES = {
    "event ref": "ref",
    "event_ref": "ref",
    "event reference": "ref",
    "event id": "ref",
    "course title": "course",
    "course_title": "course",
    "title": "course",
    "starts": "start",
    "start time": "start",
    "ends": "end",
    "end time": "end",
    "places offered": "places",
    "capacity": "places",
    "venue": "location",
    "delegate email": "email",
    "email address": "email",
    "delegate name": "name",
    "booking status": "status",
    "attended?": "attended",
    "attendance": "attended",
}
KINDS = ("events", "bookings", "attendance")
REQUIRED = {
    "events": ("ref", "course", "start", "end", "places"),
    "bookings": ("ref", "email"),
    "attendance": ("ref", "email", "attended"),
}


@dataclass(frozen=True)
class Line:
    """One good row: its line, the event's ref, and what it says about the event and/or a
    delegate (`event` is None when the row only names the event)."""

    line: int
    ref: str
    event: EventDetails | None
    who: b.Delegate | None


def canonical_header(data: bytes) -> tuple[bytes, list[str]]:
    """The file with its header renamed to our columns, and those columns."""
    text = data.decode("utf-8", errors="surrogateescape").removeprefix("\ufeff")
    first, newline, rest = text.partition("\n")
    delimiter = ";" if first.count(";") > first.count(",") else ","
    names = next(csv.reader([first.rstrip("\r")], delimiter=delimiter), [])
    mapped = [ALIASES.get(n.strip().lower(), n.strip().lower()) for n in names]
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="").writerow(mapped)
    body = out.getvalue() + newline + rest
    return body.encode("utf-8", errors="surrogateescape"), mapped


def guess_kind(columns: list[str]) -> str:
    """Events when no delegate is named; attendance when only who came is given."""
    if "email" not in columns:
        return "events"
    if "attended" in columns and "status" not in columns and "course" not in columns:
        return "attendance"
    return "bookings"


def read_lines(data: bytes, kind: str | None) -> tuple[str, Iterator[Row]]:
    """(kind, rows) of a training CSV. Raises:
    InvalidInputError: Empty, unknown kind, or the header lacks a column the kind needs.
    """
    renamed, columns = canonical_header(data)
    chosen = kind or guess_kind(columns)
    if chosen not in KINDS:
        raise InvalidInputError(
            f"The kind must be one of {', '.join(KINDS)}, not {chosen!r}."
        )
    known = EVENT_COLUMNS + DELEGATE_COLUMNS
    return chosen, read_csv(renamed, required=REQUIRED[chosen], known=known)


def parse_time(raw: str, field: str) -> datetime:
    """Local "2020-01-14 09:30" (or 14/01/2020 09:30), or ISO 8601 with seconds/offset."""
    try:
        return parse_local(raw, field=field)
    except InvalidInputError:
        try:
            return datetime.fromisoformat(raw.strip())
        except ValueError:
            raise InvalidInputError(
                f"the {field} {raw.strip()[:40]!r} is not a date and time like "
                "2020-01-14 09:30"
            ) from None


def _places(raw: str) -> int:
    try:
        return int(raw.strip())
    except ValueError:
        raise InvalidInputError(
            f"places must be a whole number, not {raw.strip()[:20]!r}"
        ) from None


def _event(cells: dict[str, str], ref: str) -> EventDetails:
    return EventDetails(
        title=cells.get("course", ""),
        starts=parse_time(cells.get("start", ""), "start"),
        ends=parse_time(cells.get("end", ""), "end"),
        places=_places(cells.get("places", "")),
        trainer=cells.get("trainer") or None,
        location=cells.get("location") or None,
        ref=ref,
    )


def _delegate(cells: dict[str, str], kind: str) -> b.Delegate:
    return b.delegate(
        cells.get("email", ""),
        cells.get("name"),
        cells.get("organisation"),
        status=b.BOOKED
        if kind == "attendance"
        else b.parse_status(cells.get("status", "")),
        attended=b.parse_attended(cells.get("attended", "")),
    )


def parse(row: Row, kind: str) -> Line:
    """Raises:
    InvalidInputError: The row cannot be used; the message says why.
    """
    if row.problem:
        raise InvalidInputError(row.problem)
    cells = row.cells
    ref = cells.get("ref", "").strip()
    if not ref:
        raise InvalidInputError("has no event reference")
    with_event = kind == "events" or (kind == "bookings" and bool(cells.get("course")))
    return Line(
        row.line,
        ref,
        _event(cells, ref) if with_event else None,
        None if kind == "events" else _delegate(cells, kind),
    )
