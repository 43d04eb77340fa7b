"""An SMTP sink in its own process: counts what each recipient receives, or keeps what
another handler wants (the newsletter benchmark keeps each copy's unsubscribe link).

It runs apart from the process being measured so that the server's work does not
count against the client's, as on a real network. A handler is an aiosmtpd handler with
a `snapshot()` giving (picklable) what it has seen; its class is passed to the child.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
from collections import Counter
from multiprocessing.connection import Connection
from typing import Any, Protocol, Self

from aiosmtpd.smtp import SMTP, Envelope, Session


class SinkHandler(Protocol):
    async def handle_DATA(
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str: ...

    def snapshot(self) -> Any: ...


class CountingHandler:
    """Recipient -> messages received since the last snapshot."""

    def __init__(self) -> None:
        self.received: Counter[str] = Counter()

    async def handle_DATA(
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        self.received.update(envelope.rcpt_tos)
        return "250 OK"

    def snapshot(self) -> dict[str, int]:
        counts = dict(self.received)
        self.received.clear()
        return counts


def _serve(conn: Connection, handler_class: type[SinkHandler]) -> None:
    asyncio.run(_main(conn, handler_class))


async def _main(conn: Connection, handler_class: type[SinkHandler]) -> None:
    handler = handler_class()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="sink.local"), "127.0.0.1", 0
    )
    conn.send(server.sockets[0].getsockname()[1])
    done = asyncio.Event()

    def answer() -> None:
        """Runs in a thread: each request for a snapshot gets the handler's snapshot."""
        while (request := conn.recv()) != "stop":
            assert request == "snapshot"
            future = asyncio.run_coroutine_threadsafe(_snapshot(handler), loop)
            conn.send(future.result())
        loop.call_soon_threadsafe(done.set)

    threading.Thread(target=answer, daemon=True).start()
    await done.wait()
    server.close()


async def _snapshot(handler: SinkHandler) -> Any:
    return handler.snapshot()


class SinkProcess:
    """Start with `with SinkProcess() as sink:`; `sink.port`, `sink.snapshot()`.
    `handler_class` (a module-level class, for the spawned child): default counting."""

    def __init__(self, handler_class: type[SinkHandler] = CountingHandler) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(
            target=_serve, args=(child, handler_class), daemon=True
        )

    def __enter__(self) -> Self:
        self._process.start()
        self.port: int = self._conn.recv()
        return self

    def snapshot(self) -> Any:
        """The handler's snapshot (counting: recipient -> messages since the last one)."""
        self._conn.send("snapshot")
        return self._conn.recv()

    def __exit__(self, *exc: object) -> None:
        self._conn.send("stop")
        self._process.join(timeout=10)
        if self._process.is_alive():
            self._process.kill()
