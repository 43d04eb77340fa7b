"""RSVP on the web: the one-click signed link (GET shows, POST acts), the member's forum
page with attend and decline buttons, and refusal of tampered links."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI

from bot.runtime import Services
from bot.store.tables import ForumSession, Member
from tests.domain.mailbox import outbox_rows, plain_text
from tests.forum import seats
from tests.forum.seats import add_member, add_session, reply, rsvps

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@pytest.fixture
async def http(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver"
    ) as c:
        yield c


app = seats.app  # the real web app, shared by the forum's web tests


def _services(app: FastAPI) -> Services:
    services: Services = app.state.services
    return services


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def _csrf(page: httpx.Response) -> str:
    found = CSRF.search(page.text)
    assert found, page.text
    return found.group(1)


async def _setup(
    app: FastAPI, capacity: int | None = None
) -> tuple[ForumSession, Member]:
    services = _services(app)
    soon = datetime.now(UTC) + timedelta(days=5)
    row = await add_session(
        services, soon, title="Referrals & <thresholds>", capacity=capacity
    )
    return row, await add_member(services, "Sam Practitioner")


async def test_the_email_link_shows_a_button_and_only_the_post_replies(
    app: FastAPI, http: httpx.AsyncClient
) -> None:
    services = _services(app)
    row, sam = await _setup(app)
    link = _path(services.links.item_url("rsvp", sam, row.id or 0, "yes"))

    page = await http.get(link)
    assert page.status_code == 200
    assert "Confirm you will attend" in page.text
    assert "Referrals &amp; &lt;thresholds&gt;" in page.text  # escaped
    assert await rsvps(services, row) == {}  # a link scanner's GET replies for nobody

    done = await http.post(link, data={"csrf_token": _csrf(page)})
    assert done.status_code == 200
    assert "You have a place." in done.text
    assert await rsvps(services, row) == {sam.id: "attending"}
    mails = await outbox_rows(services, sam.email)
    assert "You have a place." in plain_text(mails[0].payload)


async def test_the_decline_link_and_a_post_without_csrf(
    app: FastAPI, http: httpx.AsyncClient
) -> None:
    services = _services(app)
    row, sam = await _setup(app)
    link = _path(services.links.item_url("rsvp", sam, row.id or 0, "no"))
    refused = await http.post(link, data={})
    assert refused.status_code == 400
    assert await rsvps(services, row) == {}
    page = await http.get(link)
    assert "Confirm you cannot attend" in page.text
    done = await http.post(link, data={"csrf_token": _csrf(page)})
    assert "You have said you cannot come." in done.text
    assert await rsvps(services, row) == {sam.id: "declined"}


@pytest.mark.parametrize("damage", ["edit", "purpose", "answer"])
async def test_a_tampered_link_is_refused_with_a_clear_page(
    app: FastAPI, http: httpx.AsyncClient, damage: str
) -> None:
    services = _services(app)
    row, sam = await _setup(app)
    good = services.links.item_url("rsvp", sam, row.id or 0, "no")
    bad = {
        "edit": good[:-3] + ("AAA" if not good.endswith("AAA") else "BBB"),
        "purpose": services.links.item_url("feedback", sam, row.id or 0),
        "answer": services.links.item_url("rsvp", sam, row.id or 0, "maybe"),
    }[damage]
    path = "/rsvp/" + bad.rsplit("/", 1)[1]
    for response in (await http.get(path), await http.post(path, data={})):
        assert response.status_code == 400
        assert "Sorry, that did not work" in response.text
        assert "This link is not valid" in response.text
    assert await rsvps(services, row) == {}


async def test_a_link_of_an_erased_member_no_longer_works(
    app: FastAPI, http: httpx.AsyncClient
) -> None:
    services = _services(app)
    row, sam = await _setup(app)
    link = _path(services.links.item_url("rsvp", sam, row.id or 0, "yes"))
    async with services.sessions() as session:
        stored = await session.get(Member, sam.id)
        assert stored is not None
        stored.email = "someone.else@example.org"
        await session.commit()
    page = await http.get(link)
    assert page.status_code == 400 and "no longer valid" in page.text


async def test_the_forum_page_lists_sessions_and_takes_replies(
    app: FastAPI, http: httpx.AsyncClient
) -> None:
    services = _services(app)
    row, sam = await _setup(app, capacity=1)
    ann = await add_member(services, "Ann")
    await reply(services, row, ann, True, now=datetime.now(UTC))
    page_url = _path(services.links.item_url("forum", sam))

    page = await http.get(page_url)
    assert page.status_code == 200
    assert "Referrals &amp; &lt;thresholds&gt;" in page.text
    assert "not replied yet" in page.text
    assert f"/forum/{page_url.rsplit('/', 1)[1]}/questions" in page.text
    form = {"csrf_token": _csrf(page), "session_id": str(row.id), "answer": "yes"}

    done = await http.post(page_url + "/places", data=form)
    assert done.status_code == 200
    assert "You are on the waiting list (number 1)." in done.text
    assert "you are on the waiting list" in done.text
    await reply(services, row, ann, False, now=datetime.now(UTC))
    again = await http.get(page_url)
    assert "you have a place" in again.text
    assert "https://meet.example.org/forum" in again.text
    assert await rsvps(services, row) == {ann.id: "declined", sam.id: "attending"}


async def test_the_forum_page_refuses_a_post_without_csrf_and_bad_answers(
    app: FastAPI, http: httpx.AsyncClient
) -> None:
    services = _services(app)
    row, sam = await _setup(app)
    page_url = _path(services.links.item_url("forum", sam))
    no_csrf = await http.post(
        page_url + "/places", data={"session_id": str(row.id), "answer": "yes"}
    )
    assert no_csrf.status_code == 400 and "That did not work" in no_csrf.text
    token = _csrf(await http.get(page_url))
    maybe = await http.post(
        page_url + "/places",
        data={"csrf_token": token, "session_id": str(row.id), "answer": "maybe"},
    )
    assert maybe.status_code == 400
    assert await rsvps(services, row) == {}


async def test_replying_to_a_cancelled_session_on_the_web_says_why(
    app: FastAPI, http: httpx.AsyncClient
) -> None:
    services = _services(app)
    row, sam = await _setup(app)
    link = _path(services.links.item_url("rsvp", sam, row.id or 0, "yes"))
    page = await http.get(link)
    async with services.sessions() as session:
        stored = await session.get(ForumSession, row.id)
        assert stored is not None
        stored.status = "cancelled"
        await session.commit()
    done = await http.post(link, data={"csrf_token": _csrf(page)})
    assert done.status_code == 400
    assert "has been cancelled, so it no longer takes replies" in done.text
