"""The monthly draft: made on the schedule, then the chair or communications team reviews it.

The schedule never sends an issue on its own: a digest composed by a machine, with a
chair's note still to write, is not something to put in thousands of inboxes unread. It
creates the month's draft and emails the reviewers (admin, communications) and the chair a
link to it; the chair writes the chair's note (`NOTE_ROLES`: the note only, never sending),
a reviewer sends it (now or at a chosen time), and only then does the scheduler take over.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.links import fingerprint
from bot.domain.membership import Mailroom
from bot.domain.newsletters.drafts import create_draft, month_of
from bot.store.tables import Newsletter

REVIEW_ROLES = ("admin", "communications")  # edit, test and send
NOTE_ROLES = ("chair",)  # write the chair's note on a draft; never send
CHAIR_BODY = (
    "Please write your note from the chair for it (optional). The communications team "
    "checks it and sends it; nothing goes until they do."
)
REVIEW_BODY = (
    "Check what it carries, wait for or add a note from the chair, send yourself a test "
    "copy, then send it or choose a time. Nothing goes until you do."
)


def reviewers(admins: Mapping[str, Sequence[str]]) -> list[str]:
    """Admins who may edit and send the newsletter."""
    return sorted(a for a, roles in admins.items() if set(roles) & set(REVIEW_ROLES))


def told_of_draft(admins: Mapping[str, Sequence[str]]) -> list[str]:
    """Those told a draft is ready: the reviewers and the chair (for the chair's note)."""
    wanted = set(REVIEW_ROLES) | set(NOTE_ROLES)
    return sorted(a for a, roles in admins.items() if set(roles) & wanted)


async def prepare_month(
    session: AsyncSession, room: Mailroom, *, zone: ZoneInfo, now: datetime
) -> tuple[Newsletter, int]:
    """This month's draft (made if missing) and reviewers told once. The caller commits.

    Returns:
        (the draft, how many reviewers were newly told).
    """
    row, _ = await create_draft(session, month=month_of(now, zone), zone=zone, now=now)
    told = 0
    senders = set(reviewers(room.admins))
    for address in told_of_draft(room.admins):
        told += await room.send(
            session,
            key=f"{row.campaign}:review:{fingerprint(address)}",
            to=("", address),
            template="forum_update",
            now=now,
            context={
                "headline": f"The newsletter is ready to review: {row.title}",
                "body": REVIEW_BODY if address in senders else CHAIR_BODY,
                "link_text": "Review the newsletter",
                "link_url": f"{room.links.base_url}/admin/newsletters/{row.id}",
            },
        )
    return row, told
