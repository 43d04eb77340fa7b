"""Helpers for the places, reminders and feedback tests: members and sessions as plain rows."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest
from fastapi import FastAPI
from sqlmodel import col, select

from bot.domain.forum.notices import ForumPost
from bot.domain.forum.places import respond
from bot.runtime import Services
from bot.settings import Settings
from bot.store.db import upgrade_schema
from bot.store.tables import ForumSession, Member, OutboxMessage, Rsvp
from bot.web.app import create_app


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    """The real web app (lifespan entered, no background parts) over a migrated database."""
    upgrade_schema(settings.effective_database_url)
    started = create_app(
        settings.model_copy(update={"smtp_host": None}), background=False
    )
    async with started.router.lifespan_context(started):
        yield started


def post_of(services: Services) -> ForumPost:
    return ForumPost.of(services.mailroom, services.settings)


async def add_member(
    services: Services,
    name: str,
    *,
    slack: str | None = None,
    status: str = "active",
) -> Member:
    email = f"{name.lower().replace(' ', '.')}@partner.example.org"
    async with services.sessions() as session:
        member = Member(email=email, name=name, status=status, slack_user_id=slack)
        session.add(member)
        await session.commit()
        return member


async def add_session(
    services: Services,
    starts_at: datetime,
    *,
    title: str = "Practitioner Forum",
    capacity: int | None = None,
    minutes: int = 90,
    join_url: str | None = "https://meet.example.org/forum",
) -> ForumSession:
    async with services.sessions() as session:
        row = ForumSession(
            uid=f"{uuid.uuid4()}@test",
            title=title,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=minutes),
            capacity=capacity,
            join_url=join_url,
        )
        session.add(row)
        await session.commit()
        return row


async def reply(
    services: Services,
    row: ForumSession,
    member: Member,
    answer: bool,
    *,
    channel: str = "web",
    now: datetime | None = None,
) -> str:
    """One reply in its own transaction, as a channel makes it; returns the new status."""
    async with services.sessions() as session:
        result = await respond(
            session,
            post_of(services),
            row.id or 0,
            member,
            answer,
            channel=channel,
            now=now or services.clock.now(),
        )
        await session.commit()
        return result.status


async def rsvps(services: Services, row: ForumSession) -> dict[int, str]:
    async with services.sessions() as session:
        found = await session.exec(select(Rsvp).where(col(Rsvp.session_id) == row.id))
        return {r.member_id: r.status for r in found.all()}


async def outbox_keys(services: Services, prefix: str = "") -> list[str]:
    async with services.sessions() as session:
        rows = await session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))
        return [
            r.idempotency_key
            for r in rows.all()
            if r.idempotency_key.startswith(prefix)
        ]
