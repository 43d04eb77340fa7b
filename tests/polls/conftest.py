"""Poll fixtures: members to vote, and a poll made the way the chair makes one."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

import pytest

from bot.domain import members as m
from bot.domain import membership, polls
from bot.runtime import Services
from bot.settings import Settings
from bot.store.tables import Member, Poll
from tests.servers.smtp import SmtpServer
from tests.slack.conftest import (  # noqa: F401  (the Slack fixtures, for test_slack)
    slack_api,
    slack_settings,
    slackbot,
)

OPTIONS = ["Improving referrals", "Children out of sight", "Neglect toolkit"]

FORUM_CHANNEL = "C0FORUM"

AddMember = Callable[..., Awaitable[Member]]
MakePoll = Callable[..., Awaitable[Poll]]


@pytest.fixture
def mail_settings(settings: Settings, smtpd: SmtpServer) -> Settings:
    """As the shared fixture, with a forum channel in Slack for poll posts."""
    return settings.model_copy(
        update={
            "smtp_host": smtpd.host,
            "smtp_port": smtpd.port,
            "slack_forum_channel": FORUM_CHANNEL,
        }
    )


async def add_member(
    services: Services, email: str, name: str, **profile: object
) -> Member:
    async with services.sessions() as session:
        member, _ = await membership.add_member(
            session,
            services.mailroom,
            email=email,
            profile=m.Profile(name=name, **profile),  # type: ignore[arg-type]
            now=services.clock.now(),
        )
    return member


@pytest.fixture
def new_member(services: Services) -> AddMember:
    async def make(email: str, name: str = "A Member", **profile: object) -> Member:
        return await add_member(services, email, name, **profile)

    return make


def local(services: Services, **ahead: float) -> datetime:
    """A wall-clock time in the partnership's zone, `ahead` of the services' clock (naive)."""
    moment = services.clock.now() + timedelta(**ahead)
    return moment.astimezone(services.settings.zone).replace(tzinfo=None)


async def make_poll(
    services: Services,
    *,
    options: list[str] | None = None,
    multiple: bool = False,
    anonymous: bool = True,
    hours: float = 24,
    question: str = "What should the next forum cover?",
) -> Poll:
    draft = polls.PollDraft(
        question=question,
        options=options or OPTIONS,
        closes_local=local(services, hours=hours),
        multiple=multiple,
        anonymous=anonymous,
    )
    async with services.sessions() as session:
        return await polls.create_poll(
            session,
            draft,
            created_by="chair@partnership.example.org",
            zone=services.settings.zone,
            now=services.clock.now(),
        )


@pytest.fixture
def new_poll(services: Services) -> MakePoll:
    async def make(**options: object) -> Poll:
        return await make_poll(services, **options)  # type: ignore[arg-type]

    return make
