"""The membership pages refuse forged forms (CSRF) and bad links, and change nothing when they do."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlmodel import func, select

from bot.domain import members as m
from bot.domain import membership
from bot.runtime import Services
from bot.settings import Admin, Settings
from bot.store.db import upgrade_schema
from bot.store.tables import Member, OutboxMessage
from bot.web.app import create_app

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@pytest.fixture
async def site(settings: Settings) -> AsyncIterator[tuple[Services, httpx.AsyncClient]]:
    configured = settings.model_copy(
        update={
            "organisations": ["NSPCC"],
            "topics": ["Neglect"],
            "admins": [Admin(email="chair@example.org", roles=["chair"])],
        }
    )
    upgrade_schema(configured.effective_database_url)
    app = create_app(configured, background=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver"
        ) as http:
            yield app.state.services, http


def _token(page: httpx.Response) -> str:
    found = TOKEN.search(page.text)
    assert found is not None, "the form has no CSRF token"
    return found.group(1)


def _join_form(token: str | None) -> dict[str, str]:
    form = {
        "email": "ann@example.org",
        "name": "Ann",
        "organisation": "NSPCC",
        "consent": "y",
    }
    return form if token is None else {**form, "csrf_token": token}


async def _counts(services: Services) -> tuple[int, int]:
    async with services.sessions() as session:
        members = (await session.exec(select(func.count()).select_from(Member))).one()
        messages = (
            await session.exec(select(func.count()).select_from(OutboxMessage))
        ).one()
    return int(members), int(messages)


async def test_join_without_a_csrf_token_is_refused(
    site: tuple[Services, httpx.AsyncClient],
) -> None:
    services, http = site
    await http.get("/join")  # a session exists, but the post carries no token
    answer = await http.post("/join", data=_join_form(None))
    assert answer.status_code == 400 and "There is a problem" in answer.text
    assert await _counts(services) == (0, 0)


async def test_a_token_from_another_browser_is_refused(
    site: tuple[Services, httpx.AsyncClient],
) -> None:
    services, http = site
    stolen = _token(await http.get("/join"))
    http.cookies.clear()  # a different visitor: their session has no CSRF secret of ours
    await http.get("/join")
    answer = await http.post("/join", data=_join_form(stolen))
    assert answer.status_code == 400
    assert await _counts(services) == (0, 0)


async def test_a_proper_join_lands_and_reveals_nothing(
    site: tuple[Services, httpx.AsyncClient],
) -> None:
    services, http = site
    first = await http.post("/join", data=_join_form(_token(await http.get("/join"))))
    again = await http.post("/join", data=_join_form(_token(await http.get("/join"))))
    assert first.status_code == again.status_code == 303
    assert (
        first.headers["location"]
        == again.headers["location"]
        == "/join/check-your-email"
    )
    assert await _counts(services) == (1, 1)  # one member, one confirmation (same hour)


async def _active_member(services: Services) -> Member:
    async with services.sessions() as session:
        member, _ = await membership.add_member(
            session,
            services.mailroom,
            email="bea@example.org",
            profile=m.Profile(name="Bea"),
            now=services.clock.now(),
        )
    return member


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


async def test_preferences_and_leaving_need_the_csrf_token(
    site: tuple[Services, httpx.AsyncClient],
) -> None:
    services, http = site
    member = await _active_member(services)
    links = services.mailroom.member_links(member)
    prefs = _path(links["preferences_url"])
    await http.get(prefs)
    refused = await http.post(prefs, data={"name": "Mallory", "organisation": "NSPCC"})
    assert refused.status_code == 400
    leave = _path(links["unsubscribe_url"])
    await http.get(leave)
    assert (await http.post(leave, data={})).status_code == 400
    async with services.sessions() as session:
        unchanged = await m.get_member(session, "bea@example.org")
    assert (unchanged.name, unchanged.status) == ("Bea", m.ACTIVE)
    saved = await http.post(
        prefs,
        data={
            "csrf_token": _token(await http.get(prefs)),
            "name": "Bea B",
            "topics": "Neglect",
        },
    )
    assert saved.status_code == 200 and "have been saved" in saved.text


@pytest.mark.parametrize("purpose", ["confirm", "preferences", "unsubscribe"])
async def test_a_tampered_link_shows_a_friendly_page_and_changes_nothing(
    site: tuple[Services, httpx.AsyncClient], purpose: str
) -> None:
    services, http = site
    member = await _active_member(services)
    url = _path(services.links.member_url(purpose, member))
    tampered = url[:-4] + ("AAAA" if not url.endswith("AAAA") else "BBBB")
    for answer in (
        await http.get(tampered),
        await http.post(tampered, data={"List-Unsubscribe": "One-Click"}),
    ):
        assert answer.status_code == 400
        assert "Sorry, that did not work" in answer.text and "not valid" in answer.text
    async with services.sessions() as session:
        assert (await m.get_member(session, "bea@example.org")).status == m.ACTIVE


async def test_admin_pages_need_a_sign_in(
    site: tuple[Services, httpx.AsyncClient],
) -> None:
    services, http = site
    answer = await http.get("/admin/members")
    assert answer.status_code == 303 and answer.headers["location"] == "/admin/sign-in"
    await http.get("/admin/sign-in")
    forged = await http.post("/admin/sign-in", data={"email": "chair@example.org"})
    assert forged.status_code == 400
    assert await _counts(services) == (0, 0)  # no sign-in link was sent
