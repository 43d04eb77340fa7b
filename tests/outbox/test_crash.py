"""A worker killed mid-run (SIGKILL) loses nothing, and only messages it had in flight go out twice.

End to end with real parts: a SQLite outbox, `python -m bot worker` as a child process and the
test's aiosmtpd server, which this test's event loop keeps serving while it waits.
"""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import pytest
from sqlmodel import col, select

from bot.outbox import queue
from bot.runtime import open_services
from bot.settings import Settings
from bot.store.db import upgrade_schema
from bot.store.tables import OutboxMessage
from tests.outbox.processes import (
    plain_messages,
    wait_for_sender,
    worker_environment,
    worker_process,
)
from tests.servers.smtp import SmtpServer

TOTAL = 5_000
KILL_AFTER = 1_500
FIRST_RUN = "run1@partnership.example.org"
SECOND_RUN = "run2@partnership.example.org"


def _settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        _env_file=None,
        data_dir=tmp_path / "data",
        database_url=database_url,
        smtp_host="127.0.0.1",
        smtp_security="none",
        sender_address="forum@partnership.example.org",
    )


@pytest.mark.slow
async def test_sigkilled_worker_loses_nothing_and_resends_only_what_was_in_flight(
    tmp_path: Path, smtpd: SmtpServer
) -> None:
    database_url = f"sqlite:///{tmp_path / 'outbox.db'}"
    upgrade_schema(database_url)
    settings = _settings(tmp_path, database_url)
    async with (
        open_services(settings, transports={}) as services,
        services.sessions() as session,
    ):
        assert (
            await queue.enqueue(
                session, plain_messages(TOTAL, "crash"), now=services.clock.now()
            )
            == TOTAL
        )
        await session.commit()

    def environment(envelope_sender: str) -> dict[str, str]:
        return worker_environment(
            database_url=database_url,
            data_dir=tmp_path / "data",
            smtp=smtpd,
            envelope_sender=envelope_sender,
            config_file=tmp_path / "no-such-config.toml",
            extra={
                "FORUMBOT_DELIVERY_LEASE_SECONDS": "2",
                "FORUMBOT_DELIVERY_POLL_SECONDS": "0.2",
            },
        )

    handler = smtpd.handler
    async with worker_process(environment(FIRST_RUN), cwd=tmp_path) as first:
        async with asyncio.timeout(120):
            await handler.wait_for_recipients(KILL_AFTER)
        assert await first.kill() == -signal.SIGKILL, first.output
    received_at_kill = len(handler.messages)

    async with (
        open_services(settings, transports={}) as services,
        services.sessions() as session,
    ):
        at_kill = await queue.counts(session)
        leased = (
            await session.exec(
                select(OutboxMessage.recipient).where(
                    col(OutboxMessage.status) == queue.SENDING
                )
            )
        ).all()
    in_flight = at_kill[queue.SENDING]
    assert in_flight == len(leased)
    # Killed mid-run, really; and never more in flight than the worker's 2 lanes x batch size.
    assert at_kill[queue.SENT] >= 1 and at_kill[queue.PENDING] >= 1, at_kill
    assert in_flight <= 2 * settings.delivery_batch_size
    assert at_kill[queue.FAILED] == at_kill[queue.CANCELLED] == 0, at_kill

    # The second run sends what was pending plus, once their leases expire, what was in flight.
    to_send = at_kill[queue.PENDING] + in_flight
    async with worker_process(environment(SECOND_RUN), cwd=tmp_path) as second:
        async with asyncio.timeout(120):
            await wait_for_sender(handler, SECOND_RUN, to_send)
            await handler.wait_for_recipients(TOTAL)
        assert await second.stop() == 0, second.output

    async with (
        open_services(settings, transports={}) as services,
        services.sessions() as session,
    ):
        final = await queue.counts(session)

    duplicates = len(handler.messages) - TOTAL
    twice = {recipient for recipient, n in handler.per_recipient.items() if n > 1}
    print(
        f"\ncrash test: killed after {received_at_kill} messages received; outbox at the kill: "
        f"sent={at_kill[queue.SENT]} in-flight={in_flight} pending={at_kill[queue.PENDING]}; "
        f"duplicates={duplicates} (bound: in-flight={in_flight})"
    )
    assert set(handler.per_recipient) == {
        f"member{i}@example.org" for i in range(TOTAL)
    }
    assert duplicates <= in_flight
    assert twice <= set(leased), "only a message in flight at the kill may arrive twice"
    assert max(handler.per_recipient.values()) <= 2
    assert sum(1 for m in handler.messages if m.sender == SECOND_RUN) == to_send
    assert final == {**dict.fromkeys(queue.STATUSES, 0), queue.SENT: TOTAL}
