"""SmtpMailer: the email transport, over a small pool of reused aiosmtplib connections."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, replace

import aiosmtplib
from aiolimiter import AsyncLimiter

from bot.errors import DeliveryError, PermanentDeliveryError, TemporaryDeliveryError
from bot.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SmtpOptions:
    host: str
    port: int
    envelope_sender: str
    security: str = "none"  # none | starttls | tls
    username: str | None = None
    password: str | None = None
    timeout: float = 30.0
    pool_size: int = 4
    rate_per_second: float = 0.0  # 0: no limit

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpOptions:
        """The relay from settings, or the local catcher that `serve` runs when none is set."""
        if settings.uses_catcher:
            return cls(
                host="127.0.0.1",
                port=settings.catcher_port,
                envelope_sender=settings.envelope_sender,
                pool_size=settings.smtp_pool_size,
                rate_per_second=0.0,
            )
        password = (
            settings.smtp_password.get_secret_value()
            if settings.smtp_password
            else None
        )
        return cls(
            host=str(settings.smtp_host),
            port=settings.smtp_port,
            envelope_sender=settings.envelope_sender,
            security=settings.smtp_security,
            username=settings.smtp_username,
            password=password,
            timeout=settings.smtp_timeout_seconds,
            pool_size=settings.smtp_pool_size,
            rate_per_second=settings.smtp_rate_per_second,
        )


def classify(error: Exception) -> DeliveryError:
    """Map an aiosmtplib failure to ours: 5xx is permanent; 4xx and lost connections are not."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused) and error.recipients:
        error = error.recipients[0]
    if isinstance(error, aiosmtplib.SMTPResponseException):
        text = error.message.strip() or "no reason given"
        if 500 <= error.code < 600:
            return PermanentDeliveryError(text, code=error.code)
        return TemporaryDeliveryError(text, code=error.code)
    return TemporaryDeliveryError(f"{type(error).__name__}: {error}".strip())


class SmtpMailer:
    """See `bot.domain.ports.Transport`. Connections are opened lazily and reused."""

    channel = "email"

    def __init__(self, options: SmtpOptions) -> None:
        self._options = options
        self._idle: asyncio.LifoQueue[aiosmtplib.SMTP] = asyncio.LifoQueue()
        for _ in range(options.pool_size):
            self._idle.put_nowait(self._new_client())
        rate = options.rate_per_second
        self._limiter = AsyncLimiter(rate, 1.0) if rate > 0 else None

    def _new_client(self) -> aiosmtplib.SMTP:
        o = self._options
        return aiosmtplib.SMTP(
            hostname=o.host,
            port=o.port,
            username=o.username,
            password=o.password,
            timeout=o.timeout,
            use_tls=o.security == "tls",
            start_tls=o.security == "starttls",
        )

    def retarget(self, host: str, port: int) -> None:
        """Send to host:port from now on: the local catcher, once `catcher_port = 0` has picked a port.

        Idle connections are dropped and reopened lazily; call it before anything is sent.
        """
        self._options = replace(self._options, host=host, port=port)
        idle: list[aiosmtplib.SMTP] = []
        while not self._idle.empty():
            idle.append(self._idle.get_nowait())
        for client in idle:
            _close(client)
            self._idle.put_nowait(self._new_client())

    async def deliver(self, recipient: str, payload: bytes) -> None:
        if self._limiter is not None:
            await self._limiter.acquire()
        client = await self._idle.get()
        try:
            await self._send(client, recipient, payload)
        finally:
            self._idle.put_nowait(client)

    async def _send(
        self, client: aiosmtplib.SMTP, recipient: str, payload: bytes
    ) -> None:
        # A pooled connection may have been closed by the server while idle; that is not
        # the message's fault, so reconnect once before counting it as a failure.
        reused = client.is_connected
        for attempt in (1, 2):
            try:
                if not client.is_connected:
                    await client.connect()
                await client.sendmail(
                    self._options.envelope_sender, [recipient], payload
                )
                return
            except aiosmtplib.SMTPServerDisconnected as error:
                _close(client)
                if not (reused and attempt == 1):
                    raise classify(error) from error
            except (
                aiosmtplib.SMTPResponseException,
                aiosmtplib.SMTPRecipientsRefused,
            ) as error:
                raise classify(error) from error
            except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
                _close(client)
                raise classify(error) from error

    async def aclose(self) -> None:
        clients = []
        while not self._idle.empty():
            clients.append(self._idle.get_nowait())
        for client in clients:
            if client.is_connected:
                with contextlib.suppress(aiosmtplib.SMTPException, OSError):
                    await client.quit()
            self._idle.put_nowait(client)


def _close(client: aiosmtplib.SMTP) -> None:
    with contextlib.suppress(Exception):
        client.close()
