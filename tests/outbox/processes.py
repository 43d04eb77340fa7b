"""Real `python -m bot worker` processes for end-to-end outbox tests, and waits on what they send.

The child process itself is `bot.bench.children` (shared with the newsletter benchmark): its
output is read as it comes, so the test can wait for the "delivery worker ... started"
line; a process still running when its block ends is killed.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

from bot.bench.children import ChildProcess, child_process, clean_environment
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
    return clean_environment(
        DATABASE_URL=database_url,
        DATA_DIR=str(data_dir),
        CONFIG_FILE=str(config_file),
        SMTP_HOST=smtp.host,
        SMTP_PORT=str(smtp.port),
        SMTP_SECURITY="none",
        SMTP_RATE_PER_SECOND="0",
        SENDER_ADDRESS="forum@partnership.example.org",
        BOUNCE_ADDRESS=envelope_sender,
    ) | dict(extra or {})


class WorkerProcess(ChildProcess):
    """A running `python -m bot worker`; `worker_id` once it has started."""

    worker_id: str | None = None

    def on_line(self, line: str) -> None:
        found = STARTED.search(line)
        if found and self.worker_id is None:
            self.worker_id = found.group(1)

    async def wait_started(self) -> None:
        """Wait for the worker's start-up line; fail at once (with its output) if it exits instead."""
        if not await self.wait_for(lambda: self.worker_id is not None):
            await self.wait()
            raise AssertionError(
                f"worker exited with {self.process.returncode} before starting:\n{self.output}"
            )


@asynccontextmanager
async def worker_process(
    environment: Mapping[str, str], cwd: Path
) -> AsyncIterator[WorkerProcess]:
    """`python -m bot worker` as a child process; killed when the block ends if still running.

    `cwd` should be an empty directory, so no `config/.env` of the checkout is read.
    """
    async with child_process(WorkerProcess, ["worker"], environment, cwd) as worker:
        yield worker


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
