"""Real `python -m bot worker` processes for end-to-end outbox tests, and waits on what they send.

Each process's output is read as it comes (so the pipe never fills and the test can wait for the
"delivery worker ... started" line); a process still running when its block ends is killed.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

from bot.outbox import queue
from tests.servers.smtp import RecordingHandler, SmtpServer

STARTED = re.compile(r"delivery worker (\S+) started")


def worker_environment(
    *,
    database_url: str,
    data_dir: Path,
    smtp: SmtpServer,
    envelope_sender: str,
    config_file: Path,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment of a worker that sends to the test's SMTP server, with nothing inherited from ours.

    `envelope_sender` (FORUMBOT_BOUNCE_ADDRESS) tags every message the process sends, so the test
    can tell which process sent what: the outbox forgets its worker once a message is sent.
    """
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("FORUMBOT_")
    }
    return {
        **inherited,
        "FORUMBOT_DATABASE_URL": database_url,
        "FORUMBOT_DATA_DIR": str(data_dir),
        "FORUMBOT_CONFIG_FILE": str(config_file),
        "FORUMBOT_SMTP_HOST": smtp.host,
        "FORUMBOT_SMTP_PORT": str(smtp.port),
        "FORUMBOT_SMTP_SECURITY": "none",
        "FORUMBOT_SMTP_RATE_PER_SECOND": "0",
        "FORUMBOT_SENDER_ADDRESS": "forum@partnership.example.org",
        "FORUMBOT_BOUNCE_ADDRESS": envelope_sender,
        **(extra or {}),
    }


class WorkerProcess:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.lines: list[str] = []
        self.worker_id: str | None = None
        self.started = asyncio.Event()
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.process.stdout is not None
        async for raw in self.process.stdout:
            line = raw.decode(errors="replace").rstrip()
            self.lines.append(line)
            found = STARTED.search(line)
            if found and not self.started.is_set():
                self.worker_id = found.group(1)
                self.started.set()

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    async def wait_started(self) -> None:
        """Wait for the worker's start-up line; fail at once (with its output) if it exits instead."""
        exited = asyncio.ensure_future(self.process.wait())
        started = asyncio.ensure_future(self.started.wait())
        try:
            await asyncio.wait([exited, started], return_when=asyncio.FIRST_COMPLETED)
        finally:
            exited.cancel()
            started.cancel()
        if not self.started.is_set():
            await self._reader
            raise AssertionError(
                f"worker exited with {self.process.returncode} before starting:\n{self.output}"
            )

    async def kill(self) -> int:
        """SIGKILL: no clean-up at all, as when the machine or the OOM killer stops it."""
        self.process.kill()
        return await self.wait()

    async def stop(self) -> int:
        """SIGTERM: the worker finishes and records the batches it holds, then exits."""
        self.process.send_signal(signal.SIGTERM)
        return await self.wait()

    async def wait(self) -> int:
        """Wait for the process to exit and its output to be read; its exit code."""
        code = await self.process.wait()
        await self._reader
        return code


@asynccontextmanager
async def worker_process(
    environment: Mapping[str, str], cwd: Path
) -> AsyncIterator[WorkerProcess]:
    """`python -m bot worker` as a child process; killed when the block ends if still running.

    `cwd` should be an empty directory, so no `config/.env` of the checkout is read.
    """
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "worker",
        env=dict(environment),
        cwd=cwd,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    worker = WorkerProcess(process)
    try:
        yield worker
    finally:
        if process.returncode is None:
            await worker.kill()
        else:
            await worker.wait()


async def wait_for_sender(handler: RecordingHandler, sender: str, count: int) -> None:
    """Wait (on the handler's messages, not a sleep) until `sender` has sent `count` messages."""
    seen = found = 0
    while True:
        messages = handler.messages
        found += sum(1 for m in messages[seen:] if m.sender == sender)
        seen = len(messages)
        if found >= count:
            return
        await handler.wait_for_messages(seen + 1)


def plain_messages(n: int, prefix: str) -> list[queue.NewMessage]:
    """N small prebuilt email payloads, one per recipient member{i}@example.org."""
    return [
        queue.NewMessage(
            key=f"{prefix}:{i}",
            channel="email",
            recipient=f"member{i}@example.org",
            payload=(
                f"From: forum@partnership.example.org\r\nTo: member{i}@example.org\r\n"
                f"Subject: message {i}\r\n\r\nHello member {i}.\r\n"
            ).encode(),
        )
        for i in range(n)
    ]
