"""The web app: health, the front page, and mail the worker delivers to the local catcher."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bot.domain.outgoing import Email, queue_emails
from bot.host import Background, run_background
from bot.outbox import queue
from bot.runtime import Services
from bot.scheduling import Leadership
from bot.settings import Settings
from bot.web.app import create_app

ZERO_COUNTS = dict.fromkeys(queue.STATUSES, 0)


def _services(app: FastAPI) -> Services:
    services: Services = app.state.services
    return services


async def _queue_test_email(services: Services, *, name: str, to: str) -> None:
    async with services.sessions() as session:
        added = await queue_emails(
            session,
            [
                Email(
                    key=f"web:{to}",
                    to_name=name,
                    to_address=to,
                    template="test_message",
                    context={"sent_at": "now"},
                )
            ],
            sender=services.sender,
            renderer=services.renderer,
            now=services.clock.now(),
        )
        await session.commit()
    assert added == 1


def test_healthz_with_everything_running(web_settings: Settings) -> None:
    app = create_app(web_settings)
    with TestClient(app) as client:
        response = client.get("/healthz")
        running = app.state.background
        assert isinstance(running, Background)
        assert running.worker is not None and running.scheduler is not None
        assert isinstance(running.catcher_port, int) and running.catcher_port > 0
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["outbox"] == ZERO_COUNTS
    assert body["scheduler"] in {
        "leader",
        "standby",
    }  # the lease is taken in the background
    assert body["mail"] == "catcher"


def test_healthz_without_background_parts(web_settings: Settings) -> None:
    relay = web_settings.model_copy(update={"smtp_host": "relay.example.org"})
    with TestClient(create_app(relay, background=False)) as client:
        body = client.get("/healthz").json()
    assert (body["status"], body["scheduler"], body["mail"]) == ("ok", "off", "relay")


def test_home_page_renders(web_settings: Settings) -> None:
    with TestClient(create_app(web_settings, background=False)) as client:
        response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert '<html lang="en-GB">' in page
    assert f"{web_settings.partnership_short_name} Practitioner Forum" in page
    assert 'href="/healthz"' in page
    assert 'href="/mail"' in page  # no relay: the caught-mail page is offered


async def test_healthz_tells_leader_from_standby(
    started_app: FastAPI, client: httpx.AsyncClient
) -> None:
    services = _services(started_app)

    def leadership(holder: str) -> Leadership:
        return Leadership(
            sessions=services.sessions,
            clock=services.clock,
            holder=holder,
            ttl=timedelta(seconds=30),
            on_gain=lambda: None,
            on_loss=lambda: None,
        )

    first, second = leadership("web-1"), leadership("web-2")
    assert await first.step()
    assert not await second.step()
    started_app.state.background = Background(leadership=first)
    assert (await client.get("/healthz")).json()["scheduler"] == "leader"
    started_app.state.background = Background(leadership=second)
    assert (await client.get("/healthz")).json()["scheduler"] == "standby"


async def test_no_mail_caught_yet(client: httpx.AsyncClient) -> None:
    response = await client.get("/mail")
    assert response.status_code == 200
    assert "No mail caught yet" in response.text


async def test_queued_email_is_delivered_to_the_catcher_and_shown(
    started_app: FastAPI, client: httpx.AsyncClient
) -> None:
    services = _services(started_app)
    async with run_background(services, worker=False, scheduler=False) as running:
        started_app.state.background = running
        assert (
            running.catcher_port
        )  # catcher_port 0: the OS picked one, and the mailer follows it
        await _queue_test_email(services, name="Zoë Brontë", to="zoe@example.org")
        assert await services.delivery_worker().drain() == 1

        async with services.sessions() as session:
            assert (await queue.counts(session))[queue.SENT] == 1

        listing = await client.get("/mail")
        assert listing.status_code == 200
        subject = f"Test message from {services.settings.partnership_short_name} Practitioner Forum"
        assert subject in listing.text
        assert "zoe@example.org" in listing.text
        keys = re.findall(r'href="/mail/([^"]+)"', listing.text)
        assert len(keys) == 1

        detail = await client.get(f"/mail/{keys[0]}")
    assert detail.status_code == 200
    page = detail.text
    assert f"<h1>{subject}</h1>" in page
    assert "zoe@example.org" in page
    iframe = re.search(r'<iframe[^>]*\bsrcdoc="([^"]*)"', page)
    assert iframe is not None and re.search(r"<iframe[^>]*\bsandbox\b", page)
    shown_html = html.unescape(iframe.group(1))
    assert "<h1" in shown_html and "Hello Zoë Brontë," in shown_html
    text_part = re.search(r"<pre>(.*?)</pre>", page, re.DOTALL)
    assert text_part is not None
    assert "Hello Zoë Brontë," in html.unescape(text_part.group(1))
    assert "Sent at now." in html.unescape(text_part.group(1))


async def test_unknown_message_gives_a_friendly_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/mail/no-such-message")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Sorry, that did not work" in response.text
    assert "not in the mail catcher" in response.text
    assert 'href="/"' in response.text
