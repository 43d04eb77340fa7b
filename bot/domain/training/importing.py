"""`forumbot training import` and the admin page's upload: a booking system's CSV in.

Good rows land and bad ones are reported by line, as with the member import. Importing the
same file again changes nothing: events are matched by their ref, bookings by (event,
address). Rows are checked first, then written in one transaction (all or nothing) in
chunks that report progress; imports take turns (`take_turn`), so two uploads of the same
file at once give the same result as one after the other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.imports import ImportReport, Rejected
from bot.domain.training import bookings as b
from bot.domain.training import csv_rows
from bot.domain.training.events import (
    clean_event,
    find_event,
    save_event,
    take_turn,
)
from bot.errors import InvalidInputError
from bot.store.tables import Booking, TrainingEvent

CHUNK = 200
Progress = Callable[[int], None]


@dataclass
class TrainingImport(ImportReport):
    """What an import did. imported/updated/unchanged count the kind's own rows (events for
    an events file, bookings otherwise); `events` counts events a bookings file also set."""

    kind: str = "events"
    events: dict[str, int] = field(
        default_factory=lambda: {"created": 0, "updated": 0, "unchanged": 0}
    )

    def count(self, what: str) -> None:
        name = {"created": "imported"}.get(what, what)
        setattr(self, name, getattr(self, name) + 1)


def check_lines(
    data: bytes, kind: str | None, zone: ZoneInfo, report: TrainingImport
) -> list[csv_rows.Line]:
    """Every usable row; bad rows and repeats go into the report with their line."""
    report.kind, rows = csv_rows.read_lines(data, kind)
    good: list[csv_rows.Line] = []
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        try:
            line = csv_rows.parse(row, report.kind)
            if line.event is not None:
                clean_event(line.event, zone)  # refuse bad events before any write
        except InvalidInputError as error:
            report.rejected.append(Rejected(row.line, str(error)))
            continue
        key = (line.ref, line.who.email if line.who else "")
        if key in seen:
            what = f"{key[1]} on event {key[0]}" if key[1] else f"event {key[0]}"
            report.rejected.append(
                Rejected(row.line, f"{what} already appears on line {seen[key]}")
            )
            continue
        seen[key] = row.line
        good.append(line)
    return good


@dataclass
class _Run:
    """What one import holds in memory: events by ref, bookings by event, members."""

    session: AsyncSession
    zone: ZoneInfo
    report: TrainingImport
    events: dict[str, TrainingEvent] = field(default_factory=dict)
    saved: set[str] = field(default_factory=set)
    bookings: dict[int, dict[str, Booking]] = field(default_factory=dict)
    members: dict[str, int] = field(default_factory=dict)

    async def event(self, line: csv_rows.Line) -> TrainingEvent:
        """The row's event: saved from the row's columns once per file, else looked up."""
        if line.event is not None and line.ref not in self.saved:
            event, what = await save_event(
                self.session, clean_event(line.event, self.zone)
            )
            self.report.events[what] += 1
            if self.report.kind == "events":
                self.report.count(what)
            self.events[line.ref] = event
            self.saved.add(line.ref)
        if line.ref not in self.events:
            found = await find_event(self.session, line.ref)
            if found is None:
                raise InvalidInputError(
                    f"no event has the reference {line.ref!r} (import the events first)"
                )
            self.events[line.ref] = found
        return self.events[line.ref]

    async def delegate(self, event: TrainingEvent, who: b.Delegate) -> None:
        event_id = event.id or 0
        if event_id not in self.bookings:
            self.bookings[event_id] = await b.bookings_of(self.session, event_id)
        booking = self.bookings[event_id].get(who.email)
        member_id = self.members.get(who.email)
        if booking is None:
            if self.report.kind == "attendance" and who.attended is False:
                raise InvalidInputError(
                    f"{who.email} has no booking on event {event.ref}, so cannot be "
                    "marked absent"
                )
            booking = b.new_booking(event_id, who, member_id)
            self.session.add(booking)
            self.bookings[event_id][who.email] = booking
            self.report.count("created")
            return
        changed = b.apply(
            booking, who, attendance_only=self.report.kind == "attendance"
        )
        if booking.member_id is None and member_id is not None:
            booking.member_id, changed = member_id, True
        self.report.count("updated" if changed else "unchanged")


async def import_training(
    session: AsyncSession,
    data: bytes,
    *,
    kind: str | None,
    zone: ZoneInfo,
    progress: Progress = lambda _: None,
) -> TrainingImport:
    """Import events, bookings or attendance (`kind`, else guessed from the columns). Commits.

    Raises:
        InvalidInputError: The file as a whole is unreadable (empty, columns missing).
    """
    report = TrainingImport()
    lines = check_lines(data, kind, zone, report)
    await take_turn(session)
    run = _Run(session, zone, report)
    for start in range(0, len(lines), CHUNK):
        chunk = lines[start : start + CHUNK]
        emails = [line.who.email for line in chunk if line.who]
        run.members.update(await b.member_ids(session, emails))
        for line in chunk:
            await _one(run, line)
        progress(start + len(chunk))
    await session.commit()
    report.rejected.sort(key=lambda r: r.line)
    return report


async def _one(run: _Run, line: csv_rows.Line) -> None:
    try:
        event = await run.event(line)
        if line.who is not None:
            await run.delegate(event, line.who)
    except InvalidInputError as error:
        run.report.rejected.append(Rejected(line.line, str(error)))
    await run.session.flush()
