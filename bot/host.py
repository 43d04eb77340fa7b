"""What a long-running process runs beside its channels: the delivery worker, the scheduler, the catcher."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

import jobs
from bot.mail.catcher import run_catcher
from bot.mail.mailer import SmtpMailer
from bot.mail.server import run_inbound
from bot.outbox.worker import DeliveryWorker, default_worker_id
from bot.runtime import Services
from bot.scheduling import Leadership, build_scheduler, sync_schedules

log = logging.getLogger(__name__)


@dataclass
class Background:
    """Handles on the running background parts, for health checks and tests."""

    worker: DeliveryWorker | None = None
    scheduler: AsyncIOScheduler | None = None
    leadership: Leadership | None = None
    catcher_port: int | None = None
    inbound_port: int | None = None


@asynccontextmanager
async def run_background(
    services: Services,
    *,
    worker: bool = True,
    scheduler: bool = True,
    catcher: bool = True,
    inbound: bool = True,
) -> AsyncIterator[Background]:
    """Start the chosen parts; stop them cleanly (leases handed back) when the block ends."""
    settings = services.settings
    background = Background()
    stop = asyncio.Event()
    async with AsyncExitStack() as stack:
        if catcher and settings.uses_catcher:
            background.catcher_port = await _start_catcher(stack, services)
        if inbound and settings.inbound_enabled:
            background.inbound_port = await stack.enter_async_context(
                run_inbound(services, settings.inbound_host, settings.inbound_port)
            )
            log.info(
                "email commands: listening on %s:%d",
                settings.inbound_host,
                background.inbound_port,
            )
        tasks: list[asyncio.Task[None]] = []
        if worker:
            background.worker = services.delivery_worker()
            tasks.append(asyncio.create_task(background.worker.run(stop)))
        if scheduler and settings.scheduler_enabled:
            background.scheduler, background.leadership = _start_scheduler(services)
            tasks.append(asyncio.create_task(background.leadership.run(stop)))
            stack.callback(background.scheduler.shutdown, wait=False)
        try:
            yield background
        finally:
            stop.set()
            await asyncio.gather(*tasks, return_exceptions=True)


async def _start_catcher(stack: AsyncExitStack, services: Services) -> int:
    settings = services.settings
    port = await stack.enter_async_context(
        run_catcher(settings.caught_mail_dir, "127.0.0.1", settings.catcher_port)
    )
    if (
        port != settings.catcher_port
    ):  # port 0 let the OS pick: send mail where it listens
        for transport in services.transports.values():
            if isinstance(transport, SmtpMailer):
                transport.retarget("127.0.0.1", port)
    log.info(
        "no SMTP relay configured: catching mail on 127.0.0.1:%d (see /mail)", port
    )
    return port


def _start_scheduler(services: Services) -> tuple[AsyncIOScheduler, Leadership]:
    scheduler = build_scheduler(services.settings)
    scheduler.start(paused=True)

    def gain() -> None:
        sync_schedules(scheduler, jobs.SCHEDULES, services.settings)
        scheduler.resume()

    leadership = Leadership(
        sessions=services.sessions,
        clock=services.clock,
        holder=default_worker_id(),
        ttl=timedelta(seconds=services.settings.scheduler_lease_seconds),
        on_gain=gain,
        on_loss=scheduler.pause,
    )
    return scheduler, leadership
