"""Parts of the newsletter benchmark (and its acceptance test): the sending command as a
child process that can be killed midway (`bot.bench.children`), and an SMTP sink
(`bot.bench.sink`) whose handler keeps each recipient's List-Unsubscribe links, so a run
can check everyone got one copy with their own link.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from email.parser import BytesHeaderParser
from pathlib import Path

from aiosmtpd.smtp import SMTP, Envelope, Session

from bot.bench.children import ChildProcess, child_process, clean_environment
from bot.bench.sink import SinkProcess
from bot.settings import Settings

DONE = re.compile(r"newsletter \S+: (\d+) members done")


def send_environment(settings: Settings, config_file: Path) -> dict[str, str]:
    """What a `forumbot newsletter send` child needs to share this process's database and links."""
    return clean_environment(
        DATABASE_URL=settings.effective_database_url,
        DATA_DIR=str(settings.data_dir),
        CONFIG_FILE=str(config_file),
        SECRET_KEY=settings.secret_key.get_secret_value(),
        BASE_URL=str(settings.base_url),
        SENDER_ADDRESS=settings.sender_address,
        LOG_LEVEL="INFO",
    )


class SendProcess(ChildProcess):
    """A running `python -m bot newsletter send`; `done` is how many members it has committed."""

    done = 0

    def on_line(self, line: str) -> None:
        if found := DONE.search(line):
            self.done = int(found.group(1))

    async def wait_done(self, members: int) -> bool:
        """Wait (on its log lines, not a timer) until `members` are committed; False if it
        finished or died first."""
        return await self.wait_for(lambda: self.done >= members)


@asynccontextmanager
async def send_process(
    environment: Mapping[str, str],
    cwd: Path,
    ref: str,
    batch_size: int,
    *,
    take_over: bool = False,
) -> AsyncIterator[SendProcess]:
    """The child runs in `cwd` (an empty folder: no config/.env is read); killed if left
    running. `take_over`: resume after a killed sender without waiting out its lease."""
    arguments = ["newsletter", "send", ref, "--json", "--batch-size", str(batch_size)]
    if take_over:
        arguments.append("--take-over")
    async with child_process(SendProcess, arguments, environment, cwd) as sender:
        yield sender


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

    def snapshot(self) -> dict[str, list[str]]:
        """Recipient -> the unsubscribe link of each message they received."""
        return {k: list(v) for k, v in self.links.items()}


def link_sink() -> SinkProcess:
    """`with link_sink() as sink:` an SMTP server in its own process; `sink.snapshot()`."""
    return SinkProcess(LinkHandler)
