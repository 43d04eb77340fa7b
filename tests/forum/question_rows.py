"""Rows for the questions and attendance tests: members, sessions and places, inserted plainly."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from bot.runtime import Services
from bot.store.tables import ForumSession, Member, Rsvp


async def member(
    services: Services,
    email: str,
    name: str,
    *,
    slack: str | None = None,
    status: str = "active",
) -> Member:
    async with services.sessions() as session:
        row = Member(email=email, name=name, status=status, slack_user_id=slack)
        session.add(row)
        await session.commit()
        return row


async def forum_session(
    services: Services,
    starts_at: datetime,
    *,
    title: str = "Practitioner Forum",
    status: str = "scheduled",
) -> ForumSession:
    async with services.sessions() as session:
        row = ForumSession(
            uid=f"{uuid.uuid4()}@test",
            title=title,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=90),
            status=status,
        )
        session.add(row)
        await session.commit()
        return row


async def place(
    services: Services, row: ForumSession, who: Member, status: str, at: datetime
) -> None:
    async with services.sessions() as session:
        session.add(
            Rsvp(
                session_id=row.id or 0,
                member_id=who.id or 0,
                status=status,
                invited_at=at,
                responded_at=at if status != "invited" else None,
            )
        )
        await session.commit()
