"""List mail carries working links: one-click unsubscribe (RFC 8058) and the preferences page."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest

import jobs.members
from bot.domain import members as m
from bot.domain import membership
from bot.domain.outgoing import queue_emails
from bot.runtime import Services, open_services
from bot.settings import Settings
from bot.store.db import upgrade_schema
from bot.store.tables import Bounce, Member
from bot.web.app import create_app
from tests.servers.smtp import SmtpServer


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


async def _member(services: Services, address: str) -> Member:
    async with services.sessions() as session:
        member, _ = await membership.add_member(
            session,
            services.mailroom,
            email=address,
            profile=m.Profile(name="Kim Lee"),
            now=services.clock.now(),
        )
    return member


async def test_list_mail_unsubscribes_in_one_click(
    app_services: tuple[Services, httpx.AsyncClient], smtpd: SmtpServer
) -> None:
    services, http = app_services
    member = await _member(services, "kim@example.org")
    email = services.mailroom.list_email(
        member,
        key="briefing:1:kim",
        template="forum_update",
        campaign="briefing:1",
        context={
            "headline": "Learning briefing",
            "body": "Key learning.",
            "link_url": None,
            "link_text": "",
        },
    )
    async with services.sessions() as session:
        await queue_emails(
            session,
            [email],
            sender=services.sender,
            renderer=services.renderer,
            now=services.clock.now(),
        )
        await session.commit()
    await services.delivery_worker().drain()

    (received,) = smtpd.messages
    message = received.parsed()
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = re.search(
        r"<(http[^>]+/unsubscribe/[^>]+)>", str(message["List-Unsubscribe"])
    )
    assert unsubscribe is not None
    text = message.get_body(preferencelist=("plain",))
    assert text is not None and "/preferences/" in str(text.get_content())

    path = unsubscribe.group(1).split("127.0.0.1:8000", 1)[1]
    page = await http.get(path.replace("/unsubscribe/", "/preferences/", 1))
    assert (
        page.status_code == 400
    )  # a token for unsubscribing does not open the preferences page
    answer = await http.post(path, data={"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200
    async with services.sessions() as session:
        left = await m.get_member(session, "kim@example.org")
    assert left.status == m.UNSUBSCRIBED


async def test_the_bounce_job_marks_members_at_the_threshold(
    mail_settings: Settings,
) -> None:
    """Hard bounces recorded by delivery reach members through the scheduled job."""
    upgrade_schema(mail_settings.effective_database_url)
    settings = mail_settings.model_copy(update={"bounce_threshold": 2})
    async with open_services(settings) as services:
        await _member(services, "lee@example.org")
        async with services.sessions() as session:
            for code in (550, 551):
                session.add(
                    Bounce(
                        recipient="lee@example.org",
                        code=code,
                        reason="user unknown",
                        created_at=services.clock.now(),
                    )
                )
            await session.commit()
        assert await jobs.members.apply_bounces() == 1
        assert await jobs.members.apply_bounces() == 0  # idempotent
        async with services.sessions() as session:
            assert (await m.get_member(session, "lee@example.org")).status == m.BOUNCED
