"""Campaign reports: queued, sent, failed, bounced, and the unsubscribes a campaign caused,
counted when a member leaves through the link in that campaign's email (page or one click)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from bot.domain import campaigns
from bot.runtime import Services
from bot.settings import Settings
from bot.store.db import upgrade_schema
from bot.store.tables import Bounce
from bot.web.app import create_app
from tests.domain.mailbox import outbox_rows, parse
from tests.newsletters.kit import add_members, new_issue, send


@pytest.fixture
async def app_services(
    mail_settings: Settings,
) -> AsyncIterator[tuple[Services, httpx.AsyncClient]]:
    upgrade_schema(mail_settings.effective_database_url)
    app = create_app(mail_settings, background=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver"
        ) as http:
            yield app.state.services, http


def _path(url: str) -> str:
    return url.split("127.0.0.1:8000", 1)[1]


@pytest.mark.usefixtures("smtpd")
async def test_the_report_counts_delivery_bounces_and_unsubscribes_it_caused(
    app_services: tuple[Services, httpx.AsyncClient],
) -> None:
    services, http = app_services
    await add_members(services, 4)
    issue = await new_issue(services)
    await send(services, issue.id or 0)
    await services.delivery_worker().drain()
    rows = await outbox_rows(services)
    links = {
        r.recipient: str(parse(r.payload)["List-Unsubscribe"]).strip("<>") for r in rows
    }
    async with services.sessions() as session:
        session.add(
            Bounce(recipient=rows[3].recipient, outbox_id=rows[3].id, reason="unknown")
        )
        await session.commit()

    # One click (RFC 8058), and the page's button (CSRF form), both carry the campaign.
    one_click = await http.post(
        _path(links["member0@example.org"]), data={"List-Unsubscribe": "One-Click"}
    )
    assert one_click.status_code == 200
    page = await http.get(_path(links["member1@example.org"]))
    csrf = page.text.split('name="csrf_token" type="hidden" value="', 1)[1].split(
        '"', 1
    )[0]
    left = await http.post(
        _path(links["member1@example.org"]), data={"csrf_token": csrf}
    )
    assert left.status_code == 200 and "csrf" not in left.text.lower()
    again = await http.post(
        _path(links["member0@example.org"]), data={"List-Unsubscribe": "One-Click"}
    )
    assert again.status_code == 200  # already left: not counted twice
    # An edited link naming a campaign that never mailed this member counts for nothing.
    forged = _path(links["member2@example.org"]).split("?")[0] + "?c=poll%3A9"
    assert (
        await http.post(forged, data={"List-Unsubscribe": "One-Click"})
    ).status_code == 200

    async with services.sessions() as session:
        report = await campaigns.campaign_report(session, issue.campaign)
        everything = await campaigns.campaign_reports(session)
    assert (report.queued, report.sent, report.failed, report.bounced) == (4, 4, 0, 1)
    assert report.unsubscribes == 2 and report.clicks == 0
    assert [r.campaign for r in everything] == [issue.campaign]
