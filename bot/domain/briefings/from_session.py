"""A forum bulletin briefing drafted from a session's notes (issue 6's bulletin), so the notes
reach the archive, the RSS feed and the newsletter after the usual approval.

The notes were checked by the personal data guard when stored; they are copied as they are.
One session has one bulletin briefing: drafting again refreshes it while it is a draft.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.briefings.kinds import Draft, check
from bot.domain.briefings.records import DRAFT, apply, create
from bot.domain.forum.sessions import get_session
from bot.domain.forum.times import describe_when
from bot.errors import InvalidInputError
from bot.store.tables import Briefing, ForumSession


def _draft(row: ForumSession, zone: ZoneInfo) -> Draft:
    if not row.notes:
        raise InvalidInputError(
            f"Session {row.id} has no notes yet: store them first "
            f"(forumbot sessions notes {row.id} FILE)."
        )
    when = describe_when(row.starts_at, row.ends_at, zone)
    covered = "\n".join(f"- {item}" for item in row.agenda)
    body = f"## Notes\n\n{row.notes}" + (
        f"\n\n## What we covered\n\n{covered}" if covered else ""
    )
    return check(
        Draft(
            kind="bulletin",
            title=f"Forum bulletin: {row.title}",
            summary=f"Notes from the Practitioner Forum held on {when}.",
            body=body,
            topics=tuple(row.audience_topics),
        )
    )


async def bulletin_briefing(
    session: AsyncSession, session_id: int, *, zone: ZoneInfo, by: str, now: datetime
) -> Briefing:
    """Draft (or refresh the draft of) the session's bulletin briefing; the caller commits."""
    row = await get_session(session, session_id)
    draft = _draft(row, zone)
    slug = f"forum-session-{session_id}-bulletin"
    found = (
        await session.exec(select(Briefing).where(col(Briefing.slug) == slug))
    ).first()
    if found is None:
        return await create(session, draft, by=by, now=now, slug=slug)
    if found.status != DRAFT:
        raise InvalidInputError(
            f"The bulletin for session {session_id} is {found.status}."
        )
    apply(found, draft, now)
    session.add(found)
    await session.flush()
    return found
