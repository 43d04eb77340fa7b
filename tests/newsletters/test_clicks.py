"""Click tracking: off by default; when on, items' links go through a signed `/c/` redirect
that counts a click for the campaign and goes nowhere the bot did not point."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from bot.domain import campaigns
from bot.domain import newsletters as nl
from bot.runtime import Services
from bot.settings import Settings
from bot.store.db import upgrade_schema
from bot.web.app import create_app
from tests.domain.mailbox import outbox_rows, plain_text
from tests.newsletters.kit import add_members, new_issue, publish_briefing, send

BRIEFING = "http://127.0.0.1:8000/briefings/child-h"


@pytest.fixture
async def site(
    mail_settings: Settings, request: pytest.FixtureRequest
) -> AsyncIterator[tuple[Services, httpx.AsyncClient]]:
    settings = mail_settings.model_copy(update={"click_tracking": request.param})
    upgrade_schema(settings.effective_database_url)
    app = create_app(settings, background=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver"
        ) as http:
            yield app.state.services, http


async def _issue(services: Services) -> int:
    """One member, and an issue carrying one briefing (published in its period)."""
    await add_members(services, 1)
    issue = await new_issue(services)
    await publish_briefing(services, "Child H", at=issue.period_start)
    return issue.id or 0


@pytest.mark.parametrize("site", [False], indirect=True)
async def test_links_are_left_alone_by_default(
    site: tuple[Services, httpx.AsyncClient],
) -> None:
    services, _http = site
    assert Settings(_env_file=None).click_tracking is False
    await send(services, await _issue(services))  # as the CLI and job do with it off
    [row] = await outbox_rows(services)
    text = plain_text(row.payload)
    assert BRIEFING in text and "/c/" not in text


@pytest.mark.parametrize("site", [True], indirect=True)
async def test_a_tracked_link_counts_and_redirects_only_where_signed(
    site: tuple[Services, httpx.AsyncClient],
) -> None:
    services, http = site
    issue = await _issue(services)
    await send_tracked(services, issue)
    [row] = await outbox_rows(services)
    text = plain_text(row.payload)
    assert BRIEFING not in text
    [tracked] = re.findall(r"http://127\.0\.0\.1:8000(/c/[A-Za-z0-9_.\-]+)", text)

    answer = await http.get(tracked)
    assert (answer.status_code, answer.headers["location"]) == (302, BRIEFING)
    edited = await http.get(tracked[:-2] + "xx")
    assert edited.status_code == 400 and "location" not in edited.headers
    other = services.links.token("rsvp", ["issue", "https://evil.example.org"])
    assert (await http.get(f"/c/{other}")).status_code == 400
    async with services.sessions() as session:
        report = await campaigns.campaign_report(session, "newsletter:2026-04")
    assert report.clicks == 1


async def send_tracked(services: Services, ref: int) -> None:
    await nl.send_newsletter(
        services.sessions,
        services.mailroom,
        ref,
        zone=services.settings.zone,
        now=services.clock.now,
        track_clicks=services.settings.click_tracking,
    )
