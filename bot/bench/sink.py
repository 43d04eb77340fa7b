"""An SMTP sink in its own process that counts what each recipient receives.

It runs apart from the process being measured so that the server's work does not
count against the client's, as on a real network.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
from collections import Counter
from multiprocessing.connection import Connection
from typing import Self

from aiosmtpd.smtp import SMTP, Envelope, Session


class CountingHandler:
    def __init__(self) -> None:
        self.received: Counter[str] = Counter()

    async def handle_DATA(
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        self.received.update(envelope.rcpt_tos)
        return "250 OK"


def _serve(conn: Connection) -> None:
    asyncio.run(_main(conn))


async def _main(conn: Connection) -> None:
    handler = CountingHandler()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="sink.local"), "127.0.0.1", 0
    )
    conn.send(server.sockets[0].getsockname()[1])
    done = asyncio.Event()

    def answer() -> None:
        """Runs in a thread: each request for a snapshot gets the counts so far, then a reset."""
        while (request := conn.recv()) != "stop":
            assert request == "snapshot"
            future = asyncio.run_coroutine_threadsafe(_snapshot(handler), loop)
            conn.send(future.result())
        loop.call_soon_threadsafe(done.set)

    threading.Thread(target=answer, daemon=True).start()
    await done.wait()
    server.close()


async def _snapshot(handler: CountingHandler) -> dict[str, int]:
    counts = dict(handler.received)
    handler.received.clear()
    return counts


class SinkProcess:
    """Start with `with SinkProcess() as sink:`; `sink.port`, `sink.snapshot()`."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child,), daemon=True)

    def __enter__(self) -> Self:
        self._process.start()
        self.port: int = self._conn.recv()
        return self

    def snapshot(self) -> dict[str, int]:
        """Recipient -> messages received since the last snapshot."""
        self._conn.send("snapshot")
        counts: dict[str, int] = self._conn.recv()
        return counts

    def __exit__(self, *exc: object) -> None:
        self._conn.send("stop")
        self._process.join(timeout=10)
        if self._process.is_alive():
            self._process.kill()
