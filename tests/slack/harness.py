"""An errbot-style harness for the Slack app: signed requests in, the stand-in's record out.

`SlackBot` posts what Slack would post to `/slack/events` (slash commands, button clicks,
modal submissions, events), signed with the v0 scheme, to the real FastAPI app and its real
Bolt app; what the bot does in return shows up as calls on the Slack stand-in. Every wait is
on a condition (the stand-in's `wait_for`, or Bolt's listener tasks finishing), never a sleep.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI
from sqlmodel import col, select

from bot.bench.slack_stand_in import Call, SlackStandIn
from bot.runtime import Services
from bot.store.tables import OutboxMessage

SIGNING_SECRET = "8f14e45fceea167a5a36dedd4bea2543"
BOT_TOKEN = "xoxb-test"
FORUM_CHANNEL = "C0FORUM"
TEAM = "T0PARTNER"
APP_ID = "A0FORUMBOT"
WAIT = 10  # seconds: a bound on each wait, far above what a pass takes


@dataclass(frozen=True)
class User:
    id: str
    email: str
    name: str


CHAIR = User("U0CHAIR", "chair@partnership.example.org", "Chris Chair")
KIM = User("U0KIM", "kim@northshire.example.org", "Kim Lee")
SAM = User("U0SAM", "sam@northshire.example.org", "Sam Okafor")
USERS = (CHAIR, KIM, SAM)


def sign(body: str, timestamp: int, secret: str = SIGNING_SECRET) -> str:
    """Slack's v0 signature: HMAC-SHA256 over "v0:{timestamp}:{body}"."""
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def _is_listener(task: asyncio.Task[Any]) -> bool:
    """A Bolt listener running after its acknowledgement (process_before_response=False)."""
    name = str(getattr(task.get_coro(), "__qualname__", ""))
    return name.endswith("run_ack_function_asynchronously")


@dataclass
class SlackBot:
    """The app under test, driven like Slack drives it."""

    app: FastAPI
    http: httpx.AsyncClient
    api: SlackStandIn
    _n: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    last_reply_name: str = ""

    @property
    def services(self) -> Services:
        services: Services = self.app.state.services
        return services

    # --- raw requests

    async def post(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
    ) -> httpx.Response:
        """POST to /slack/events, signed correctly unless `signature` is given."""
        timestamp = int(time.time()) if timestamp is None else timestamp
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(timestamp),
            "X-Slack-Signature": signature or sign(body, timestamp),
        }
        return await self.http.post(
            "/slack/events", content=body.encode(), headers=headers
        )

    @staticmethod
    def command_body(
        user: User, text: str, *, response_url: str, trigger_id: str
    ) -> str:
        return urllib.parse.urlencode(
            {
                "token": "legacy-verification-token",
                "team_id": TEAM,
                "team_domain": "partnership",
                "channel_id": FORUM_CHANNEL,
                "channel_name": "forum",
                "user_id": user.id,
                "user_name": user.name.split()[0].lower(),
                "command": "/forum",
                "text": text,
                "api_app_id": APP_ID,
                "is_enterprise_install": "false",
                "response_url": response_url,
                "trigger_id": trigger_id,
            }
        )

    async def _interaction(self, payload: dict[str, Any]) -> httpx.Response:
        body = urllib.parse.urlencode({"payload": json.dumps(payload)})
        return await self.post(body, "application/x-www-form-urlencoded")

    @staticmethod
    def _user(user: User) -> dict[str, str]:
        return {
            "id": user.id,
            "username": user.name.split()[0].lower(),
            "name": user.name.split()[0].lower(),
            "team_id": TEAM,
        }

    # --- what Slack sends

    async def command(self, user: User, text: str) -> httpx.Response:
        """`/forum <text>` typed by `user`; its replies go to the response URL `last_reply_name`."""
        n = next(self._n)
        self.last_reply_name = f"command-{n}"
        body = self.command_body(
            user,
            text,
            response_url=self.api.response_url(self.last_reply_name),
            trigger_id=f"{n}.trigger",
        )
        return await self.post(body, "application/x-www-form-urlencoded")

    async def action(
        self,
        user: User,
        action_id: str,
        *,
        block_id: str = "membership",
        value: str | None = None,
    ) -> httpx.Response:
        """A click on an App Home button (no response URL: the home tab has none)."""
        n = next(self._n)
        return await self._interaction(
            {
                "type": "block_actions",
                "user": self._user(user),
                "api_app_id": APP_ID,
                "token": "legacy-verification-token",
                "container": {"type": "view", "view_id": f"V0HOME{n}"},
                "trigger_id": f"{n}.trigger",
                "team": {"id": TEAM, "domain": "partnership"},
                "is_enterprise_install": False,
                "view": {"id": f"V0HOME{n}", "type": "home", "team_id": TEAM},
                "actions": [
                    {
                        "type": "button",
                        "action_id": action_id,
                        "block_id": block_id,
                        "value": value or action_id,
                        "action_ts": f"{time.time():.6f}",
                    }
                ],
            }
        )

    async def message_action(
        self,
        user: User,
        action_id: str,
        value: str,
        *,
        message: dict[str, Any],
        block_id: str = "answer",
    ) -> httpx.Response:
        """A click on a button in a message the bot posted (`message`: its chat.postMessage
        arguments); its replies go to the response URL `last_reply_name`."""
        n = next(self._n)
        self.last_reply_name = f"action-{n}"
        channel = str(message["channel"])
        ts = str(message.get("ts") or f"1700000000.{n:06d}")
        return await self._interaction(
            {
                "type": "block_actions",
                "user": self._user(user),
                "api_app_id": APP_ID,
                "token": "legacy-verification-token",
                "container": {
                    "type": "message",
                    "message_ts": ts,
                    "channel_id": channel,
                    "is_ephemeral": False,
                },
                "trigger_id": f"{n}.trigger",
                "team": {"id": TEAM, "domain": "partnership"},
                "is_enterprise_install": False,
                "channel": {"id": channel, "name": "directmessage"},
                "message": {
                    "type": "message",
                    "user": "U0BOT",
                    "ts": ts,
                    "text": message.get("text", ""),
                    "blocks": message.get("blocks", []),
                },
                "response_url": self.api.response_url(self.last_reply_name),
                "actions": [
                    {
                        "type": "button",
                        "action_id": action_id,
                        "block_id": block_id,
                        "value": value,
                        "action_ts": f"{time.time():.6f}",
                    }
                ],
            }
        )

    async def view_submission(
        self, user: User, callback_id: str, state_values: dict[str, Any]
    ) -> httpx.Response:
        """A modal's Submit button."""
        n = next(self._n)
        return await self._interaction(
            {
                "type": "view_submission",
                "team": {"id": TEAM, "domain": "partnership"},
                "user": self._user(user),
                "api_app_id": APP_ID,
                "token": "legacy-verification-token",
                "trigger_id": f"{n}.trigger",
                "is_enterprise_install": False,
                "view": {
                    "id": f"V0MODAL{n}",
                    "team_id": TEAM,
                    "type": "modal",
                    "callback_id": callback_id,
                    "private_metadata": "",
                    "state": {"values": state_values},
                    "hash": f"{n}.hash",
                    "app_id": APP_ID,
                },
                "response_urls": [],
            }
        )

    async def event(self, event: dict[str, Any]) -> httpx.Response:
        """An Events API callback carrying `event`."""
        n = next(self._n)
        body = {
            "token": "legacy-verification-token",
            "team_id": TEAM,
            "api_app_id": APP_ID,
            "event": event,
            "type": "event_callback",
            "event_id": f"Ev{n:08d}",
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": TEAM,
                    "user_id": "U0BOT",
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
        }
        return await self.post(json.dumps(body), "application/json")

    # --- what the bot did

    async def wait_for(self, method: str, count: int = 1) -> list[Call]:
        async with asyncio.timeout(WAIT):
            return await self.api.wait_for(method, count)

    async def reply(self, name: str | None = None) -> dict[str, Any]:
        """What the bot posted to a command's response URL (the latest command by default)."""
        name = name or self.last_reply_name
        count = 1
        async with asyncio.timeout(WAIT):
            while True:
                calls = await self.api.wait_for("response_url", count)
                for call in calls:
                    if call.args["_name"] == name:
                        return call.args
                count = len(calls) + 1

    async def settle(self) -> None:
        """Wait until every listener Bolt runs after acknowledging has finished."""
        me = asyncio.current_task()
        async with asyncio.timeout(WAIT):
            while running := [
                task
                for task in asyncio.all_tasks()
                if task is not me and _is_listener(task)
            ]:
                await asyncio.wait(running)

    async def outbox(self) -> list[OutboxMessage]:
        async with self.services.sessions() as session:
            rows = await session.exec(
                select(OutboxMessage).order_by(col(OutboxMessage.id))
            )
            return list(rows.all())


def reply_text(reply: dict[str, Any]) -> str:
    """A reply's text and the text of its blocks, for assertions on what a person sees."""
    parts = [str(reply.get("text") or "")]
    parts += [
        str((block.get("text") or {}).get("text", ""))
        for block in reply.get("blocks") or []
    ]
    return "\n".join(parts)


def button_ids(view: dict[str, Any]) -> list[str]:
    return [
        element["action_id"]
        for block in view.get("blocks", [])
        if block.get("type") == "actions"
        for element in block["elements"]
    ]


def state(**values: dict[str, Any]) -> dict[str, Any]:
    """`view.state.values` as Slack submits it: block id -> {"value": element state}."""
    return {block_id: {"value": element} for block_id, element in values.items()}


def typed(text: str) -> dict[str, Any]:
    return {"type": "plain_text_input", "value": text}


def picked(value: str) -> dict[str, Any]:
    return {"type": "static_select", "selected_option": {"value": value}}


def ticked(*values: str, kind: str = "checkboxes") -> dict[str, Any]:
    return {"type": kind, "selected_options": [{"value": v} for v in values]}
