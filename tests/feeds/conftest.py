"""Feed fixtures: the local feed server, a short time-out, and feeds added as an admin would."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from bot.domain import feeds
from bot.runtime import Services
from bot.settings import Settings
from bot.store.tables import Feed
from tests.polls.test_web import site  # noqa: F401  (admin site: a chair, communications)
from tests.servers.feeds import FeedServer, feed_server
from tests.servers.smtp import SmtpServer

TIME_LIMIT = 1.0  # seconds; the slow feed never answers within it

AddFeed = Callable[[str, str], Awaitable[Feed]]


@pytest.fixture
def mail_settings(settings: Settings, smtpd: SmtpServer) -> Settings:
    """As the shared fixture, with a short feed time-out so the slow feed times out fast."""
    return settings.model_copy(
        update={
            "smtp_host": smtpd.host,
            "smtp_port": smtpd.port,
            "feeds_timeout_seconds": TIME_LIMIT,
        }
    )


@pytest.fixture
async def served() -> AsyncIterator[FeedServer]:
    async with feed_server() as server:
        yield server


@pytest.fixture
def add(services: Services) -> AddFeed:
    async def add_one(name: str, url: str) -> Feed:
        async with services.sessions() as session:
            feed = await feeds.add_feed(session, name, url, now=services.clock.now())
            await session.commit()
            return feed

    return add_one


async def poll(services: Services) -> dict[str, feeds.PollResult]:
    """Poll every active feed as the job does; results by feed name."""
    results = await feeds.poll_all(
        services.sessions,
        services.feeds,
        time_limit=services.settings.feeds_timeout_seconds,
        now=services.clock.now(),
    )
    return {r.name: r for r in results}
