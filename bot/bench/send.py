"""`forumbot bench send`: raw aiosmtplib against the full render -> outbox -> worker pipeline."""

from __future__ import annotations

import asyncio
import multiprocessing
import resource
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from multiprocessing.synchronize import Event as EventType
from pathlib import Path

import aiosmtplib
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.bench.sink import SinkProcess
from bot.domain.outgoing import Email, compose, queue_emails
from bot.outbox import queue
from bot.runtime import Services, open_services
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
    """The largest resident size of this process and its finished children (the worker)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


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


@asynccontextmanager
async def worker_in_process(settings: Settings, port: int) -> AsyncIterator[None]:
    """A delivery worker in a process of its own sending to the sink at `port`, as
    `forumbot worker` or `serve` does beside whatever queues the mail; both share the
    outbox through the database. Stopped when the block ends."""
    worker_settings = settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": port,
            "smtp_security": "none",
            "smtp_rate_per_second": 0.0,
            "delivery_poll_seconds": 0.05,
        }
    )
    context = multiprocessing.get_context("spawn")
    ready, stop = context.Event(), context.Event()
    process = context.Process(
        target=_worker_process, args=(worker_settings, ready, stop)
    )
    process.start()
    try:
        if not await asyncio.to_thread(ready.wait, 60):
            raise RuntimeError("the benchmark's delivery worker did not start")
        yield
    finally:
        stop.set()
        await asyncio.to_thread(process.join, 30)


async def pipeline(settings: Settings, port: int, n: int, progress: Progress) -> float:
    """Seconds to render N messages, write them to the outbox and have the worker send them all."""
    async with (
        worker_in_process(settings, port),
        open_services(settings, transports={}) as services,
    ):
        started = time.perf_counter()
        await _produce(services, n)
        await wait_until_delivered(services.sessions, progress)
        return time.perf_counter() - started


async def _produce(services: Services, n: int) -> None:
    for start in range(0, n, CHUNK):
        async with services.sessions() as session:
            await queue_emails(
                session,
                emails(min(CHUNK, n - start), start),
                sender=services.sender,
                renderer=services.renderer,
                now=services.clock.now(),
            )
            await session.commit()


def _worker_process(settings: Settings, ready: EventType, stop: EventType) -> None:
    asyncio.run(_run_worker(settings, ready, stop))


async def _run_worker(settings: Settings, ready: EventType, stop: EventType) -> None:
    async with open_services(settings) as services:
        finished = asyncio.Event()
        running = asyncio.create_task(services.delivery_worker().run(finished))
        ready.set()
        await asyncio.to_thread(stop.wait)
        finished.set()
        await running


async def wait_until_delivered(
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
    """Run both measurements against one sink and count what it received.

    The outbox is a fresh SQLite database in a temporary folder, never the configured one:
    a production worker must not see (or send) benchmark messages.
    """
    with tempfile.TemporaryDirectory() as tmp, SinkProcess() as sink:
        settings = settings.model_copy(
            update={"data_dir": Path(tmp), "database_url": None}
        )
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
        received: dict[str, int] = sink.snapshot()
    wanted = {f"practitioner{i}@bench.example.org" for i in range(n)}
    lost = len(wanted - received.keys())
    duplicates = sum(count - 1 for count in received.values() if count > 1)
    return SendFigures(
        n, settings.smtp_pool_size, raw, piped, lost, duplicates, peak_rss_mb()
    )
