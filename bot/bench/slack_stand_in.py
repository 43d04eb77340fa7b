"""A local stand-in for Slack's Web API: records every call and answers as Slack does.

The real `AsyncWebClient` talks to it over HTTP (point `FORUMBOT_SLACK_API_URL` at
`url`), so the bot's requests, retries and error handling are the real ones. Tests and
`forumbot bench slack` use it; it is never used in production. Faults are injected here,
not patched into our code: a method can answer `ratelimited` with a Retry-After, or any
Slack error, a set number of times, and can be made slow (`delay`).

For Socket Mode, `apps.connections.open` hands out `socket_url`, a websocket that says
"hello", carries the envelopes a test sends with `send_envelope`, and records each message
the bot sends back (its acks) as a "socket_ack" call and the end of the connection as
"socket_closed".
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import json
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web


@dataclass(frozen=True)
class Call:
    """One request the bot made: the API method (or "response_url") and its arguments."""

    method: str
    args: dict[str, Any]


@dataclass
class Fault:
    error: str
    times: int = 1
    retry_after: int | None = None  # only for "ratelimited": answered with HTTP 429


@dataclass
class SlackStandIn:
    """State of the stand-in: users it knows, calls it saw, faults to inject."""

    users: dict[str, dict[str, str]] = field(
        default_factory=dict
    )  # id -> {"email", "real_name"}
    calls: list[Call] = field(default_factory=list)
    faults: dict[str, list[Fault]] = field(default_factory=dict)
    delay: dict[str, float] = field(default_factory=dict)  # method -> seconds to answer
    delayed: Counter[str] = field(default_factory=Counter)  # calls held by `delay` now
    url: str = ""
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    _ts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _socket: web.WebSocketResponse | None = None

    def add_user(self, user_id: str, email: str, name: str) -> None:
        self.users[user_id] = {"email": email, "real_name": name}

    def fail(
        self, method: str, error: str, *, times: int = 1, retry_after: int | None = None
    ) -> None:
        self.faults.setdefault(method, []).append(Fault(error, times, retry_after))

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_for(self, method: str, count: int = 1) -> list[Call]:
        """Wait (on a condition, never a sleep) until `method` was called `count` times."""
        async with self._changed:
            await self._changed.wait_for(lambda: len(self.calls_to(method)) >= count)
        return self.calls_to(method)

    def response_url(self, name: str) -> str:
        return f"{self.url.removesuffix('/api/')}/response/{name}"

    @property
    def socket_url(self) -> str:
        return f"ws{self.url.removeprefix('http').removesuffix('/api/')}/link"

    async def send_envelope(self, kind: str, payload: dict[str, Any]) -> str:
        """Send a Socket Mode envelope once the bot is connected; returns its envelope_id."""
        async with self._changed:
            await self._changed.wait_for(lambda: self._socket is not None)
            socket = self._socket
        assert socket is not None
        envelope_id = f"envelope-{next(self._ts)}"
        await socket.send_json(
            {
                "envelope_id": envelope_id,
                "type": kind,
                "payload": payload,
                "accepts_response_payload": kind != "events_api",
            }
        )
        return envelope_id

    async def _connected(self, socket: web.WebSocketResponse | None) -> None:
        async with self._changed:
            self._socket = socket
            self._changed.notify_all()

    async def _record(self, call: Call) -> None:
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    def _fault(self, method: str) -> Fault | None:
        for fault in self.faults.get(method, []):
            if fault.times > 0:
                fault.times -= 1
                return fault
        return None

    def answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        """Slack's answer to a successful call (the subset of fields the bot reads)."""
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://example.slack.com/",
                "team": "Partnership",
                "user": "forumbot",
                "team_id": "T0PARTNER",
                "user_id": "U0BOT",
                "bot_id": "B0BOT",
            }
        if method == "users.info":
            user = self.users.get(str(args.get("user")))
            if user is None:
                return {"ok": False, "error": "user_not_found"}
            profile = {"email": user["email"], "real_name": user["real_name"]}
            return {
                "ok": True,
                "user": {
                    "id": args.get("user"),
                    "name": user["real_name"],
                    "profile": profile,
                },
            }
        if method == "chat.postMessage":
            return {
                "ok": True,
                "channel": args.get("channel"),
                "ts": f"1700000000.{next(self._ts):06d}",
            }
        if method in ("views.open", "views.publish", "views.update", "views.push"):
            return {
                "ok": True,
                "view": {"id": f"V{next(self._ts):08d}", **(args.get("view") or {})},
            }
        if method == "apps.connections.open":
            return {"ok": True, "url": self.socket_url}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": f"D{args.get('users', 'X')}"}}
        return {"ok": True}


async def _arguments(request: web.Request) -> dict[str, Any]:
    """Arguments from the query string (GET methods such as users.info) and the body."""
    if request.content_type == "application/json":
        parsed = await request.json()
        return {**request.query, **(parsed if isinstance(parsed, dict) else {})}
    args: dict[str, Any] = dict(request.query)
    for key, value in (await request.post()).items():
        text = str(value)
        try:  # slack_sdk form-encodes nested arguments (view, blocks) as JSON strings
            args[key] = json.loads(text) if text[:1] in "{[" else text
        except json.JSONDecodeError:
            args[key] = text
    return args


def _app(state: SlackStandIn) -> web.Application:
    async def api(request: web.Request) -> web.Response:
        method = request.match_info["method"]
        await state._record(Call(method, await _arguments(request)))
        if state.delay.get(
            method
        ):  # slow work, to show acknowledgements do not wait for it
            state.delayed[method] += 1
            try:
                await asyncio.sleep(state.delay[method])
            finally:
                state.delayed[method] -= 1
        fault = state._fault(method)
        if fault is not None and fault.error == "ratelimited":
            headers = {"Retry-After": str(fault.retry_after or 1)}
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers=headers
            )
        if fault is not None:
            return web.json_response({"ok": False, "error": fault.error})
        return web.json_response(state.answer(method, state.calls[-1].args))

    async def response_url(request: web.Request) -> web.Response:
        args = await _arguments(request)
        await state._record(
            Call("response_url", {**args, "_name": request.match_info["name"]})
        )
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_route("*", "/api/{method}", api)
    app.router.add_post("/response/{name}", response_url)
    app.router.add_get("/link", functools.partial(_link, state))
    return app


async def _link(state: SlackStandIn, request: web.Request) -> web.WebSocketResponse:
    """The Socket Mode websocket: hello, then envelopes out and acks in, until either side closes."""
    socket = web.WebSocketResponse()
    await socket.prepare(request)
    await socket.send_json(
        {
            "type": "hello",
            "num_connections": 1,
            "debug_info": {"host": "stand-in", "approximate_connection_time": 3600},
            "connection_info": {"app_id": "A0FORUMBOT"},
        }
    )
    await state._connected(socket)
    async for message in socket:
        if message.type == WSMsgType.TEXT:
            await state._record(Call("socket_ack", json.loads(message.data)))
    await state._connected(None)
    await state._record(Call("socket_closed", {"code": socket.close_code}))
    return socket


@asynccontextmanager
async def slack_stand_in(
    state: SlackStandIn | None = None,
) -> AsyncIterator[SlackStandIn]:
    """Serve the stand-in on 127.0.0.1 (a free port) in the running event loop."""
    state = state or SlackStandIn()
    runner = web.AppRunner(_app(state), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()  # listening once this returns
    port = runner.addresses[0][1]
    state.url = f"http://127.0.0.1:{port}/api/"
    try:
        yield state
    finally:
        if state._socket is not None:  # a bot still connected: hang up rather than wait
            await state._socket.close()
        await runner.cleanup()
