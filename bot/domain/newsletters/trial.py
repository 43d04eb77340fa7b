"""Test copies of an issue: to the admins, as it stands, outside the campaign's figures.

Apart from `sending` because a test copy is not part of sending: it is composed afresh
(unless the issue is frozen), goes to addresses rather than members, and each one is new.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain import members as m
from bot.domain.links import fingerprint
from bot.domain.membership import Mailroom
from bot.domain.newsletters.personal import copy_for, sample_member
from bot.domain.newsletters.sending import content_for
from bot.domain.outgoing import queue_emails
from bot.store.tables import Member, Newsletter


async def queue_test_copies(
    session: AsyncSession,
    room: Mailroom,
    row: Newsletter,
    addresses: list[str],
    *,
    zone: ZoneInfo,
    now: datetime,
) -> int:
    """A copy of the issue as it stands to each address (the admins), outside the campaign
    so the report does not count it; each test send is new. The caller commits."""
    content = await content_for(
        session, row, zone=zone, base_url=room.links.base_url, now=now
    )
    emails = []
    for address in addresses:
        reader = await m.find_member(session, address) or _stand_in(address)
        key = f"{row.campaign}:test:{fingerprint(address)}:{now:%Y%m%d%H%M%S}"
        email = copy_for(room, content, reader, key=key, campaign=row.campaign)
        emails.append(replace(email, campaign=None))
    return await queue_emails(
        session, emails, sender=room.sender, renderer=room.renderer, now=now
    )


def _stand_in(address: str) -> Member:
    member = sample_member(["Neglect"])
    member.email, member.name = address, "Admin"
    return member
