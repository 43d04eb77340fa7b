"""Two worker processes on one PostgreSQL outbox share the work and never send a message twice.

Claims use `FOR UPDATE SKIP LOCKED`: a row one worker is claiming is skipped by the other, and a
claimed row is `sending` under a live lease. Which process sent a message is not in the outbox
after sending (the lease owner is cleared), so each worker gets its own envelope sender
(FORUMBOT_BOUNCE_ADDRESS) and the SMTP server's record of MAIL FROM says who sent what.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from contextlib import AsyncExitStack
from pathlib import Path

import pytest

from bot.outbox import queue
from bot.runtime import open_services
from bot.settings import Settings
from bot.store.db import upgrade_schema
from tests.outbox.processes import (
    WorkerProcess,
    plain_messages,
    worker_environment,
    worker_process,
)
from tests.servers.smtp import SmtpServer

TOTAL = 2_000
SENDERS = ("worker-a@partnership.example.org", "worker-b@partnership.example.org")


@pytest.mark.slow
@pytest.mark.postgres
async def test_two_workers_share_a_postgres_outbox_and_send_each_message_once(
    postgres_url: str, tmp_path: Path, smtpd: SmtpServer
) -> None:
    upgrade_schema(postgres_url)
    settings = Settings(
        _env_file=None,
        data_dir=tmp_path / "data",
        database_url=postgres_url,
        smtp_host="127.0.0.1",
        smtp_security="none",
        sender_address="forum@partnership.example.org",
    )
    async with AsyncExitStack() as stack:
        workers: list[WorkerProcess] = []
        for sender in SENDERS:
            environment = worker_environment(
                database_url=postgres_url,
                data_dir=tmp_path / "data",
                smtp=smtpd,
                envelope_sender=sender,
                config_file=tmp_path / "no-such-config.toml",
                extra={
                    "FORUMBOT_DELIVERY_BATCH_SIZE": "20",
                    "FORUMBOT_DELIVERY_POLL_SECONDS": "0.2",
                },
            )
            workers.append(
                await stack.enter_async_context(
                    worker_process(environment, cwd=tmp_path)
                )
            )
        # Both poll an empty outbox before any message exists, so neither gets a head start.
        async with asyncio.timeout(60):
            await asyncio.gather(*(w.wait_started() for w in workers))
        assert len({w.worker_id for w in workers}) == 2

        async with (
            open_services(settings, transports={}) as services,
            services.sessions() as session,
        ):
            assert (
                await queue.enqueue(
                    session, plain_messages(TOTAL, "shared"), now=services.clock.now()
                )
                == TOTAL
            )
            await session.commit()
        async with asyncio.timeout(120):
            await smtpd.handler.wait_for_recipients(TOTAL)
        for worker in workers:
            assert await worker.stop() == 0, worker.output

    async with (
        open_services(settings, transports={}) as services,
        services.sessions() as session,
    ):
        final = await queue.counts(session)
    by_worker = Counter(m.sender for m in smtpd.messages)
    print(
        f"\ntwo workers: messages by worker {dict(by_worker)}; SMTP connections {smtpd.handler.connections}"
    )
    assert len(smtpd.messages) == TOTAL
    assert set(smtpd.handler.per_recipient.values()) == {1}, (
        "a recipient got a message twice"
    )
    assert set(by_worker) == set(SENDERS), f"one worker sent everything: {by_worker}"
    assert final == {**dict.fromkeys(queue.STATUSES, 0), queue.SENT: TOTAL}
