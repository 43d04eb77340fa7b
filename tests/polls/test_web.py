"""The vote page (from an emailed link) and the admin poll pages, through the real app."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
import pytest

from bot.domain import polls
from bot.runtime import Services
from bot.settings import Admin, Settings
from bot.store.db import upgrade_schema
from bot.store.tables import Member, Poll
from bot.web.app import create_app
from tests.browser.conftest import check_html
from tests.domain.mailbox import link, outbox_rows, token
from tests.polls.conftest import add_member
from tests.polls.test_domain import votes

CHAIR, COMMS = "chair@example.org", "comms@example.org"
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
SCRIPT = "<script>alert(1)</script>"


@dataclass
class Site:
    services: Services
    http: httpx.AsyncClient


@pytest.fixture
async def site(settings: Settings) -> AsyncIterator[Site]:
    configured = settings.model_copy(
        update={
            "admins": [
                Admin(email=CHAIR, roles=["chair"]),
                Admin(email=COMMS, roles=["communications"]),
            ]
        }
    )
    upgrade_schema(configured.effective_database_url)
    app = create_app(configured, background=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver"
        ) as http:
            yield Site(app.state.services, http)


def csrf(page: httpx.Response) -> str:
    found = TOKEN.search(page.text)
    assert found is not None, "the form has no CSRF token"
    return found.group(1)


async def sign_in(site: Site, address: str) -> None:
    form = csrf(await site.http.get("/admin/sign-in"))
    await site.http.post("/admin/sign-in", data={"email": address, "csrf_token": form})
    (mail,) = await outbox_rows(site.services, address)
    path = f"/admin/sign-in/{token(link(mail.payload, site.services.links.base_url, 'admin/sign-in'))}"
    done = await site.http.post(
        path, data={"csrf_token": csrf(await site.http.get(path))}
    )
    assert done.status_code == 303


async def poll_for(site: Site, **changes: object) -> Poll:
    services = site.services
    values: dict[str, object] = {
        "question": f"Next topic? {SCRIPT}",
        "options": ["Referrals", "Out of sight", "Neglect"],
        "closes_local": datetime.now() + timedelta(days=3),
    }
    async with services.sessions() as session:
        return await polls.create_poll(
            session,
            polls.PollDraft(**(values | changes)),  # type: ignore[arg-type]
            created_by=CHAIR,
            zone=services.settings.zone,
            now=services.clock.now(),
        )


def vote_path(site: Site, member: Member, poll: Poll, index: int) -> str:
    url = site.services.links.item_url("vote", member, poll.id or 0, index)
    return url.removeprefix(site.services.links.base_url)


async def test_voting_from_the_link_is_prefetch_safe_and_changeable(site: Site) -> None:
    kim = await add_member(site.services, "kim@example.org", "Kim Lee")
    poll = await poll_for(site)
    path = vote_path(site, kim, poll, 1)

    page = await site.http.get(path)
    assert page.status_code == 200
    assert re.search(r'checked id="choice-1"|id="choice-1"[^>]*checked', page.text)
    assert SCRIPT not in page.text and "&lt;script&gt;" in page.text
    check_html(page.text)
    assert await votes(site.services, poll) == []  # opening the link is not voting

    forged = await site.http.post(path, data={"choice": "1"})
    assert forged.status_code == 400 and await votes(site.services, poll) == []

    done = await site.http.post(path, data={"choice": "1", "csrf_token": csrf(page)})
    assert done.status_code == 200 and "Your vote is recorded" in done.text
    assert "Out of sight" in done.text
    again = await site.http.post(path, data={"choice": "2", "csrf_token": csrf(page)})
    assert "Neglect" in again.text
    [only] = await votes(site.services, poll)
    assert (only.choices, only.channel) == ([2], "email")

    wrong = await site.http.post(path, data={"choice": "7", "csrf_token": csrf(page)})
    assert wrong.status_code == 400 and (await votes(site.services, poll))[
        0
    ].choices == [2]

    async with site.services.sessions() as session:
        await polls.close_poll(session, poll.id or 0, now=site.services.clock.now())
    closed = await site.http.get(path)
    assert "This poll has closed" in closed.text and 'role="img"' in closed.text
    check_html(closed.text)
    late = await site.http.post(path, data={"choice": "0", "csrf_token": csrf(page)})
    assert "This poll has closed" in late.text
    assert (await votes(site.services, poll))[0].choices == [2]


async def test_a_bad_or_tampered_link_shows_an_error(site: Site) -> None:
    kim = await add_member(site.services, "kim@example.org", "Kim Lee")
    poll = await poll_for(site)
    path = vote_path(site, kim, poll, 0)
    broken = await site.http.get(path[:-3] + "abc")
    assert broken.status_code == 400 and "not valid" in broken.text
    rsvp = site.services.links.item_url("rsvp", kim, poll.id or 0, 0)
    other = await site.http.get(
        "/vote/" + token(rsvp)
    )  # signed, but for another purpose
    assert other.status_code == 400


async def test_a_multiple_choice_link_keeps_earlier_choices_ticked(site: Site) -> None:
    kim = await add_member(site.services, "kim@example.org", "Kim Lee")
    poll = await poll_for(site, multiple=True)
    first = vote_path(site, kim, poll, 0)
    page = await site.http.get(first)
    await site.http.post(first, data={"choice": "0", "csrf_token": csrf(page)})
    second = await site.http.get(vote_path(site, kim, poll, 2))
    ticked = re.findall(r'<input checked id="choice-(\d)"', second.text)
    assert ticked == ["0", "2"]


async def test_the_chair_creates_a_poll_and_sees_results(site: Site) -> None:
    await sign_in(site, CHAIR)
    form = await site.http.get("/admin/polls/new")
    when = datetime.now() + timedelta(days=2)
    data = {
        "csrf_token": csrf(form),
        "question": "Next topic?",
        "options": "Only one",
        "named": "y",
        "closes_date": when.strftime("%Y-%m-%d"),
        "closes_time": "17:00",
    }
    refused = await site.http.post("/admin/polls/new", data=data)
    assert refused.status_code == 400 and "between 2 and 10" in refused.text
    check_html(refused.text)
    made = await site.http.post(
        "/admin/polls/new", data=data | {"options": "=SUM(A1)\n\nB"}
    )
    assert made.status_code == 303
    page = await site.http.get(made.headers["location"])
    assert 'role="img"' in page.text and "Named" in page.text

    kim = await add_member(site.services, "kim@example.org", "Kim Lee")
    async with site.services.sessions() as session:
        [poll] = await polls.list_polls(session)
        await polls.vote(
            session,
            poll.id or 0,
            kim,
            [0],
            channel="web",
            now=site.services.clock.now(),
        )
    page = await site.http.get(f"/admin/polls/{poll.id}")
    assert "Kim Lee" in page.text  # named poll, seen by the chair
    check_html(page.text)
    check_html((await site.http.get("/admin/polls")).text)
    csv = await site.http.get(f"/admin/polls/{poll.id}/results.csv")
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[1] == "'=SUM(A1),1,100.0,Kim Lee"

    closed = await site.http.post(
        f"/admin/polls/{poll.id}/close", data={"csrf_token": csrf(page)}
    )
    assert closed.status_code == 303
    async with site.services.sessions() as session:
        assert (await polls.get_poll(session, poll.id or 0)).status == polls.CLOSED


async def test_other_admin_roles_cannot_run_polls(site: Site) -> None:
    assert (await site.http.get("/admin/polls")).headers["location"] == "/admin/sign-in"
    await sign_in(site, COMMS)
    refused = await site.http.get("/admin/polls")
    assert refused.status_code == 400 and "admins and chair" in refused.text


async def test_someone_who_left_is_told_before_pressing_anything(site: Site) -> None:
    from bot.domain import membership

    kim = await add_member(site.services, "kim@example.org", "Kim Lee")
    poll = await poll_for(site)
    async with site.services.sessions() as session:
        fresh = await session.get(Member, kim.id)
        assert fresh is not None
        await membership.leave(session, fresh, now=site.services.clock.now())
    page = await site.http.get(vote_path(site, kim, poll, 0))
    assert page.status_code == 400 and "Only members" in page.text
    assert "Confirm my vote" not in page.text
