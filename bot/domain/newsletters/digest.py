"""The newsletter's digest: sections composed from what the bot already holds.

Each section comes from a provider, an async function of (session, `Period`) returning a
`Section` or None. The digest is the list of providers' non-empty sections, so new kinds
plug in by adding a provider to `PROVIDERS` (training and open surveys are two).
A section's items are plain JSON: the digest is frozen into `Newsletter.content` when
sending starts. Member-specific links (RSVP, vote) are not stored; `personalise` adds them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.briefings.records import published_between
from bot.domain.feeds.items import chosen_items
from bot.domain.forum.sessions import list_sessions
from bot.domain.forum.times import describe_when
from bot.domain.polls.drafts import local_text
from bot.domain.polls.voting import is_open, list_polls
from bot.domain.surveys.store import OPEN
from bot.domain.surveys.store import is_open as survey_is_open
from bot.domain.training.events import CANCELLED, course_titles
from bot.store.tables import Survey, TrainingEvent

MAX_ITEMS = (
    8  # per section: a digest stays pithy, and the email stays well under 100 KB
)
SUMMARY_CHARS = 400

Section = dict[str, Any]
"""{"key": ..., "heading": ..., "items": [{"title", "summary", "url", ...}]}"""


@dataclass(frozen=True)
class Period:
    """What a digest is composed for: new things in [start, end), upcoming things after now."""

    start: datetime
    end: datetime
    now: datetime
    zone: ZoneInfo
    base_url: str


Provider = Callable[[AsyncSession, Period], Awaitable[Section | None]]


def _short(text: str | None) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 1] + "…"


def _closes(moment: datetime | None, zone: ZoneInfo) -> str:
    return f"Closes {local_text(moment, zone)}" if moment else ""


def _section(key: str, heading: str, items: list[dict[str, Any]]) -> Section | None:
    return (
        {"key": key, "heading": heading, "items": items[:MAX_ITEMS]} if items else None
    )


async def briefings_section(session: AsyncSession, period: Period) -> Section | None:
    rows = await published_between(session, period.start, period.end)
    items = [
        {
            "title": b.title,
            "summary": _short(b.summary),
            "url": f"{period.base_url}/briefings/{b.slug}",
            "topics": list(b.topics),
        }
        for b in rows
    ]
    return _section("briefings", "New learning briefings", items)


async def sessions_section(session: AsyncSession, period: Period) -> Section | None:
    rows = await list_sessions(session, now=period.now, include_cancelled=False)
    items = [
        {
            "id": row.id,
            "title": row.title,
            "summary": _short(row.description),
            "when": describe_when(row.starts_at, row.ends_at, period.zone),
        }
        for row in rows
    ]
    return _section("sessions", "Upcoming forum sessions", items)


async def polls_section(session: AsyncSession, period: Period) -> Section | None:
    rows = [p for p in await list_polls(session) if is_open(p, period.now)]
    items = [
        {
            "id": p.id,
            "title": p.question,
            "options": list(p.options),
            "when": _closes(p.closes_at, period.zone),
        }
        for p in sorted(rows, key=lambda p: p.id or 0)
    ]
    return _section("polls", "Have your say", items)


async def feeds_section(session: AsyncSession, period: Period) -> Section | None:  # noqa: ARG001 (a provider)
    items = [
        {"id": i.id, "title": i.title, "summary": _short(i.summary), "url": i.link}
        for i in await chosen_items(session)
    ]
    return _section("reading", "Worth reading", items)


async def training_section(session: AsyncSession, period: Period) -> Section | None:
    """Training events still to come (not cancelled), with their course and places."""
    statement = (
        select(TrainingEvent)
        .where(col(TrainingEvent.starts_at) > period.now)
        .where(col(TrainingEvent.status) != CANCELLED)
        .order_by(col(TrainingEvent.starts_at), col(TrainingEvent.id))
        .limit(MAX_ITEMS)
    )
    rows = (await session.exec(statement)).all()
    courses = await course_titles(session) if rows else {}
    items = [
        {
            "id": row.id,
            "title": courses.get(row.course_id, "Training"),
            "when": describe_when(row.starts_at, row.ends_at, period.zone),
            "summary": _short(", ".join(_training_facts(row))),
            "places": row.places,
        }
        for row in rows
    ]
    return _section("training", "Upcoming training", items)


def _training_facts(row: TrainingEvent) -> list[str]:
    places = f"{row.places} place{'' if row.places == 1 else 's'}"
    return [x for x in (row.location, places if row.places else None) if x]


async def surveys_section(session: AsyncSession, period: Period) -> Section | None:
    """Open surveys (not course evaluations). Who may answer is decided per member
    (`personal`): only those invited, which is those in the survey's audience."""
    statement = select(Survey).where(
        col(Survey.status) == OPEN, col(Survey.kind) == "survey"
    )
    rows = [
        s
        for s in (await session.exec(statement)).all()
        if survey_is_open(s, period.now)
    ]
    items = [
        {
            "id": s.id,
            "title": s.title,
            "summary": _short(s.description),
            "when": _closes(s.closes_at, period.zone),
        }
        for s in sorted(rows, key=lambda s: s.id or 0)
    ]
    return _section("surveys", "Surveys open to you", items)


PROVIDERS: tuple[Provider, ...] = (
    briefings_section,
    sessions_section,
    training_section,
    polls_section,
    surveys_section,
    feeds_section,
)


async def compose_digest(
    session: AsyncSession,
    period: Period,
    providers: Sequence[Provider] = PROVIDERS,
) -> list[Section]:
    """The digest's sections in order, leaving out any with nothing in it."""
    sections = [await provider(session, period) for provider in providers]
    return [s for s in sections if s is not None]
