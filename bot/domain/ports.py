"""Ports: what the core needs from the outside world, each documented once, here."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    """The current time. Tests pass a fixed or stepping clock instead of patching."""

    def now(self) -> datetime:
        """Returns:
        The current time, timezone-aware, in UTC.
        """
        ...


class Transport(Protocol):
    """Hands one message to the outside world on one channel (email, Slack...).

    The outbox worker calls `deliver` for each claimed message, concurrently; an
    implementation limits its own concurrency and rate to what its service allows.
    """

    channel: str

    async def deliver(self, recipient: str, payload: bytes) -> str | None:
        """Deliver `payload` (as stored in the outbox) to `recipient`.

        Returns:
            A receipt worth keeping with the message, or None: for a Slack post, where it
            landed ("CHANNEL/TS"), so the bot can edit its own post later.

        Raises:
            TemporaryDeliveryError: Worth retrying later (4xx, connection lost, time-out).
            PermanentDeliveryError: Never worth retrying (5xx: unknown user, say).
        """
        ...

    async def aclose(self) -> None:
        """Release connections. Called once, when the process stops."""
        ...
