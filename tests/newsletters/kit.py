"""Helpers for the newsletter tests: members, a published briefing, a session, an issue."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.domain import members as m
from bot.domain import membership
from bot.domain import newsletters as nl
from bot.runtime import Services
from bot.store.tables import Briefing, Member, Newsletter

MONTH = "2026-04"  # the services' clock starts 1 March 2026: this issue carries March


async def add_members(services: Services, n: int, **profile: Any) -> list[Member]:
    """N active members, member{i}@example.org, added the way the partnership adds them."""
    added = []
    async with services.sessions() as session:
        for i in range(n):
            member, _ = await membership.add_member(
                session,
                services.mailroom,
                email=f"member{i}@example.org",
                profile=m.Profile(name=f"Member {i}", **profile),
                now=services.clock.now(),
            )
            added.append(member)
    return added


async def publish_briefing(
    services: Services, title: str, *, at: datetime | None = None, **more: Any
) -> Briefing:
    """A briefing row as the briefings package publishes one (read directly, like the digest)."""
    when = at or services.clock.now() + timedelta(days=2)
    row = Briefing(
        slug=title.lower().replace(" ", "-"),
        kind="learning_lessons",
        title=title,
        summary=more.pop("summary", "What we learned."),
        status="published",
        published_at=when,
        **more,
    )
    async with services.sessions() as session:
        session.add(row)
        await session.commit()
        await session.refresh(row)
    return row


async def new_issue(
    services: Services, note: str | None = "Thank you all."
) -> Newsletter:
    async with services.sessions() as session:
        row, _ = await nl.create_draft(
            session,
            month=MONTH,
            zone=services.settings.zone,
            chair_note=note,
            now=services.clock.now(),
        )
        await session.commit()
        return row


async def send(
    services: Services, ref: int | str, batch_size: int = 200
) -> nl.SendResult:
    return await nl.send_newsletter(
        services.sessions,
        services.mailroom,
        ref,
        zone=services.settings.zone,
        now=services.clock.now,
        batch_size=batch_size,
    )
