"""Newsletter issues: one draft per month, edited by the chair or communications team.

An issue named `newsletter:2027-01` is sent in January 2027 and carries what was published
in the month before it (December 2026); upcoming sessions, open polls and chosen reading
are taken as they stand when sending starts. Nothing goes without someone choosing to send
it: the schedule creates the draft and tells admins, it never sends one unreviewed.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.errors import InvalidInputError, NotFoundError
from bot.store.tables import Newsletter

DRAFT, SCHEDULED, SENDING, SENT = "draft", "scheduled", "sending", "sent"
MAX_TITLE = 300
MAX_NOTE = 5_000
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class NewsletterNotFoundError(NotFoundError):
    """No newsletter has that number or name."""


def month_of(moment: datetime, zone: ZoneInfo) -> str:
    """ "2027-01": the local month `moment` falls in."""
    return f"{moment.astimezone(zone):%Y-%m}"


def period_for(month: str, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The (start, end) of the local calendar month before `month` ("YYYY-MM"), in UTC.

    Raises:
        InvalidInputError: `month` is not YYYY-MM.
    """
    found = _MONTH.match(month.strip())
    if not found or not 1 <= int(found.group(2)) <= 12:
        raise InvalidInputError(
            f"Write the month as YYYY-MM, like 2027-01, not {month!r}.", field="month"
        )
    year, number = int(found.group(1)), int(found.group(2))
    before = (year, number - 1) if number > 1 else (year - 1, 12)
    start = datetime(before[0], before[1], 1, tzinfo=zone)
    end = datetime(year, number, 1, tzinfo=zone)
    return start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC"))


def _clean_title(title: str) -> str:
    cleaned = " ".join(title.split())
    if not cleaned or len(cleaned) > MAX_TITLE:
        raise InvalidInputError(
            f"Give the newsletter a title of 1 to {MAX_TITLE} characters.",
            field="title",
        )
    return cleaned


def _clean_note(note: str | None) -> str | None:
    cleaned = (note or "").replace("\r\n", "\n").strip()
    if len(cleaned) > MAX_NOTE:
        raise InvalidInputError(
            f"The chair's note is too long ({len(cleaned)} characters; at most {MAX_NOTE}).",
            field="chair_note",
        )
    return cleaned or None


async def find_by_campaign(session: AsyncSession, campaign: str) -> Newsletter | None:
    statement = select(Newsletter).where(col(Newsletter.campaign) == campaign)
    return (await session.exec(statement)).first()


async def create_draft(
    session: AsyncSession,
    *,
    month: str,
    zone: ZoneInfo,
    title: str | None = None,
    chair_note: str | None = None,
    now: datetime,
) -> tuple[Newsletter, bool]:
    """The month's draft, created unless it exists; (newsletter, True if new). The caller commits."""
    campaign = f"newsletter:{month.strip()}"
    start, end = period_for(month, zone)
    existing = await find_by_campaign(session, campaign)
    if existing is not None:
        return existing, False
    label = f"{datetime(start.year, start.month, 1):%B %Y}"
    row = Newsletter(
        campaign=campaign,
        title=_clean_title(title or f"Practitioner Forum newsletter: {label}"),
        chair_note=_clean_note(chair_note),
        period_start=start,
        period_end=end,
        created_at=now,
    )
    session.add(row)
    await session.flush()
    return row, True


async def get_newsletter(
    session: AsyncSession, ref: int | str, *, lock: bool = False
) -> Newsletter:
    """By id, or by campaign name ("newsletter:2027-01" or just "2027-01").

    Raises:
        NewsletterNotFoundError: There is none.
    """
    text = str(ref).strip()
    if text.isdigit():
        statement = select(Newsletter).where(col(Newsletter.id) == int(text))
    else:
        name = text if text.startswith("newsletter:") else f"newsletter:{text}"
        statement = select(Newsletter).where(col(Newsletter.campaign) == name)
    row = (
        await session.exec(statement.with_for_update() if lock else statement)
    ).first()
    if row is None:
        raise NewsletterNotFoundError(f"There is no newsletter {text}.")
    return row


async def list_newsletters(session: AsyncSession, limit: int = 100) -> list[Newsletter]:
    statement = select(Newsletter).order_by(col(Newsletter.period_start).desc())
    return list((await session.exec(statement.limit(limit))).all())


def _editable(row: Newsletter) -> None:
    if row.status not in (DRAFT, SCHEDULED):
        raise InvalidInputError(
            f"{row.campaign} is {row.status}, so it can no longer be changed."
        )


def edit_draft(row: Newsletter, *, title: str | None, chair_note: str | None) -> None:
    """Change the title and the chair's note of an issue not yet sending; the caller commits."""
    _editable(row)
    if title is not None:
        row.title = _clean_title(title)
    row.chair_note = _clean_note(chair_note)


def schedule(row: Newsletter, at: datetime | None, *, now: datetime) -> None:
    """Send at `at` (aware), or back to a draft with None. The caller commits."""
    _editable(row)
    if at is not None and at <= now:
        raise InvalidInputError("Choose a time in the future.", field="at")
    row.scheduled_for = at
    row.status = SCHEDULED if at else DRAFT


def send_soon(row: Newsletter, *, now: datetime) -> None:
    """Approve it for sending now: the send-newsletters job (every minute) queues it, in
    the background, resumably. The caller commits."""
    _editable(row)
    row.scheduled_for, row.status = now, SCHEDULED


async def due_newsletters(session: AsyncSession, now: datetime) -> list[Newsletter]:
    """Issues whose scheduled time has come, and any left sending: interrupted ones, or
    one being sent right now by another process, which `send_newsletter` then refuses
    (its lease, `turns`) until that process stops renewing it."""
    statement = select(Newsletter).where(
        (col(Newsletter.status) == SENDING)
        | (
            (col(Newsletter.status) == SCHEDULED)
            & (col(Newsletter.scheduled_for) <= now)
        )
    )
    return list((await session.exec(statement.order_by(col(Newsletter.id)))).all())
