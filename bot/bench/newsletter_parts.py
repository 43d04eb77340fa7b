"""Parts of the newsletter benchmark (and its acceptance test): the sending command as a
child process that can be killed midway, and an SMTP sink that keeps each recipient's
List-Unsubscribe links, so a run can check everyone got one copy with their own link.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import re
import sys
import threading
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from email.parser import BytesHeaderParser
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Self

from aiosmtpd.smtp import SMTP, Envelope, Session

from bot.settings import Settings

DONE = re.compile(r"newsletter \S+: (\d+) members done")


def send_environment(settings: Settings, config_file: Path) -> dict[str, str]:
    """What a `forumbot newsletter send` child needs to share this process's database and links."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("FORUMBOT_")}
    return {
        **inherited,
        "FORUMBOT_DATABASE_URL": settings.effective_database_url,
        "FORUMBOT_DATA_DIR": str(settings.data_dir),
        "FORUMBOT_CONFIG_FILE": str(config_file),
        "FORUMBOT_SECRET_KEY": settings.secret_key.get_secret_value(),
        "FORUMBOT_BASE_URL": str(settings.base_url),
        "FORUMBOT_SENDER_ADDRESS": settings.sender_address,
        "FORUMBOT_LOG_LEVEL": "INFO",
    }


class SendProcess:
    """A running `python -m bot newsletter send`; `done` is how many members it has committed."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.lines: list[str] = []
        self.done = 0
        self._changed = asyncio.Condition()
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.process.stdout is not None
        async for raw in self.process.stdout:
            line = raw.decode(errors="replace").rstrip()
            self.lines.append(line)
            if found := DONE.search(line):
                async with self._changed:
                    self.done = int(found.group(1))
                    self._changed.notify_all()
        async with self._changed:
            self._changed.notify_all()

    async def wait_done(self, members: int) -> bool:
        """Wait (on its log lines, not a timer) until `members` are committed; False if it
        finished or died first."""
        async with self._changed:
            await self._changed.wait_for(
                lambda: self.done >= members or self._reader.done()
            )
        return self.done >= members

    async def kill(self) -> int:
        """SIGKILL: no clean-up at all, as when the machine stops."""
        self.process.kill()
        return await self.wait()

    async def wait(self) -> int:
        code = await self.process.wait()
        await self._reader
        return code

    @property
    def output(self) -> str:
        return "\n".join(self.lines)


@asynccontextmanager
async def send_process(
    environment: Mapping[str, str], cwd: Path, ref: str, batch_size: int
) -> AsyncIterator[SendProcess]:
    """The child runs in `cwd` (an empty folder: no config/.env is read); killed if left running."""
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "bot", "newsletter", "send", ref, "--json"),
        *("--batch-size", str(batch_size)),
        env=dict(environment),
        cwd=cwd,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    sender = SendProcess(process)
    try:
        yield sender
    finally:
        if process.returncode is None:
            await sender.kill()
        else:
            await sender.wait()


class LinkHandler:
    """Keeps, per recipient, the List-Unsubscribe header of every message it received."""

    def __init__(self) -> None:
        self.links: dict[str, list[str]] = {}
        self._parser = BytesHeaderParser()

    async def handle_DATA(
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        headers = self._parser.parsebytes(envelope.original_content or b"")
        link = str(headers.get("List-Unsubscribe", "")).strip().strip("<>")
        for recipient in envelope.rcpt_tos:
            self.links.setdefault(recipient, []).append(link)
        return "250 OK"


def _serve(conn: Connection) -> None:
    asyncio.run(_main(conn))


async def _main(conn: Connection) -> None:
    handler = LinkHandler()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="sink.local"), "127.0.0.1", 0
    )
    conn.send(server.sockets[0].getsockname()[1])
    done = asyncio.Event()

    def answer() -> None:
        while conn.recv() == "snapshot":
            future = asyncio.run_coroutine_threadsafe(_copy(handler), loop)
            conn.send(future.result())
        loop.call_soon_threadsafe(done.set)

    threading.Thread(target=answer, daemon=True).start()
    await done.wait()
    server.close()


async def _copy(handler: LinkHandler) -> dict[str, list[str]]:
    return {k: list(v) for k, v in handler.links.items()}


class LinkSink:
    """`with LinkSink() as sink:` an SMTP server in its own process; `sink.snapshot()`."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child,), daemon=True)

    def __enter__(self) -> Self:
        self._process.start()
        self.port: int = self._conn.recv()
        return self

    def snapshot(self) -> dict[str, list[str]]:
        """Recipient -> the unsubscribe link of each message they received."""
        self._conn.send("snapshot")
        links: dict[str, list[str]] = self._conn.recv()
        return links

    def __exit__(self, *exc: object) -> None:
        self._conn.send("stop")
        self._process.join(10)
