"""`python -m bot ...` as a child process that can be watched and killed: the one helper
behind the newsletter benchmark's sending command and the outbox tests' delivery workers.

The child's output is read as it comes (so the pipe never fills), line by line; a subclass
reads what it needs from each line (`on_line`) and callers wait on that, never on a timer.
A child still running when its block ends is killed.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TypeVar


def clean_environment(**forumbot: str) -> dict[str, str]:
    """This process's environment without any FORUMBOT_ setting, plus `forumbot` (named
    without the prefix: `DATABASE_URL=...`), so a child reads only what it is given."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("FORUMBOT_")}
    return inherited | {f"FORUMBOT_{name}": value for name, value in forumbot.items()}


class ChildProcess:
    """A running child; `lines` is its output so far."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.lines: list[str] = []
        self._changed = asyncio.Condition()
        self._reader = asyncio.create_task(self._read())

    def on_line(self, line: str) -> None:
        """Read one line of output (for subclasses); called before waiters are woken."""

    async def _read(self) -> None:
        assert self.process.stdout is not None
        async for raw in self.process.stdout:
            line = raw.decode(errors="replace").rstrip()
            self.lines.append(line)
            self.on_line(line)
            async with self._changed:
                self._changed.notify_all()
        async with self._changed:
            self._changed.notify_all()

    async def wait_for(self, condition: Callable[[], bool]) -> bool:
        """Wait (on its output) until `condition()` holds; False if the output ended first."""
        async with self._changed:
            await self._changed.wait_for(lambda: condition() or self._reader.done())
        return condition()

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    async def kill(self) -> int:
        """SIGKILL: no clean-up at all, as when the machine or the OOM killer stops it."""
        self.process.kill()
        return await self.wait()

    async def stop(self) -> int:
        """SIGTERM: the child finishes what it holds, then exits."""
        self.process.send_signal(signal.SIGTERM)
        return await self.wait()

    async def wait(self) -> int:
        """Wait for it to exit and its output to be read; its exit code."""
        code = await self.process.wait()
        await self._reader
        return code


C = TypeVar("C", bound=ChildProcess)


@asynccontextmanager
async def child_process(
    kind: type[C], arguments: Sequence[str], environment: Mapping[str, str], cwd: Path
) -> AsyncIterator[C]:
    """`python -m bot ARGUMENTS` in `cwd` (an empty folder, so no config/.env of the
    checkout is read), watched as `kind`; killed when the block ends if still running."""
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "bot", *arguments),
        env=dict(environment),
        cwd=cwd,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    child = kind(process)
    try:
        yield child
    finally:
        if process.returncode is None:
            await child.kill()
        else:
            await child.wait()
