"""A real HTTP server (aiohttp) on 127.0.0.1, port 0, serving feed files from tests/data/feeds.

It behaves like the feeds the bot meets in the wild: validators (ETag, Last-Modified) and
304 Not Modified when a conditional request's validators match, a malformed feed, a web
page instead of a feed, a server error, a feed too large, and one that never answers in
time. Every request's conditional headers are recorded, so tests can check what the bot
sent. The slow feed waits on an event, not a timer; it is released when the server stops.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

DATA = Path(__file__).parent.parent / "data" / "feeds"
LAST_MODIFIED = "Tue, 24 Feb 2026 12:00:00 GMT"
TYPES = {
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".xml": "application/xml",
    ".html": "text/html; charset=utf-8",
}


@dataclass(frozen=True)
class Seen:
    """One request as the server saw it."""

    path: str
    if_none_match: str | None
    if_modified_since: str | None
    status: int


@dataclass
class FeedServer:
    """`files` maps a served name to a fixture file; a test may point a name elsewhere to
    publish a new version of the feed (its ETag changes with its content)."""

    base: str = ""
    files: dict[str, str] = field(
        default_factory=lambda: {
            "news.rss": "news.rss",
            "panel.atom": "panel.atom",
            "broken.xml": "broken.xml",
            "recoverable.rss": "recoverable.rss",
            "page.html": "not-a-feed.html",
        }
    )
    seen: list[Seen] = field(default_factory=list)
    slow_started: asyncio.Event = field(default_factory=asyncio.Event)
    release_slow: asyncio.Event = field(default_factory=asyncio.Event)

    def url(self, name: str) -> str:
        return f"{self.base}/{name}"

    def requests_for(self, name: str) -> list[Seen]:
        return [s for s in self.seen if s.path == f"/{name}"]


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:16] + '"'


def _fresh(request: web.Request, etag: str) -> bool:
    """RFC 9110: If-None-Match wins when present; else If-Modified-Since is compared."""
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        return etag in [t.strip() for t in if_none_match.split(",")]
    return request.headers.get("If-Modified-Since") == LAST_MODIFIED


def _app(server: FeedServer) -> web.Application:
    def record(request: web.Request, status: int) -> None:
        server.seen.append(
            Seen(
                request.path,
                request.headers.get("If-None-Match"),
                request.headers.get("If-Modified-Since"),
                status,
            )
        )

    async def served(request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if name not in server.files:
            record(request, 404)
            return web.Response(status=404, text="not found")
        body = (DATA / server.files[name]).read_bytes()
        etag = _etag(body)
        headers = {"ETag": etag, "Last-Modified": LAST_MODIFIED}
        if _fresh(request, etag):
            record(request, 304)
            return web.Response(status=304, headers=headers)
        record(request, 200)
        content_type = TYPES[Path(server.files[name]).suffix]
        headers["Content-Type"] = content_type
        return web.Response(body=body, headers=headers)

    async def slow(request: web.Request) -> web.Response:
        record(request, 200)
        server.slow_started.set()
        await server.release_slow.wait()
        return web.Response(body=(DATA / "news.rss").read_bytes())

    async def failing(request: web.Request) -> web.Response:
        record(request, 500)
        return web.Response(status=500, text="Internal Server Error")

    async def huge(request: web.Request) -> web.StreamResponse:
        """Six megabytes, chunked (no Content-Length), so only counting can stop it."""
        record(request, 200)
        response = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
        await response.prepare(request)
        chunk = b"<!-- padding -->" * 4096
        try:
            for _ in range(6 * 1024 * 1024 // len(chunk) + 1):
                await response.write(chunk)
        except (ConnectionResetError, ConnectionError):
            pass  # the client gave up, as it should
        return response

    app = web.Application()
    app.router.add_get("/slow.xml", slow)
    app.router.add_get("/error.xml", failing)
    app.router.add_get("/huge.xml", huge)
    app.router.add_get("/{name}", served)
    return app


@asynccontextmanager
async def feed_server() -> AsyncIterator[FeedServer]:
    """Serve the fixture feeds on 127.0.0.1 (a free port) in the running event loop."""
    server = FeedServer()
    runner = web.AppRunner(_app(server), access_log=None, shutdown_timeout=1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server.base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        yield server
    finally:
        server.release_slow.set()
        await runner.cleanup()


@contextmanager
def feed_server_thread() -> Iterator[FeedServer]:
    """The same server in a thread of its own, for code that runs its own event loop (the
    command line's `asyncio.run`)."""
    loop = asyncio.new_event_loop()
    ready, started = threading.Event(), []
    stop = asyncio.Event()

    async def serve() -> None:
        async with feed_server() as server:
            started.append(server)
            ready.set()
            await stop.wait()

    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),))
    thread.start()
    try:
        if not ready.wait(10):
            raise RuntimeError("the feed server did not start")
        yield started[0]
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(10)
        loop.close()
