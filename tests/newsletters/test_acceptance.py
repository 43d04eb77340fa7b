"""Acceptance: an issue to many members through a real SMTP server, the sender SIGKILLed
midway and resumed: every member gets exactly one copy, with their own working unsubscribe
link. The queuing runs as `python -m bot newsletter send` in a child process sharing the
test's database (SQLite, then PostgreSQL); delivery is the outbox worker to the test's
aiosmtpd server; a sample of links is followed through the web app.
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
from bot.runtime import Services
from bot.store.tables import Member, OutboxMessage, Unsubscribe
from tests.conftest import StepClock
from tests.servers.smtp import SmtpServer

MEMBERS = 1_000
BATCH = 50
KILL_AFTER = 300
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

    async with send_process(env, tmp_path, campaign, BATCH) as second:
        async with asyncio.timeout(120):
            assert await second.wait() == 0, second.output
    async with services.sessions() as session:
        done = await nl.get_newsletter(session, campaign)
    assert (done.status, done.recipients) == (nl.SENT, MEMBERS)

    clock.advance(minutes=1)
    await services.delivery_worker().drain()
    received = await _links_received(smtpd)
    checked = check_copies(received, members, services.links)
    assert (checked.sent, checked.duplicates, checked.missing) == (MEMBERS, 0, 0)
    assert (checked.links_checked, checked.wrong_links) == (MEMBERS, 0)

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
