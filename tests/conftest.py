"""Fixtures: hermetic settings, SQLite in a temp dir and the same on PostgreSQL, a real SMTP server."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from bot.runtime import Services, open_services
from bot.settings import Settings
from bot.store.db import upgrade_schema
from tests.servers.smtp import SmtpServer, smtp_server

POSTGRES_URL = os.environ.get(
    "FORUMBOT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


@pytest.fixture(autouse=True)
def hermetic_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No FORUMBOT_* variable or config file of the developer's leaks into a test."""
    for name in list(os.environ):
        if name.startswith("FORUMBOT_") and name != "FORUMBOT_TEST_POSTGRES_URL":
            monkeypatch.delenv(name)
    monkeypatch.setenv("FORUMBOT_CONFIG_FILE", str(tmp_path / "no-such-config.toml"))


def _postgres_reachable() -> str | None:
    try:
        with psycopg.connect(POSTGRES_URL, connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return f"PostgreSQL not reachable at {POSTGRES_URL} ({type(exc).__name__}); persistence tests ran on SQLite only"


@pytest.fixture(scope="session")
def postgres_admin() -> str:
    reason = _postgres_reachable()
    if reason:
        pytest.skip(reason)
    return POSTGRES_URL


@pytest.fixture
def postgres_url(postgres_admin: str) -> Iterator[str]:
    """A fresh, empty database for one test, dropped afterwards."""
    name = f"forumbot_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = postgres_admin.rsplit("/", 1)[0] + f"/{name}"
    yield url
    with psycopg.connect(postgres_admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each persistence test runs on SQLite and again on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'forumbot.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        _env_file=None,
        data_dir=tmp_path / "data",
        database_url=database_url,
        smtp_host="127.0.0.1",
        smtp_port=2525,
        smtp_security="none",
        smtp_rate_per_second=0,
        smtp_timeout_seconds=5,
        delivery_backoff_base_seconds=10,
        scheduler_lease_seconds=3,
        catcher_port=0,
        inbound_port=0,
        sender_address="forum@partnership.example.org",
    )


@pytest.fixture
async def smtpd() -> AsyncIterator[SmtpServer]:
    async with smtp_server() as server:
        yield server


@pytest.fixture
def mail_settings(settings: Settings, smtpd: SmtpServer) -> Settings:
    """Settings whose relay is the test's SMTP server."""
    return settings.model_copy(
        update={"smtp_host": smtpd.host, "smtp_port": smtpd.port}
    )


class StepClock:
    """A clock that only moves when a test moves it."""

    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


@pytest.fixture
def clock() -> StepClock:
    return StepClock()


@pytest.fixture
async def services(
    mail_settings: Settings, clock: StepClock
) -> AsyncIterator[Services]:
    """The runtime over a migrated database, sending to the test's SMTP server."""
    upgrade_schema(mail_settings.effective_database_url)
    async with open_services(mail_settings, clock=clock) as opened:
        yield opened
