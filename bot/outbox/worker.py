"""The delivery worker: claims due messages from the outbox and hands them to their transports."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.ports import Clock, Transport
from bot.errors import DeliveryError, TemporaryDeliveryError
from bot.outbox import queue

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter, so a relay coming back is not hit by every retry at once."""

    max_attempts: int = 8
    base_seconds: float = 30.0
    max_seconds: float = 3600.0

    def delay(
        self, attempts: int, uniform: Callable[[float, float], float] = random.uniform
    ) -> timedelta:
        """The wait before attempt `attempts + 1`: base * 2^(attempts-1), capped, times 0.5-1."""
        ceiling = min(self.max_seconds, self.base_seconds * 2 ** max(0, attempts - 1))
        return timedelta(seconds=ceiling * uniform(0.5, 1.0))


@dataclass(frozen=True)
class Outcome:
    message: queue.Claimed
    error: DeliveryError | None
    receipt: str | None = None


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{random.randrange(16**6):06x}"


class DeliveryWorker:
    """Moves messages from the outbox to their transports; many may share one database.

    Each of `lanes` loops claims a batch, delivers it concurrently and records the outcomes,
    so one lane's database work overlaps another's sending. At most `lanes * batch_size`
    messages are in flight: that bounds what a crash can send twice.
    """

    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        transports: Mapping[str, Transport],
        clock: Clock,
        policy: RetryPolicy,
        batch_size: int = 100,
        lease: timedelta = timedelta(minutes=2),
        poll_seconds: float = 1.0,
        lanes: int = 2,
        worker_id: str | None = None,
    ) -> None:
        self._sessions = sessions
        self._transports = transports
        self._clock = clock
        self._policy = policy
        self._batch_size = batch_size
        self._lease = lease
        self._poll_seconds = poll_seconds
        self._lanes = lanes
        self.worker_id = worker_id or default_worker_id()

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until `stop` is set."""
        log.info("delivery worker %s started", self.worker_id)
        async with asyncio.TaskGroup() as group:
            for _ in range(self._lanes):
                group.create_task(self._lane(stop))
        log.info("delivery worker %s stopped", self.worker_id)

    async def _lane(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                handled = await self.run_once()
            # The loop must outlive a database hiccup: log it and go on.
            except Exception:
                log.exception("delivery worker %s: batch failed", self.worker_id)
                handled = 0
            if not handled:
                await self._idle(stop)

    async def _idle(self, stop: asyncio.Event) -> None:
        """Wait for the next poll, or less if the process is stopping."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=self._poll_seconds)

    async def run_once(self) -> int:
        """Claim one batch, deliver it and record what happened.

        Returns:
            How many messages were handled (0 when nothing was due).
        """
        async with self._sessions() as session:
            batch = await queue.claim(
                session,
                worker=self.worker_id,
                limit=self._batch_size,
                now=self._clock.now(),
                lease=self._lease,
            )
        if not batch:
            return 0
        outcomes = await asyncio.gather(*(self._deliver(message) for message in batch))
        await self._record(outcomes)
        return len(batch)

    async def drain(self) -> int:
        """Deliver until nothing is due now (retries scheduled later stay queued).

        Returns:
            How many messages were handled.
        """
        total = 0
        while handled := await self.run_once():
            total += handled
        return total

    async def _deliver(self, message: queue.Claimed) -> Outcome:
        transport = self._transports.get(message.channel)
        try:
            if transport is None:
                raise TemporaryDeliveryError(
                    f"no transport for channel {message.channel!r} in this process"
                )
            receipt = await transport.deliver(message.recipient, message.payload)
        except DeliveryError as error:
            return Outcome(message, error)
        except (
            Exception
        ) as error:  # a transport bug must not lose the message: retry it later
            log.exception("transport %s raised unexpectedly", message.channel)
            return Outcome(
                message,
                TemporaryDeliveryError(f"unexpected {type(error).__name__}: {error}"),
            )
        return Outcome(message, None, receipt)

    async def _record(self, outcomes: list[Outcome]) -> None:
        now = self._clock.now()
        async with self._sessions() as session:
            sent = [o.message.id for o in outcomes if o.error is None]
            await queue.mark_sent(session, sent, worker=self.worker_id, now=now)
            receipts = {o.message.id: o.receipt for o in outcomes if o.receipt}
            await queue.keep_receipts(session, receipts)
            for outcome in outcomes:
                if outcome.error is not None:
                    await self._record_failure(session, outcome.message, outcome.error)
            await session.commit()

    async def _record_failure(
        self, session: AsyncSession, message: queue.Claimed, error: DeliveryError
    ) -> None:
        now = self._clock.now()
        if error.permanent or message.attempts >= self._policy.max_attempts:
            log.warning(
                "giving up on message %s to %s: %s",
                message.id,
                message.recipient,
                error,
            )
            await queue.mark_failed(
                session,
                message,
                worker=self.worker_id,
                error=str(error),
                code=error.code,
                bounce=error.permanent
                and message.channel == "email",  # bounces are about addresses
                now=now,
            )
            return
        asked = getattr(error, "retry_after", None)
        if (
            asked is not None
        ):  # the service said when (Slack's Retry-After): exactly then
            retry_at = now + timedelta(seconds=asked)
        else:
            retry_at = now + self._policy.delay(message.attempts)
        log.info(
            "message %s to %s will be retried at %s: %s",
            message.id,
            message.recipient,
            retry_at,
            error,
        )
        await queue.mark_retry(
            session,
            message.id,
            worker=self.worker_id,
            error=str(error),
            retry_at=retry_at,
        )
