"""Bulk membership: importing a CSV of members and exporting the list."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain import members as m
from bot.domain.spreadsheets import Row, read_csv, write_csv
from bot.errors import InvalidInputError
from bot.store.tables import Member

COLUMNS = ("email", "name", "organisation", "role", "topics")
EXPORT_COLUMNS = (
    "email",
    "name",
    "organisation",
    "role",
    "sector",
    "topics",
    "status",
    "confirmed_at",
)
CHUNK = 1000
Progress = Callable[[int], None]


@dataclass(frozen=True)
class Rejected:
    line: int
    reason: str


@dataclass
class ImportReport:
    """What an import did: the JSON the CLI prints with --json."""

    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejected] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _topics(cell: str) -> tuple[str, ...]:
    """Topics in one cell, separated by | or by whichever of , ; is not the file's delimiter."""
    for separator in ("|", ";", ","):
        if separator in cell:
            return tuple(t.strip() for t in cell.split(separator) if t.strip())
    return (cell.strip(),) if cell.strip() else ()


def parse_row(row: Row, choices: m.Choices) -> tuple[str, m.Profile]:
    """(address, cleaned profile) of one row.

    Raises:
        InvalidInputError: The row cannot be imported; the message says why.
    """
    if row.problem:
        raise InvalidInputError(row.problem)
    cells = row.cells
    address = m.normalise_email(cells.get("email", ""))
    profile = m.Profile(
        name=cells.get("name", ""),
        organisation=cells.get("organisation") or None,
        role=cells.get("role") or None,
        topics=_topics(cells.get("topics", "")),
    )
    return address, m.clean_profile(profile, choices)


def check_rows(
    rows: Iterable[Row], choices: m.Choices, report: ImportReport
) -> dict[str, m.Profile]:
    """Every good row by address; bad rows and repeats go into the report with their line."""
    good: dict[str, m.Profile] = {}
    first_line: dict[str, int] = {}
    for row in rows:
        try:
            address, profile = parse_row(row, choices)
        except InvalidInputError as exc:
            report.rejected.append(Rejected(row.line, str(exc)))
            continue
        if address in good:
            report.rejected.append(
                Rejected(
                    row.line, f"{address} already appears on line {first_line[address]}"
                )
            )
            continue
        good[address], first_line[address] = profile, row.line
    return good


async def import_members(
    session: AsyncSession,
    data: bytes,
    *,
    choices: m.Choices,
    source: str,
    now: datetime,
    progress: Progress = lambda _: None,
) -> ImportReport:
    """Import members from CSV bytes: good rows land, bad rows are reported by line. Commits.

    New addresses become active members (the partnership vouches for them: consent method
    `import`); known ones get their profile updated but keep their status, so someone who
    unsubscribed stays unsubscribed. Running the same file again changes nothing.

    Raises:
        InvalidInputError: The file as a whole is unreadable (no header, missing columns).
    """
    report = ImportReport()
    good = check_rows(
        read_csv(data, required=("email", "name"), known=COLUMNS), choices, report
    )
    addresses = list(good)
    for start in range(0, len(addresses), CHUNK):
        await _import_chunk(
            session,
            {a: good[a] for a in addresses[start : start + CHUNK]},
            report,
            source,
            now,
        )
        await session.commit()
        progress(min(start + CHUNK, len(addresses)))
    return report


async def _import_chunk(
    session: AsyncSession,
    chunk: dict[str, m.Profile],
    report: ImportReport,
    source: str,
    now: datetime,
) -> None:
    existing = (
        await session.exec(select(Member).where(col(Member.email).in_(list(chunk))))
    ).all()
    for member in existing:
        changed = m.apply_profile(member, chunk.pop(member.email or ""), now)
        report.updated += changed
        report.unchanged += not changed
    if chunk:
        rows = [
            _new_row(address, profile, source, now)
            for address, profile in chunk.items()
        ]
        await session.exec(insert(Member), params=rows)
        report.imported += len(rows)


def _new_row(
    address: str, profile: m.Profile, source: str, now: datetime
) -> dict[str, Any]:
    return {
        "email": address,
        **profile.as_fields(),
        "status": m.ACTIVE,
        "consent_at": now,
        "consent_method": "import",
        "consent_wording": f"Added by the partnership from {source[:200]}",
        "bounce_count": 0,
        "created_at": now,
        "updated_at": now,
        "confirmed_at": now,
    }


async def export_members(
    session: AsyncSession, *, fmt: str = "csv", status: str | None = None
) -> str:
    """The member list as CSV (safe to open in a spreadsheet) or JSON."""
    members = await m.list_members(session, status=status, limit=10**9)
    records = [
        {
            "email": x.email,
            "name": x.name,
            "organisation": x.organisation,
            "role": x.role,
            "sector": x.sector,
            "topics": "|".join(x.topics),
            "status": x.status,
            "confirmed_at": x.confirmed_at.isoformat() if x.confirmed_at else "",
        }
        for x in members
    ]
    if fmt == "json":
        return json.dumps(records, indent=2, ensure_ascii=False)
    return write_csv(EXPORT_COLUMNS, ([r[c] for c in EXPORT_COLUMNS] for r in records))
