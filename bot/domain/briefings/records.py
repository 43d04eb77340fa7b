"""Stored briefings and their workflow: draft → approved → published (→ withdrawn).

Approval is a second pair of eyes: only an admin or communications role may approve, and
not the briefing's author (`created_by`) nor whoever last changed it (`edited_by`: a web
editor, or the admin who ran the import of a new or changed file), so nobody can approve
words they wrote themselves. Editing an approved briefing sends it back to
draft, so what is published is always what was approved. The caller commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.briefings.kinds import Draft, slugify
from bot.errors import InvalidInputError, NotFoundError
from bot.store.tables import Briefing

DRAFT, APPROVED, PUBLISHED, WITHDRAWN = "draft", "approved", "published", "withdrawn"
APPROVERS = ("admin", "communications")
AUTHORS = ("admin", "communications", "learning", "chair")


def can_approve(roles: Sequence[str]) -> bool:
    return bool(set(roles) & set(APPROVERS))


def can_author(roles: Sequence[str]) -> bool:
    return bool(set(roles) & set(AUTHORS))


async def get_briefing(
    session: AsyncSession, ref: str | int, *, lock: bool = False
) -> Briefing:
    """By id or slug; `lock` takes the row lock (FOR UPDATE) for a status change."""
    where = (
        col(Briefing.id) == int(ref)
        if str(ref).isdigit()
        else col(Briefing.slug) == str(ref)
    )
    statement = select(Briefing).where(where)
    if lock:
        statement = statement.with_for_update()
    row = (await session.exec(statement)).first()
    if row is None:
        raise NotFoundError(f"There is no briefing {ref!r}.")
    return row


async def list_briefings(
    session: AsyncSession,
    *,
    status: str | None = None,
    kind: str | None = None,
    limit: int = 200,
) -> list[Briefing]:
    """Newest first (published ones by publication date)."""
    statement = select(Briefing)
    if status:
        statement = statement.where(col(Briefing.status) == status)
    if kind:
        statement = statement.where(col(Briefing.kind) == kind)
    statement = statement.order_by(
        col(Briefing.published_at).desc().nulls_last(), col(Briefing.id).desc()
    ).limit(limit)
    return list((await session.exec(statement)).all())


async def published_between(
    session: AsyncSession, start: datetime, end: datetime
) -> list[Briefing]:
    """Published (not withdrawn) briefings with start <= published_at < end, oldest first:
    what a newsletter covering that period lists."""
    statement = (
        select(Briefing)
        .where(col(Briefing.status) == PUBLISHED)
        .where(col(Briefing.published_at) >= start)
        .where(col(Briefing.published_at) < end)
        .order_by(col(Briefing.published_at), col(Briefing.id))
    )
    return list((await session.exec(statement)).all())


async def free_slug(session: AsyncSession, title: str) -> str:
    base = slugify(title) or "briefing"
    taken = set(
        (
            await session.exec(
                select(Briefing.slug).where(col(Briefing.slug).startswith(base))
            )
        ).all()
    )
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


def apply(row: Briefing, draft: Draft, now: datetime) -> None:
    """Copy a checked draft's content onto the row."""
    row.kind, row.title, row.body, row.summary = (
        draft.kind,
        draft.title,
        draft.body,
        draft.summary,
    )
    row.report_url, row.webinar_url = draft.report_url, draft.webinar_url
    row.topics = list(draft.topics)
    row.updated_at = now


async def create(
    session: AsyncSession,
    draft: Draft,
    *,
    by: str | None,
    now: datetime,
    slug: str | None = None,
) -> Briefing:
    row = Briefing(
        slug=slug or await free_slug(session, draft.title),
        kind=draft.kind,
        title=draft.title,
        created_by=by,
        edited_by=by,
        created_at=now,
    )
    apply(row, draft, now)
    session.add(row)
    await session.flush()
    return row


async def edit(
    session: AsyncSession,
    ref: str | int,
    draft: Draft,
    *,
    by: str | None,
    now: datetime,
) -> Briefing:
    """Change a draft or approved briefing (approval is cleared, `by` recorded as its last
    writer); published ones are fixed."""
    row = await get_briefing(session, ref, lock=True)
    if row.status not in (DRAFT, APPROVED):
        raise InvalidInputError(
            f"'{row.title}' is {row.status}: it can no longer be changed."
        )
    apply(row, draft, now)
    row.edited_by = by
    row.status, row.approved_by, row.approved_at = DRAFT, None, None
    session.add(row)
    await session.flush()
    return row


async def approve(
    session: AsyncSession,
    ref: str | int,
    *,
    by: str,
    roles: Sequence[str],
    now: datetime,
) -> Briefing:
    """Approve a draft. Raises InvalidInputError for the wrong role, state or approver."""
    if not can_approve(roles):
        raise InvalidInputError(
            "Only an admin or the communications team can approve briefings."
        )
    row = await get_briefing(session, ref, lock=True)
    if row.status != DRAFT:
        raise InvalidInputError(f"'{row.title}' is {row.status}, not a draft.")
    writers = {w.lower() for w in (row.created_by, row.edited_by) if w}
    if by.lower() in writers:
        raise InvalidInputError(
            "You wrote or last changed this briefing, so someone else must approve it."
        )
    row.status, row.approved_by, row.approved_at = APPROVED, by, now
    row.updated_at = now
    session.add(row)
    await session.flush()
    return row


async def withdraw(
    session: AsyncSession, ref: str | int, *, roles: Sequence[str], now: datetime
) -> Briefing:
    """Take a briefing out of the archive and feed (sent messages cannot be recalled)."""
    if not can_approve(roles):
        raise InvalidInputError(
            "Only an admin or the communications team can withdraw briefings."
        )
    row = await get_briefing(session, ref, lock=True)
    if row.status == WITHDRAWN:
        raise InvalidInputError(f"'{row.title}' is already withdrawn.")
    row.status, row.updated_at = WITHDRAWN, now
    session.add(row)
    await session.flush()
    return row
