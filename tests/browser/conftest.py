"""Browser fixtures: the real app under uvicorn on a free port, mailing the test's SMTP server, and Chromium.

No Playwright browser download is possible here, so tests drive Debian's Chromium. Test
modules skip themselves when Playwright is not installed; `browser_page` skips when
Chromium is missing.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import socket
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import uvicorn
from pydantic import AnyHttpUrl
from sqlalchemy import func
from sqlmodel import SQLModel, select

from bot.domain import members as m
from bot.runtime import Services
from bot.settings import Admin, Settings
from bot.store.db import upgrade_schema
from bot.store.tables import Member
from bot.web.app import create_app
from tests.servers.smtp import SmtpServer

if TYPE_CHECKING:
    from playwright.async_api import Page

# Without the networking switches Chromium phones home, and this machine refuses that.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ORGANISATIONS = [
    "Birmingham Children's Trust",
    "West Midlands Police",
    "Education: Primary school",
]
TOPICS = [
    "Neglect",
    "Domestic abuse",
    "Early help",
    "Child sexual and criminal exploitation",
]
CHAIR = "chair@example.org"
WAIT_SECONDS = 15


@dataclass
class LiveApp:
    """The running app as a browser sees it, plus what a test checks behind its back."""

    base_url: str
    services: Services
    smtpd: SmtpServer

    async def member(self, email: str) -> Member | None:
        """A fresh read of the member record (a new session, so nothing is cached)."""
        async with self.services.sessions() as session:
            return await m.find_member(session, email)

    async def member_in(self, email: str, status: str) -> Member:
        """The member record, which must exist and have `status`."""
        member = await self.member(email)
        assert member is not None, f"no member {email}"
        assert member.status == status, f"{email} is {member.status}, not {status}"
        return member

    async def count(self, table: type[SQLModel]) -> int:
        async with self.services.sessions() as session:
            return int(
                (await session.exec(select(func.count()).select_from(table))).one()
            )

    async def email(self, number: int) -> EmailMessage:
        """The `number`th message (from 1) the SMTP server received, once it has arrived."""
        async with asyncio.timeout(WAIT_SECONDS):
            await self.smtpd.handler.wait_for_messages(number)
        return self.smtpd.messages[number - 1].parsed()

    async def email_to(self, number: int, address: str) -> EmailMessage:
        """As `email`, checking that the message went to `address`."""
        message = await self.email(number)
        assert [a.addr_spec for a in message["To"].addresses] == [address]
        return message

    def link_in(self, message: EmailMessage, path: str) -> str:
        """The one link to `path` (such as '/confirm/') in the plain-text part of `message`."""
        body = message.get_body(preferencelist=("plain",))
        assert body is not None, "the email has no text/plain part"
        text = str(body.get_content())
        links: set[str] = set(
            re.findall(re.escape(self.base_url + path) + r"[^\s<>\"]+", text)
        )
        assert len(links) == 1, f"expected one {path} link in:\n{text}"
        return links.pop()


@pytest.fixture
async def live_app(settings: Settings, smtpd: SmtpServer) -> AsyncIterator[LiveApp]:
    """The real app (lifespan, delivery worker, scheduler) served by uvicorn on 127.0.0.1.

    The socket is bound first so that `base_url`, which goes into every emailed link, names
    the port the browser will use.
    """
    upgrade_schema(settings.effective_database_url)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind(("127.0.0.1", 0))
        base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        live = settings.model_copy(
            update={
                "base_url": AnyHttpUrl(base_url),
                "smtp_host": smtpd.host,
                "smtp_port": smtpd.port,
                "organisations": ORGANISATIONS,
                "topics": TOPICS,
                "admins": [Admin(email=CHAIR, roles=["chair"])],
                "delivery_poll_seconds": 0.2,
            }
        )
        app = create_app(live)
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            log_level="warning",
            lifespan="on",
            ws="none",
            timeout_graceful_shutdown=3,  # a browser keep-alive must not hold teardown
        )
        server = uvicorn.Server(config)
        serving = asyncio.create_task(server.serve(sockets=[sock]))
        try:
            async with asyncio.timeout(WAIT_SECONDS):
                while not server.started:
                    if serving.done():
                        raise RuntimeError(
                            "uvicorn stopped while starting; see the log above"
                        )
                    await asyncio.sleep(0.02)
            services: Services = app.state.services
            yield LiveApp(base_url, services, smtpd)
        finally:
            server.should_exit = True
            async with asyncio.timeout(WAIT_SECONDS):
                await serving
    finally:
        sock.close()


@asynccontextmanager
async def chromium_page(*, javascript: bool) -> AsyncIterator[Page]:
    """A page in headless Debian Chromium (the test is skipped where it is not installed)."""
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("Debian's Chromium is not installed (apt-get install chromium)")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium, headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = await browser.new_context(
                java_script_enabled=javascript, viewport={"width": 1100, "height": 900}
            )
            context.set_default_timeout(WAIT_SECONDS * 1000)
            yield await context.new_page()
        finally:
            await browser.close()


@pytest.fixture
async def browser_page() -> AsyncIterator[Page]:
    """A page in headless Chromium with JavaScript off: every public page must work without it."""
    async with chromium_page(javascript=False) as page:
        yield page


@pytest.fixture
async def scripted_page() -> AsyncIterator[Page]:
    """A page with JavaScript on, for what a page's own script adds (it must work without)."""
    async with chromium_page(javascript=True) as page:
        yield page


async def screenshot(page: Page, name: str, tmp_path: Path) -> Path:
    """Save a full-page screenshot in the test's directory and as /tmp/forumbot-NAME.png."""
    path = tmp_path / f"{name}.png"
    await page.screenshot(path=path, full_page=True)
    shutil.copyfile(path, f"/tmp/forumbot-{name}.png")
    return path


class _Anchors(HTMLParser):
    """What a page's labels, links and ARIA references point at."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: Counter[str] = Counter()
        self.controls: set[str] = set()
        self.references: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        given = {name: value or "" for name, value in attrs}
        if given.get("id"):
            self.ids[given["id"]] += 1
            if tag in ("input", "select", "textarea"):
                self.controls.add(given["id"])
        if tag == "label" and given.get("for"):
            self.references.append(("label", given["for"]))
        if tag == "a" and given.get("href", "").startswith("#"):
            self.references.append(("link", given["href"][1:]))
        for target in given.get("aria-describedby", "").split():
            self.references.append(("aria-describedby", target))


def check_html(html: str) -> None:
    """Ids are unique, and every label, in-page link and description names something real.

    A label pointing at a duplicated id ticks nothing when clicked and means nothing to a
    screen reader, so this is checked on every page the journeys visit.
    """
    anchors = _Anchors()
    anchors.feed(html)
    duplicated = [i for i, n in anchors.ids.items() if n > 1]
    assert not duplicated, f"ids used more than once: {duplicated}"
    for kind, target in anchors.references:
        wanted = anchors.controls if kind == "label" else anchors.ids
        assert target in wanted, (
            f"{kind} points at {target!r}, which is not on the page"
        )


async def arrive(page: Page, title: str) -> None:
    """Wait for the page whose heading is `title`, then check its HTML holds together."""
    from playwright.async_api import expect

    await expect(page.get_by_role("heading", level=1)).to_have_text(title)
    check_html(await page.content())
