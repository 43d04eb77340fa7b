"""The worker delivers through a real SMTP server: success, 4xx, 5xx, unreachable server."""

from __future__ import annotations

import dataclasses

from sqlmodel import col, select

from bot.domain.outgoing import Email, queue_emails
from bot.outbox import queue
from bot.runtime import Services
from bot.store.tables import Bounce, OutboxMessage
from tests.conftest import StepClock
from tests.servers.smtp import SmtpServer


def _emails(n: int) -> list[Email]:
    return [
        Email(
            key=f"t:{i}",
            to_name=f"Member {i}",
            to_address=f"member{i}@example.org",
            template="test_message",
            context={"sent_at": "now"},
        )
        for i in range(n)
    ]


async def _queue(services: Services, emails: list[Email]) -> int:
    async with services.sessions() as session:
        added = await queue_emails(
            session,
            emails,
            sender=services.sender,
            renderer=services.renderer,
            now=services.clock.now(),
        )
        await session.commit()
    return added


async def _rows(services: Services) -> list[OutboxMessage]:
    async with services.sessions() as session:
        statement = select(OutboxMessage).order_by(col(OutboxMessage.id))
        return list((await session.exec(statement)).all())


async def test_delivers_each_message_once(
    services: Services, smtpd: SmtpServer
) -> None:
    await _queue(services, _emails(25))
    handled = await services.delivery_worker().drain()
    assert handled == 25
    assert sorted(smtpd.handler.per_recipient.values()) == [1] * 25
    assert {r.status for r in await _rows(services)} == {queue.SENT}


async def test_same_key_is_queued_once(services: Services, smtpd: SmtpServer) -> None:
    assert await _queue(services, _emails(3)) == 3
    assert await _queue(services, _emails(3)) == 0
    await services.delivery_worker().drain()
    assert len(smtpd.messages) == 3


async def test_4xx_is_retried_with_backoff(
    services: Services, smtpd: SmtpServer, clock: StepClock
) -> None:
    smtpd.faults.rcpt["member0@example.org"] = 451
    await _queue(services, _emails(2))
    worker = services.delivery_worker()
    await worker.drain()
    (first, second) = await _rows(services)
    assert first.status == queue.PENDING and first.attempts == 1
    assert first.last_error is not None and "451" in first.last_error
    assert first.next_attempt_at > clock.now()
    assert second.status == queue.SENT
    smtpd.faults.rcpt.clear()
    assert await worker.drain() == 0  # not due yet
    clock.advance(seconds=services.settings.delivery_backoff_base_seconds)
    assert await worker.drain() == 1
    assert smtpd.handler.per_recipient["member0@example.org"] == 1


async def test_5xx_fails_permanently_and_records_a_bounce(
    services: Services, smtpd: SmtpServer
) -> None:
    smtpd.faults.rcpt["member1@example.org"] = 550
    await _queue(services, _emails(3))
    await services.delivery_worker().drain()
    statuses = [r.status for r in await _rows(services)]
    assert statuses == [queue.SENT, queue.FAILED, queue.SENT]
    async with services.sessions() as session:
        bounces = (await session.exec(select(Bounce))).all()
    assert [(b.recipient, b.code) for b in bounces] == [("member1@example.org", 550)]


async def test_unreachable_server_keeps_messages_queued(
    services: Services, smtpd: SmtpServer
) -> None:
    settings = services.settings.model_copy(
        update={"smtp_port": 1}
    )  # nothing listens on port 1
    from bot.mail.mailer import SmtpMailer, SmtpOptions

    mailer = SmtpMailer(SmtpOptions.from_settings(settings))
    await _queue(services, _emails(2))
    worker = dataclasses.replace(
        services, transports={"email": mailer}
    ).delivery_worker()
    await worker.drain()
    rows = await _rows(services)
    assert [r.status for r in rows] == [queue.PENDING, queue.PENDING]
    assert all(r.last_error and "Connect" in r.last_error for r in rows)
    assert smtpd.messages == []
