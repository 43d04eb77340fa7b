"""One sender per issue at a time: a named lease `newsletter:{id}`, renewed every batch.

Why: the send-newsletters job resumes any issue left SENDING, and an operator may be running
`forumbot newsletter send` for that very issue at the same moment. Outbox keys already stop
a copy going twice, but two senders racing through the same batches waste work and make
the progress bar lie. So a run first takes the issue's lease (bot.store.leases); a second
run is told the issue is busy and leaves it. The lease is renewed after every batch and
lapses `TTL` after the last renewal, so an issue whose sender crashed is resumed by the
next job run once that time has passed; a clean finish releases it at once. An operator
who knows the other sender is dead (killed, its machine gone) may take the lease over at
once (`forumbot newsletter send --take-over`).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.errors import UserFacingError
from bot.store import leases
from bot.store.tables import Lease

TTL = timedelta(minutes=10)  # far longer than one batch takes; how long a crash blocks


class NewsletterBusyError(UserFacingError):
    """Another process is sending this issue now."""


class SendTurn:
    """This run's hold on one issue's lease."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        newsletter_id: int,
        campaign: str,
        now: Callable[[], datetime],
    ) -> None:
        self._sessions, self._now = sessions, now
        self.name, self.campaign = f"newsletter:{newsletter_id}", campaign
        self.holder = f"{os.getpid()}:{uuid.uuid4().hex}"

    async def keep(self) -> None:
        """Take the lease, or renew it before the next batch.

        Raises:
            NewsletterBusyError: Another run holds it (or took it over after ours lapsed).
        """
        async with self._sessions() as session:
            held = await leases.try_acquire(
                session, name=self.name, holder=self.holder, now=self._now(), ttl=TTL
            )
        if not held:
            raise NewsletterBusyError(
                f"{self.campaign} is being sent by another process just now; it carries "
                "on there. If that process stopped, the send-newsletters job resumes the "
                f"issue within {int(TTL.total_seconds() // 60)} minutes."
            )

    async def take_over(self) -> None:
        """Break whoever holds the lease (the operator says they are dead), then take it."""
        async with self._sessions() as session:
            await session.exec(delete(Lease).where(col(Lease.name) == self.name))
            await session.commit()
        await self.keep()

    async def release(self) -> None:
        async with self._sessions() as session:
            await leases.release(session, name=self.name, holder=self.holder)
