"""Helpers for the sessions, calendar and invitation tests: rules, details and members."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from bot.domain.forum.notices import ForumPost
from bot.domain.forum.sessions import ForumRules, SessionDetails, create_session
from bot.runtime import Services
from bot.store.tables import ForumSession, Member

TOPICS = ("Neglect", "Referrals", "Online safety")
ORGANISATIONS = ("Riverside Council", "Riverside Police", "Riverside NHS Trust")


def rules_of(services: Services) -> ForumRules:
    return replace(
        ForumRules.from_settings(services.settings),
        topics=TOPICS,
        organisations=ORGANISATIONS,
    )


def post_of(services: Services) -> ForumPost:
    return ForumPost(services.mailroom, rules_of(services))


def details(
    start: str = "2027-01-19 14:00", end: str = "2027-01-19 15:30", **more: Any
) -> SessionDetails:
    fields: dict[str, Any] = {
        "title": "Practitioner Forum: referrals",
        "starts": datetime.fromisoformat(start),
        "ends": datetime.fromisoformat(end),
        "topic": "Improving the quality of referrals",
        "join_url": "https://meet.example.org/forum",
        "capacity": 80,
        "items": ("Referrals: what good looks like",),
    }
    return SessionDetails(**(fields | more))


async def new_session(services: Services, **more: Any) -> ForumSession:
    async with services.sessions() as session:
        row = await create_session(
            session,
            rules_of(services),
            details(**more),
            created_by="chair@partnership.example.org",
            now=services.clock.now(),
        )
        await session.commit()
        return row


async def add_member(
    services: Services,
    name: str,
    *,
    status: str = "active",
    slack: str | None = None,
    organisation: str | None = None,
    topics: tuple[str, ...] = (),
    channels: tuple[str, ...] = ("email",),
    email: str | None = None,
) -> Member:
    email = email or f"{name.lower().replace(' ', '.')}@partner.example.org"
    async with services.sessions() as session:
        member = Member(
            email=email,
            name=name,
            status=status,
            slack_user_id=slack,
            organisation=organisation,
            topics=list(topics),
            channels=list(channels),
        )
        session.add(member)
        await session.commit()
        return member
