"""`forumbot bench newsletter`: an issue to N members through a real SMTP server.

The queuing runs as `forumbot newsletter send` in a child process, optionally SIGKILLed
after `kill_after` members and run again; then a delivery worker (another process) sends
everything to an SMTP sink (a third). The figures say whether every member got exactly one
copy whose unsubscribe link is their own, and a sample of links is followed through the
web app to check each really unsubscribes its member.
"""

from __future__ import annotations

import logging
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func
from sqlmodel import col, select

from bot.bench.newsletter_parts import link_sink, send_environment, send_process
from bot.bench.send import peak_rss_mb, wait_until_delivered, worker_in_process
from bot.domain import newsletters as nl
from bot.domain.links import Links, fingerprint
from bot.runtime import Services, open_services
from bot.settings import Settings
from bot.store.db import upgrade_schema
from bot.store.tables import Briefing, Member, OutboxMessage, Unsubscribe
from bot.web.app import create_app

BATCH = 200
SAMPLE = 25  # unsubscribe links followed through the web app


@dataclass(frozen=True)
class Checked:
    """What the sink received, against who should have had one copy each."""

    sent: int
    duplicates: int
    missing: int
    wrong_links: int
    links_checked: int


@dataclass(frozen=True)
class NewsletterFigures:
    members: int
    queued: int
    queued_at_kill: int | None
    checked: Checked
    unsubscribes_followed: int
    queue_seconds: float
    deliver_seconds: float
    peak_rss_mb: float

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data.update(data.pop("checked"))
        for key in ("queue_seconds", "deliver_seconds", "peak_rss_mb"):
            data[key] = round(data[key], 2)
        return data


async def seed(services: Services, n: int) -> tuple[str, dict[str, int]]:
    """N active members, a briefing in the issue's period and the issue's draft."""
    now = services.clock.now()
    async with services.sessions() as session:
        row, _ = await nl.create_draft(
            session,
            month=nl.month_of(now, services.settings.zone),
            zone=services.settings.zone,
            now=now,
        )
        session.add(
            Briefing(
                slug="bench-briefing",
                kind="learning_lessons",
                title="Learning from Child H",
                summary="Professional curiosity and the voice of the child.",
                status="published",
                published_at=row.period_start + timedelta(days=3),
            )
        )
        session.add_all(
            Member(
                email=f"reader{i}@bench.example.org",
                name=f"Reader {i}",
                status="active",
                topics=["Neglect"],
                consent_at=now,
                consent_method="bench",
            )
            for i in range(n)
        )
        await session.commit()
        found = await session.exec(select(Member.email, Member.id))
        return row.campaign, {str(e): int(i or 0) for e, i in found.all()}


def check_copies(
    received: dict[str, list[str]], members: dict[str, int], links: Links
) -> Checked:
    """Each member exactly one copy, and that copy's unsubscribe link signed for them."""
    wrong = checked = 0
    for address, urls in received.items():
        for url in urls:
            token = url.split("?", 1)[0].rsplit("/", 1)[-1]
            member_id, print_ = links.read_member("unsubscribe", token)
            ok = members.get(address) == member_id and print_ == fingerprint(address)
            wrong, checked = wrong + (not ok), checked + 1
    return Checked(
        sent=sum(len(v) for v in received.values()),
        duplicates=sum(len(v) - 1 for v in received.values() if len(v) > 1),
        missing=len(members.keys() - received.keys()),
        wrong_links=wrong,
        links_checked=checked,
    )


async def follow_unsubscribes(settings: Settings, urls: list[str]) -> int:
    """POST each link as a mail client's one-click unsubscribe does; how many members left."""
    base = str(settings.base_url).rstrip("/")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request otherwise
    app = create_app(settings, background=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=base) as http:
            for url in urls:
                answer = await http.post(
                    url.removeprefix(base), data={"List-Unsubscribe": "One-Click"}
                )
                answer.raise_for_status()
        services: Services = app.state.services
        async with services.sessions() as session:
            left = select(func.count()).where(col(Member.status) == "unsubscribed")
            return int((await session.exec(left)).one())


async def count_of(services: Services, model: Any, campaign: str) -> int:
    """Rows of `model` (OutboxMessage, Unsubscribe) for the campaign."""
    async with services.sessions() as session:
        statement = select(func.count()).where(col(model.campaign) == campaign)
        return int((await session.exec(statement)).one())


async def queue_with_kill(
    settings: Settings,
    services: Services,
    folder: Path,
    campaign: str,
    kill_after: int | None,
    batch: int = BATCH,
) -> int | None:
    """Run the send command; SIGKILL it after `kill_after` members and run it again.
    Returns how many members it had committed when killed (None if not killed)."""
    env = send_environment(settings, folder / "no-config.toml")
    at_kill = None
    if kill_after:
        async with send_process(env, folder, campaign, batch) as first:
            if await first.wait_done(kill_after) and await first.kill() < 0:
                at_kill = await count_of(services, OutboxMessage, campaign)
    resume = send_process(env, folder, campaign, batch, take_over=at_kill is not None)
    async with resume as second:
        if await second.wait() != 0:
            raise RuntimeError(f"the resumed send failed:\n{second.output}")
    return at_kill


async def deliver(settings: Settings, services: Services, port: int) -> float:
    """Seconds for a delivery worker in its own process to send everything to the sink."""
    async with worker_in_process(settings, port):
        started = time.perf_counter()
        await wait_until_delivered(services.sessions, lambda _done: None)
        return time.perf_counter() - started


async def run_newsletter_bench(
    settings: Settings, n: int, kill_after: int | None
) -> NewsletterFigures:
    """On a fresh SQLite database in a temporary folder, never the configured one."""
    with tempfile.TemporaryDirectory() as tmp, link_sink() as sink:
        folder = Path(tmp)
        settings = settings.model_copy(
            update={"data_dir": folder / "data", "database_url": None}
        )
        upgrade_schema(settings.effective_database_url)
        async with open_services(settings, transports={}) as services:
            campaign, members = await seed(services, n)
            started = time.perf_counter()
            at_kill = await queue_with_kill(
                settings, services, folder, campaign, kill_after
            )
            queue_seconds = time.perf_counter() - started
            async with services.sessions() as session:
                queued = (await nl.get_newsletter(session, campaign)).recipients
            deliver_seconds = await deliver(settings, services, sink.port)
            received: dict[str, list[str]] = sink.snapshot()
            checked = check_copies(received, members, services.links)
            sample = [urls[0] for _, urls in sorted(received.items())[:SAMPLE]]
            left = await follow_unsubscribes(settings, sample)
            counted = await count_of(services, Unsubscribe, campaign)
    return NewsletterFigures(
        n,
        queued,
        at_kill,
        checked,
        min(left, counted),
        queue_seconds,
        deliver_seconds,
        peak_rss_mb(),
    )
