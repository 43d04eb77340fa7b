"""`forumbot bench slack`: signed `/forum` commands against /slack/events, timing Slack's ack.

By default everything runs here, in one process: the stand-in for Slack's Web API, a fresh
SQLite database in a temporary folder (never the configured one), and the real app served by
uvicorn on a free loopback port. With `url`, only the measuring client runs, against an app
already serving there (signed with the configured FORUMBOT_SLACK_SIGNING_SECRET). Either way
the commands' response URLs point at the stand-in, which counts the replies.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import math
import secrets
import socket
import tempfile
import time
import urllib.parse
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import uvicorn
from pydantic import AnyHttpUrl, SecretStr

from bot.bench.slack_stand_in import SlackStandIn, slack_stand_in
from bot.errors import ConfigError
from bot.settings import Settings
from bot.store.db import upgrade_schema
from bot.web.app import create_app

EVENTS_PATH = "/slack/events"
READY_SECONDS = 60.0  # for the app to start (migrations done, lifespan entered)
REQUEST_SECONDS = 10.0  # for one acknowledgement; Slack itself gives up after 3
REPLY_SECONDS = 30.0  # for the replies still on their way after the last ack
COMMANDS = ("help", "sessions", "help", "ask how do I make a referral?", "help", "ask")
USERS = [
    (f"U0BENCH{n}", f"user{n}@bench.example.org", f"Bench User{n}") for n in range(4)
]

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Sent:
    ack_ms: list[float]  # one per acknowledged (HTTP 200) request
    errors: Counter[str]  # by kind, such as "HTTP 401" or "ServerDisconnectedError"
    seconds: float  # from the first request out to the last answer in


@dataclass(frozen=True)
class SlackFigures:
    requests: int
    concurrency: int
    sent: Sent
    replies: int  # response_url replies the stand-in received

    def as_dict(self) -> dict[str, object]:
        ordered = sorted(self.sent.ack_ms)
        return {
            "requests": self.requests,
            "concurrency": self.concurrency,
            "ack_p50_ms": percentile(ordered, 50),
            "ack_p95_ms": percentile(ordered, 95),
            "ack_p99_ms": percentile(ordered, 99),
            "ack_max_ms": round(ordered[-1], 1) if ordered else None,
            "errors": self.sent.errors.total(),
            "error_kinds": dict(self.sent.errors),
            "replies": self.replies,
            "seconds": round(self.sent.seconds, 3),
            "requests_per_s": round(self.requests / self.sent.seconds, 1),
        }


def percentile(ordered: list[float], p: float) -> float | None:
    """The nearest-rank percentile of sorted values (None when there are none)."""
    if not ordered:
        return None
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return round(ordered[rank - 1], 1)


def slash_command(i: int, response_url: str) -> str:
    """The i-th `/forum` command, form-encoded as Slack posts it."""
    user_id, _, name = USERS[i % len(USERS)]
    return urllib.parse.urlencode(
        {
            "token": "legacy-verification-token",
            "team_id": "T0PARTNER",
            "team_domain": "partnership",
            "channel_id": "C0BENCH",
            "channel_name": "forum",
            "user_id": user_id,
            "user_name": name.split()[0].lower(),
            "command": "/forum",
            "text": COMMANDS[i % len(COMMANDS)],
            "api_app_id": "A0FORUMBOT",
            "response_url": response_url,
            "trigger_id": f"{i}.bench.trigger",
        }
    )


def signed_headers(secret: str, body: str, timestamp: int) -> dict[str, str]:
    """Slack's v0 signature: HMAC-SHA256 over "v0:{timestamp}:{body}"."""
    base = f"v0:{timestamp}:{body}".encode()
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": f"v0={digest}",
    }


async def _one(http: aiohttp.ClientSession, url: str, secret: str, body: str) -> float:
    """Milliseconds until the acknowledgement (the HTTP response) is in.

    Raises:
        RuntimeError: The app answered with anything but 200 (the message says what).
    """
    headers = signed_headers(secret, body, int(time.time()))
    started = time.perf_counter()
    async with http.post(url, data=body.encode(), headers=headers) as response:
        await response.read()
    if response.status != 200:
        raise RuntimeError(f"HTTP {response.status}")
    return (time.perf_counter() - started) * 1000


async def send_all(
    url: str, secret: str, bodies: list[str], concurrency: int, progress: Progress
) -> Sent:
    """Send every body with at most `concurrency` in flight."""
    acks: list[float] = []
    errors: Counter[str] = Counter()
    queue = iter(bodies)
    timeout = aiohttp.ClientTimeout(total=REQUEST_SECONDS)
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:

        async def sender() -> None:
            for body in queue:  # one shared iterator: each body is sent once
                try:
                    acks.append(await _one(http, url, secret, body))
                except RuntimeError as error:
                    errors[str(error)] += 1
                except (aiohttp.ClientError, TimeoutError) as error:
                    errors[type(error).__name__] += 1
                progress(len(acks) + errors.total())

        started = time.perf_counter()
        await asyncio.gather(*(sender() for _ in range(concurrency)))
    return Sent(acks, errors, time.perf_counter() - started)


async def replies_received(stand_in: SlackStandIn, expected: int) -> int:
    """Wait (bounded) for the replies still on their way; how many arrived."""
    try:
        async with asyncio.timeout(REPLY_SECONDS):
            await stand_in.wait_for("response_url", expected)
    except TimeoutError:
        pass
    return len(stand_in.calls_to("response_url"))


def local_settings(settings: Settings, data_dir: Path, api_url: str) -> Settings:
    """Slack on in HTTP mode against the stand-in, with a fresh secret and database."""
    return settings.model_copy(
        update={
            "data_dir": data_dir,
            "database_url": None,
            "slack_bot_token": SecretStr("xoxb-bench"),
            "slack_signing_secret": SecretStr(secrets.token_hex(16)),
            "slack_app_token": None,
            "slack_api_url": AnyHttpUrl(api_url),
        }
    )


@asynccontextmanager
async def served(settings: Settings) -> AsyncIterator[str]:
    """The real app (create_app, Slack in HTTP mode) under uvicorn; yields its base URL.

    The socket listens before uvicorn starts, so the first request simply waits in the
    backlog until the app is ready: no polling.
    """
    config = uvicorn.Config(
        create_app(settings, background=False),
        log_level="warning",
        log_config=None,
        access_log=False,
        ws="none",
    )
    server = uvicorn.Server(config)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        serving = asyncio.create_task(server.serve(sockets=[sock]))
        try:
            await _until_ready(url, serving)
            yield url
        finally:
            server.should_exit = True
            await serving


async def _until_ready(url: str, serving: asyncio.Task[None]) -> None:
    """Raises:
    RuntimeError: The app stopped, or did not answer /healthz, before it was ready.
    """
    async with aiohttp.ClientSession() as http:
        probe = asyncio.create_task(_status(http, f"{url}/healthz"))
        done, _ = await asyncio.wait(
            {probe, serving}, timeout=READY_SECONDS, return_when=asyncio.FIRST_COMPLETED
        )
        if probe not in done:
            probe.cancel()
            raise RuntimeError("the app did not start (see the log above)")
        if probe.result() != 200:
            raise RuntimeError(f"the app is not healthy: /healthz {probe.result()}")


async def _status(http: aiohttp.ClientSession, url: str) -> int:
    async with http.get(url) as response:
        return response.status


async def run_slack_bench(
    settings: Settings,
    requests: int,
    concurrency: int,
    progress: Progress,
    *,
    url: str | None = None,
) -> SlackFigures:
    """Serve the app here (or use the one at `url`), send the commands, count acks and replies.

    Raises:
        ConfigError: `url` was given without FORUMBOT_SLACK_SIGNING_SECRET to sign with.
    """
    secret = (
        _secret(settings) if url is not None else ""
    )  # checked before anything starts
    async with slack_stand_in() as stand_in:
        for user in USERS:
            stand_in.add_user(*user)
        bodies = [
            slash_command(i, stand_in.response_url(f"bench-{i}"))
            for i in range(requests)
        ]
        if url is not None:
            sent = await send_all(
                _events_url(url), secret, bodies, concurrency, progress
            )
            replies = await replies_received(stand_in, len(sent.ack_ms))
        else:
            sent, replies = await _here(
                settings, stand_in, bodies, concurrency, progress
            )
    return SlackFigures(requests, concurrency, sent, replies)


async def _here(
    settings: Settings,
    stand_in: SlackStandIn,
    bodies: list[str],
    concurrency: int,
    progress: Progress,
) -> tuple[Sent, int]:
    """Against the app served in this process, on a temporary database."""
    with tempfile.TemporaryDirectory() as tmp:
        local = local_settings(settings, Path(tmp), stand_in.url)
        upgrade_schema(local.effective_database_url)
        async with served(local) as base:
            sent = await send_all(
                _events_url(base), _secret(local), bodies, concurrency, progress
            )
            # before the app stops: its listeners are still sending the replies
            return sent, await replies_received(stand_in, len(sent.ack_ms))


def _events_url(url: str) -> str:
    base = url.rstrip("/")
    return base if base.endswith(EVENTS_PATH) else base + EVENTS_PATH


def _secret(settings: Settings) -> str:
    if settings.slack_signing_secret is None:
        raise ConfigError(
            "--url needs FORUMBOT_SLACK_SIGNING_SECRET: the signing secret of the app there"
        )
    return settings.slack_signing_secret.get_secret_value()
