"""Reading attendance reports as meeting tools export them: Teams, Zoom, Google Meet, plain.

Teams writes UTF-16 with tabs and sections ("1. Summary", "2. Participants", ...); Zoom
writes UTF-8 CSV, sometimes after a one-row meeting summary; Google Meet splits first and
last names. Rather than a parser per tool, the participants' header line is found by its
columns (a name or an email column), its delimiter read from that line, and the rows read
until the section ends. Names are kept in memory only, to match members and count guests;
nothing here stores them.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date

from bot.domain.imports import Rejected
from bot.errors import InvalidInputError

EMAIL_COLUMNS = (
    "email",
    "user email",
    "email address",
    "e-mail",
    "participant id (upn)",
)
NAME_COLUMNS = (
    "name",
    "full name",
    "name (original name)",
    "participant",
    "display name",
)
FIRST, LAST = "first name", "last name"
DELIMITERS = ("\t", ",", ";")
START_TIME = "start time"  # the meeting summary's field (Teams, Zoom)
_DATE = re.compile(r"\b(\d{1,4})[/.-](\d{1,2})[/.-](\d{2,4})\b")
FORMATS = (
    ("teams", ("participant id (upn)", "user action", "in-meeting duration")),
    ("zoom", ("name (original name)", "user email", "join time")),
    ("google meet", ("first name", "time joined")),
)


@dataclass(frozen=True)
class Attendee:
    """One row of the report: its line, an address (lower case) and/or a display name."""

    line: int
    email: str | None
    name: str | None

    @property
    def identity(self) -> str:
        """Who the row is about, so a person who joined twice counts once."""
        return self.email or f"name:{(self.name or '').casefold()}"


@dataclass
class Report:
    """The attendees, the rows that could not be read, and when the meeting started as the
    report's summary gives it (`started`, as written; `days`, the dates it can mean)."""

    format: str
    attendees: list[Attendee] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    started: str | None = None
    days: frozenset[date] = frozenset()


def decode(data: bytes) -> str:
    """The report's text: UTF-16 by BOM or by its NUL bytes, else UTF-8, else Windows-1252."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    if b"\x00" in data[:400]:
        return data.decode("utf-16-le" if data[1:2] == b"\x00" else "utf-16-be")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _cells(line: str, delimiter: str) -> list[str]:
    return [c.strip() for c in next(csv.reader([line], delimiter=delimiter), [])]


def _find_header(lines: list[str]) -> tuple[int, str, list[str]]:
    """(index, delimiter, lower-case columns) of the participants' header line.

    A line with a name column wins over one with only an email column, so Zoom's meeting
    summary (whose "User Email" is the host's) is passed over.
    """
    for wanted in ((*NAME_COLUMNS, FIRST), EMAIL_COLUMNS):
        for index, line in enumerate(lines):
            for delimiter in DELIMITERS:
                columns = [c.lower() for c in _cells(line, delimiter)]
                split = len(columns) > 1 or delimiter == DELIMITERS[-1]
                if split and any(c in wanted for c in columns):
                    return index, delimiter, columns
    raise InvalidInputError(
        "I could not find the list of participants: the report needs a header line with a "
        "Name or Email column (as Teams, Zoom and Google Meet export them)."
    )


def possible_days(text: str) -> frozenset[date]:
    """The dates a meeting tool's date can mean: ISO (2027-01-19), or day and month either
    way round (Teams writes the organiser's locale, 19/01/2027 or 1/19/27; Zoom writes
    01/19/2027), with two- or four-digit years."""
    found = _DATE.search(text)
    if found is None:
        return frozenset()
    a, b, c = (int(x) for x in found.groups())
    if a > 31:
        candidates = [(a, b, c)]
    else:
        year = c + 2000 if c < 100 else c
        candidates = [(year, b, a), (year, a, b)]
    days = set()
    for year, month, day in candidates:
        try:
            days.add(date(year, month, day))
        except ValueError:
            continue
    return frozenset(days)


def _start_time(summary: list[str]) -> str | None:
    """The meeting's start as written in the lines before the participants: Teams has a
    "Start time<TAB>value" line; Zoom a header row with "Start Time" and a row of values."""
    for index, line in enumerate(summary):
        for delimiter in DELIMITERS:
            cells = _cells(line, delimiter)
            lowered = [c.lower() for c in cells]
            if len(cells) > 1 and lowered[0] == START_TIME:
                return cells[1]
            if START_TIME in lowered and index + 1 < len(summary):
                values = _cells(summary[index + 1], delimiter)
                column = lowered.index(START_TIME)
                return values[column] if column < len(values) else None
    return None


def _format(columns: list[str]) -> str:
    for name, marks in FORMATS:
        if any(mark in columns for mark in marks):
            return name
    return "plain"


def read_report(data: bytes) -> Report:
    """The attendees in an attendance report, and the rows that could not be read (by line).

    Raises:
        InvalidInputError: The file is empty or has no participants' header.
    """
    lines = decode(data).splitlines()
    if not any(line.strip() for line in lines):
        raise InvalidInputError("The attendance report is empty.")
    start, delimiter, columns = _find_header(lines)
    started = _start_time(lines[:start])
    report = Report(_format(columns), started=started)
    report.days = possible_days(started or "")
    reader = csv.reader(io.StringIO("\n".join(lines[start + 1 :])), delimiter=delimiter)
    line = start + 1
    for cells in reader:
        first, line = line + 1, start + 1 + reader.line_num
        if not any(c.strip() for c in cells):
            if report.attendees or report.rejected:
                break  # the participants' section has ended (Teams: "3. In-Meeting ...")
            continue
        _add_row(report, first, columns, cells)
    return report


def _add_row(report: Report, line: int, columns: list[str], cells: list[str]) -> None:
    extra = cells[len(columns) :]
    if len(cells) < len(columns) or any(c.strip() for c in extra):
        report.rejected.append(
            Rejected(
                line, f"has {len(cells)} values where the header has {len(columns)}"
            )
        )
        return
    row = {c: v.strip() for c, v in zip(columns, cells, strict=False)}
    email = next((row[c] for c in EMAIL_COLUMNS if row.get(c)), "").lower() or None
    name = next((row[c] for c in NAME_COLUMNS if row.get(c)), "") or " ".join(
        filter(None, (row.get(FIRST), row.get(LAST)))
    )
    if email is not None and ("@" not in email or " " in email):
        report.rejected.append(
            Rejected(line, f"has an email address that is not valid ({email!r})")
        )
    elif email is None and not name:
        report.rejected.append(
            Rejected(line, "has neither a name nor an email address")
        )
    else:
        report.attendees.append(Attendee(line, email, name or None))
