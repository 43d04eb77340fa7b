"""The `forumbot` command line, run in-process against a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import email
import json
from datetime import datetime, timedelta
from email import policy
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from sqlmodel import select
from typer.testing import CliRunner, Result

import jobs
from bot.cli import app
from bot.outbox import queue
from bot.runtime import open_services
from bot.settings import load_settings
from bot.store.db import MIGRATIONS, schema_revision
from bot.store.tables import OutboxMessage


@pytest.fixture
def cli_database(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str
) -> str:
    """FORUMBOT_* variables as an operator would set them; the command reads nothing else."""
    monkeypatch.chdir(
        tmp_path
    )  # no config/.env or config/forumbot.toml of the checkout
    monkeypatch.setenv("FORUMBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("FORUMBOT_DATABASE_URL", database_url)
    return database_url


def forumbot(*args: str) -> Result:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, (
        f"forumbot {' '.join(args)} exited {result.exit_code}:\n{result.output}"
    )
    return result


def head_revision() -> str:
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert head is not None
    return head


def status_counts() -> dict[str, int]:
    counts: dict[str, int] = json.loads(forumbot("outbox", "status", "--json").stdout)
    return counts


async def _outbox_rows() -> list[OutboxMessage]:
    async with (
        open_services(load_settings(), transports={}) as services,
        services.sessions() as session,
    ):
        return list((await session.exec(select(OutboxMessage))).all())


async def _fail_everything_due() -> int:
    """Give up on every due message, as the worker does after a 5xx reply."""
    async with open_services(load_settings(), transports={}) as services:
        now = services.clock.now()
        async with services.sessions() as session:
            claimed = await queue.claim(
                session,
                worker="cli-test",
                limit=100,
                now=now,
                lease=timedelta(minutes=1),
            )
        async with services.sessions() as session:
            for message in claimed:
                await queue.mark_failed(
                    session,
                    message,
                    worker="cli-test",
                    error="550 no such user",
                    code=550,
                    bounce=True,
                    now=now,
                )
            await session.commit()
    return len(claimed)


def test_init_is_idempotent(cli_database: str) -> None:
    first = forumbot("init")
    assert first.stdout.strip() == f"Database ready at schema {head_revision()}."
    second = forumbot("init")
    assert second.stdout == first.stdout
    assert schema_revision(cli_database) == head_revision()


@pytest.mark.usefixtures("cli_database")
def test_jobs_list_before_init_says_what_to_do() -> None:
    assert "run `forumbot init`" in forumbot("jobs", "list").stdout


@pytest.mark.usefixtures("cli_database")
def test_jobs_list_json_shows_the_schedule() -> None:
    forumbot("init")
    rows: list[dict[str, Any]] = json.loads(forumbot("jobs", "list", "--json").stdout)
    by_id = {row["id"]: row for row in rows}
    assert set(by_id) == {schedule.id for schedule in jobs.SCHEDULES}
    assert {"check-outbox", "purge-outbox"} <= set(by_id)
    for row in rows:
        assert set(row) == {"id", "description", "trigger", "next_run"}
        next_run = datetime.fromisoformat(row["next_run"])
        assert next_run.tzinfo is not None
    purge_at = datetime.fromisoformat(by_id["purge-outbox"]["next_run"])
    assert (purge_at.hour, purge_at.minute) == (3, 30)  # in the configured zone
    assert by_id["check-outbox"]["trigger"].startswith("interval")

    table = forumbot("jobs", "list").stdout
    assert "purge-outbox" in table and "check-outbox" in table


@pytest.mark.usefixtures("cli_database")
def test_outbox_status_counts_every_status() -> None:
    forumbot("init")
    assert status_counts() == dict.fromkeys(queue.STATUSES, 0)
    plain = forumbot("outbox", "status").stdout.splitlines()
    assert [line.split() for line in plain] == [[name, "0"] for name in queue.STATUSES]


@pytest.mark.usefixtures("cli_database")
def test_outbox_test_email_queues_one_message() -> None:
    forumbot("init")
    result = forumbot("outbox", "test-email", "--to", "x@example.org", "--name", "Zoë")
    assert result.stdout.strip() == "Test email to x@example.org queued."
    assert status_counts() == {**dict.fromkeys(queue.STATUSES, 0), queue.PENDING: 1}

    (row,) = asyncio.run(_outbox_rows())
    assert (row.channel, row.recipient, row.status) == (
        "email",
        "x@example.org",
        queue.PENDING,
    )
    message: Any = email.message_from_bytes(row.payload, policy=policy.default)
    assert message["To"].addresses[0].addr_spec == "x@example.org"
    assert message["To"].addresses[0].display_name == "Zoë"
    assert str(message["Subject"]).startswith("Test message from")
    assert "Hello Zoë," in message.get_body(preferencelist=("plain",)).get_content()


@pytest.mark.usefixtures("cli_database")
def test_outbox_retry_failed_queues_failures_again() -> None:
    forumbot("init")
    assert (
        forumbot("outbox", "retry-failed").stdout.strip()
        == "0 failed messages queued again."
    )

    forumbot("outbox", "test-email", "--to", "x@example.org")
    assert asyncio.run(_fail_everything_due()) == 1
    assert status_counts()[queue.FAILED] == 1

    assert (
        forumbot("outbox", "retry-failed").stdout.strip()
        == "1 failed messages queued again."
    )
    assert status_counts() == {**dict.fromkeys(queue.STATUSES, 0), queue.PENDING: 1}
    (row,) = asyncio.run(_outbox_rows())
    assert row.attempts == 0
