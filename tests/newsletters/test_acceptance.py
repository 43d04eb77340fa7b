"""Acceptance: an issue to many members through a real SMTP server, the sender SIGKILLed
midway and resumed, then the delivery worker SIGKILLed midway through SMTP delivery and
another worker finishing: every member gets their own copy with their own working
unsubscribe link, exactly once, except the copies the killed worker had in flight (its
claimed batches), which may arrive twice, byte for byte the same (the same keyed
Message-ID), as the README's delivery guarantees say. The queuing runs as
`python -m bot newsletter send` in a child process sharing the test's database (SQLite,
then PostgreSQL); the first delivery worker is `python -m bot worker` in another; a sample
of links is followed through the web app.
"""

from __future__ import annotations

import asyncio
import signal
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import col, select

from bot.bench.newsletter import check_copies, count_of, follow_unsubscribes, seed
from bot.bench.newsletter_parts import send_environment, send_process
from bot.domain import campaigns
from bot.domain import newsletters as nl
from bot.outbox import queue
from bot.runtime import Services
from bot.store.tables import Member, OutboxMessage, Unsubscribe
from tests.conftest import StepClock
from tests.outbox.processes import worker_environment, worker_process
from tests.servers.smtp import SmtpServer

MEMBERS = 1_000
BATCH = 50
KILL_AFTER = 300
DELIVERED_AT_KILL = (
    400  # recipients the first delivery worker reaches before its SIGKILL
)
SAMPLE = 10


async def _links_received(smtpd: SmtpServer) -> dict[str, list[str]]:
    received: dict[str, list[str]] = {}
    for message in smtpd.messages:
        link = str(message.parsed()["List-Unsubscribe"]).strip("<>")
        for recipient in message.recipients:
            received.setdefault(recipient, []).append(link)
    return received


@pytest.mark.slow
async def test_killed_and_resumed_send_gives_each_member_one_copy_with_their_own_link(
    services: Services, smtpd: SmtpServer, tmp_path: Path, clock: StepClock
) -> None:
    clock.current = datetime.now(UTC)  # the child processes queue on the real clock
    campaign, members = await seed(services, MEMBERS)
    env = send_environment(services.settings, tmp_path / "no-config.toml")

    async with send_process(env, tmp_path, campaign, BATCH) as first:
        async with asyncio.timeout(120):
            assert await first.wait_done(KILL_AFTER), first.output
        assert await first.kill() == -signal.SIGKILL
    at_kill = await count_of(services, OutboxMessage, campaign)
    assert KILL_AFTER <= at_kill < MEMBERS, "killed midway, really"
    async with services.sessions() as session:
        assert (await nl.get_newsletter(session, campaign)).status == nl.SENDING

    resumed = send_process(env, tmp_path, campaign, BATCH, take_over=True)
    async with resumed as second:  # the operator knows the first is dead
        async with asyncio.timeout(120):
            assert await second.wait() == 0, second.output
    async with services.sessions() as session:
        done = await nl.get_newsletter(session, campaign)
    assert (done.status, done.recipients) == (nl.SENT, MEMBERS)

    in_flight = await _kill_a_worker_midway(services, smtpd, tmp_path)
    # the killed worker's leases lapse (they were taken on the real clock, now behind us)
    clock.advance(seconds=services.settings.delivery_lease_seconds + 60)
    await services.delivery_worker().drain()
    received = await _links_received(smtpd)
    checked = check_copies(received, members, services.links)
    twice = {a for a, urls in received.items() if len(urls) > 1}
    assert twice <= in_flight, "only a copy in flight at the kill may arrive twice"
    assert max(len(urls) for urls in received.values()) <= 2
    assert checked.missing == 0 and checked.sent == MEMBERS + checked.duplicates
    assert checked.duplicates == len(twice) <= len(in_flight)
    assert (checked.links_checked, checked.wrong_links) == (checked.sent, 0)
    _resent_copies_are_identical(smtpd, twice)

    sample = [urls[0] for _, urls in sorted(received.items())[:SAMPLE]]
    assert await follow_unsubscribes(services.settings, sample) == SAMPLE
    async with services.sessions() as session:
        statement = select(Member.email).where(col(Member.status) == "unsubscribed")
        left = set((await session.exec(statement)).all())
        report = await campaigns.campaign_report(session, campaign)
    assert left == set(
        sorted(received)[:SAMPLE]
    )  # exactly the members whose links were used
    assert await count_of(services, Unsubscribe, campaign) == SAMPLE
    assert (report.queued, report.sent, report.unsubscribes) == (
        MEMBERS,
        MEMBERS,
        SAMPLE,
    )


async def _kill_a_worker_midway(
    services: Services, smtpd: SmtpServer, tmp_path: Path
) -> set[str]:
    """Deliver with `python -m bot worker`, SIGKILLed once DELIVERED_AT_KILL members have
    their copy; the addresses of the copies it held claimed (in flight) at that moment."""
    env = worker_environment(
        database_url=services.settings.effective_database_url,
        data_dir=services.settings.data_dir,
        smtp=smtpd,
        envelope_sender=services.settings.sender_address,
        config_file=tmp_path / "no-config.toml",
        extra={"FORUMBOT_DELIVERY_POLL_SECONDS": "0.05"},
    )
    async with worker_process(env, cwd=tmp_path) as worker:
        async with asyncio.timeout(120):
            await smtpd.handler.wait_for_recipients(DELIVERED_AT_KILL)
        assert await worker.kill() == -signal.SIGKILL, worker.output
    async with services.sessions() as session:
        statement = select(OutboxMessage.recipient).where(
            col(OutboxMessage.status) == queue.SENDING
        )
        in_flight = set((await session.exec(statement)).all())
        sent = len(
            (
                await session.exec(
                    select(OutboxMessage.id).where(
                        col(OutboxMessage.status) == queue.SENT
                    )
                )
            ).all()
        )
    assert DELIVERED_AT_KILL - len(in_flight) <= sent < MEMBERS, "killed midway, really"
    assert len(in_flight) <= 2 * services.settings.delivery_batch_size
    return in_flight


def _resent_copies_are_identical(smtpd: SmtpServer, twice: set[str]) -> None:
    """A copy sent again is the same message: same bytes, so the same Message-ID."""
    copies: dict[str, set[bytes]] = {}
    for message in smtpd.messages:
        for recipient in message.recipients:
            if recipient in twice:
                copies.setdefault(recipient, set()).add(message.raw)
    assert all(len(raw) == 1 for raw in copies.values()), "a resent copy differs"
