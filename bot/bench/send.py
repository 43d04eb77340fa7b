"""`forumbot bench send`: raw aiosmtplib against the full render -> outbox -> worker pipeline."""

from __future__ import annotations

import asyncio
import resource
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import aiosmtplib
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.bench.sink import SinkProcess
from bot.domain.outgoing import Email, compose, queue_emails
from bot.mail.mailer import SmtpMailer, SmtpOptions
from bot.outbox import queue
from bot.runtime import open_services
from bot.settings import Settings
from bot.store.db import upgrade_schema

CHUNK = 200
Progress = Callable[[int], None]


@dataclass(frozen=True)
class SendFigures:
    recipients: int
    connections: int
    raw_seconds: float
    pipeline_seconds: float
    lost: int
    duplicates: int
    peak_rss_mb: float

    def as_dict(self) -> dict[str, float | int]:
        raw = self.recipients / self.raw_seconds
        pipeline = self.recipients / self.pipeline_seconds
        return {
            "recipients": self.recipients,
            "connections": self.connections,
            "raw_seconds": round(self.raw_seconds, 3),
            "pipeline_seconds": round(self.pipeline_seconds, 3),
            "raw_msgs_per_s": round(raw, 1),
            "pipeline_msgs_per_s": round(pipeline, 1),
            "ratio": round(pipeline / raw, 3),
            "peak_rss_mb": round(self.peak_rss_mb, 1),
            "lost": self.lost,
            "duplicates": self.duplicates,
        }


def emails(n: int, start: int = 0) -> list[Email]:
    """N personalised messages, as a forum announcement would be."""
    return [
        Email(
            key=f"bench:{i}",
            to_name=f"Practitioner {i}",
            to_address=f"practitioner{i}@bench.example.org",
            template="forum_update",
            context={
                "headline": "Practitioner Forum: improving the quality of referrals",
                "body": f"Dear practitioner {i},\n\nThe next forum meets online. " * 3,
                "link_text": "Book your place",
                "link_url": f"https://forum.example.org/sessions/1?m={i}",
                "unsubscribe_url": f"https://forum.example.org/u/{i}",
            },
            campaign="bench",
            unsubscribe_url=f"https://forum.example.org/u/{i}",
        )
        for i in range(start, start + n)
    ]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def raw_baseline(
    settings: Settings, port: int, payloads: list[tuple[str, bytes]], connections: int
) -> float:
    """Seconds for plain aiosmtplib to send pre-rendered messages over `connections` connections."""

    async def one_connection(share: list[tuple[str, bytes]]) -> None:
        async with aiosmtplib.SMTP(
            hostname="127.0.0.1", port=port, start_tls=False
        ) as client:
            for recipient, payload in share:
                await client.sendmail(settings.envelope_sender, [recipient], payload)

    started = time.perf_counter()
    await asyncio.gather(
        *(one_connection(payloads[i::connections]) for i in range(connections))
    )
    return time.perf_counter() - started


async def pipeline(settings: Settings, port: int, n: int, progress: Progress) -> float:
    """Seconds to render N messages, write them to the outbox and have the worker send them all."""
    options = SmtpOptions(
        host="127.0.0.1",
        port=port,
        envelope_sender=settings.envelope_sender,
        pool_size=settings.smtp_pool_size,
    )
    mailer = SmtpMailer(options)
    async with open_services(settings, transports={"email": mailer}) as services:
        worker = services.delivery_worker(poll_seconds=0.05)
        stop = asyncio.Event()
        started = time.perf_counter()
        running = asyncio.create_task(worker.run(stop))
        for start in range(0, n, CHUNK):
            async with services.sessions() as session:
                batch = emails(min(CHUNK, n - start), start)
                await queue_emails(
                    session,
                    batch,
                    sender=services.sender,
                    renderer=services.renderer,
                    now=services.clock.now(),
                )
                await session.commit()
            worker.wake()
            await asyncio.sleep(0)
        await _wait_until_delivered(services.sessions, progress)
        elapsed = time.perf_counter() - started
        stop.set()
        await running
        await mailer.aclose()
    return elapsed


async def _wait_until_delivered(
    sessions: async_sessionmaker[AsyncSession], progress: Progress
) -> None:
    """Poll the outbox (a benchmark may poll; tests may not) until nothing is left to send."""
    while True:
        async with sessions() as session:
            by_status = await queue.counts(session)
        progress(by_status[queue.SENT])
        if by_status[queue.PENDING] + by_status[queue.SENDING] == 0:
            return
        await asyncio.sleep(0.05)


async def run_send(settings: Settings, n: int, progress: Progress) -> SendFigures:
    """Run both measurements against one sink and count what it received."""
    with tempfile.TemporaryDirectory() as tmp, SinkProcess() as sink:
        settings = settings.model_copy(
            update={"data_dir": Path(tmp), "database_url": settings.database_url}
        )
        if settings.database_url is None:
            upgrade_schema(settings.effective_database_url)
        async with open_services(settings, transports={}) as services:
            now = services.clock.now()
            payloads = [
                (
                    e.to_address,
                    compose(
                        e, sender=services.sender, renderer=services.renderer, now=now
                    ),
                )
                for e in emails(n)
            ]
        raw = await raw_baseline(settings, sink.port, payloads, settings.smtp_pool_size)
        del payloads
        sink.snapshot()
        piped = await pipeline(settings, sink.port, n, progress)
        received = sink.snapshot()
    wanted = {f"practitioner{i}@bench.example.org" for i in range(n)}
    lost = len(wanted - received.keys())
    duplicates = sum(count - 1 for count in received.values() if count > 1)
    return SendFigures(
        n, settings.smtp_pool_size, raw, piped, lost, duplicates, peak_rss_mb()
    )
