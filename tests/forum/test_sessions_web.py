"""The sessions admin pages: sign-in and role, CSRF, plain errors, invitations, the .ics file.

The real app (lifespan entered, no background parts) over httpx's ASGI transport, on SQLite
and PostgreSQL; the outbox and tables are read behind the pages' back.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from icalendar import Calendar
from sqlmodel import select

from bot.settings import Admin, Settings
from bot.store.db import upgrade_schema
from bot.store.tables import ForumSession
from bot.web.app import create_app
from tests.domain.mailbox import link, outbox_rows, subject, token
from tests.forum.sessions_kit import ORGANISATIONS, TOPICS, add_member
from tests.web.test_ask_pages import CHAIR, Site, _sign_in, _token

PRESS = "press@example.org"
FORM = {
    "title": "Forum <b>referrals</b>",
    "starts": "2027-01-19T14:00",
    "ends": "2027-01-19T15:30",
    "join_url": "https://meet.example.org/forum",
    "capacity": "80",
    "items": "Referrals\nNext steps",
    "audience_topics": TOPICS[0],
}


@pytest.fixture
async def site(settings: Settings) -> AsyncIterator[Site]:
    configured = settings.model_copy(
        update={
            "admins": [
                Admin(email=CHAIR, roles=["chair"]),
                Admin(email=PRESS, roles=["communications"]),
            ],
            "topics": list(TOPICS),
            "organisations": list(ORGANISATIONS),
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


async def _rows(site: Site) -> list[ForumSession]:
    async with site.services.sessions() as session:
        return list((await session.exec(select(ForumSession))).all())


async def _post(
    site: Site, path: str, data: dict[str, Any], page: str | None = None
) -> httpx.Response:
    token = _token(await site.http.get(page or path))
    return await site.http.post(path, data={**data, "csrf_token": token})


async def test_pages_need_a_chair_sign_in(site: Site) -> None:
    refused = await site.http.get("/admin/sessions")
    assert refused.status_code == 303
    assert refused.headers["location"] == "/admin/sign-in"
    forged = await site.http.post("/admin/sessions/new", data=FORM)
    assert forged.status_code == 303 and await _rows(site) == []


async def test_create_with_errors_then_invite_edit_cancel(site: Site) -> None:
    await _sign_in(site)
    member = await add_member(site.services, "Nia Neglect", topics=(TOPICS[0],))
    await add_member(site.services, "Oli Other", topics=(TOPICS[1],))
    bad = await _post(site, "/admin/sessions/new", FORM | {"ends": "2027-01-19T13:00"})
    assert (
        bad.status_code == 400 and "The session must end after it starts." in bad.text
    )
    no_token = await site.http.post("/admin/sessions/new", data=FORM)
    assert no_token.status_code == 400 and await _rows(site) == []
    made = await _post(site, "/admin/sessions/new", FORM)
    assert made.status_code == 303
    (row,) = await _rows(site)
    assert row.audience_topics == [TOPICS[0]] and row.agenda[-2:] == [
        "Referrals",
        "Next steps",
    ]
    listing = await site.http.get("/admin/sessions")
    assert (
        "Forum &lt;b&gt;referrals&lt;/b&gt;" in listing.text
        and "<b>referrals" not in listing.text
    )
    invited = await _post(
        site, f"/admin/sessions/{row.id}/invite", {}, "/admin/sessions"
    )
    assert invited.status_code == 303
    assert [
        subject(m.payload)[:11] for m in await outbox_rows(site.services, member.email)
    ] == ["Invitation:"]
    moved = FORM | {
        "starts": "2027-01-26T14:00",
        "ends": "2027-01-26T15:30",
        "notify": "y",
    }
    edited = await _post(site, f"/admin/sessions/{row.id}/edit", moved)
    assert edited.status_code == 303
    confirm = await site.http.get(f"/admin/sessions/{row.id}/cancel")
    assert "Cancel “Forum &lt;b&gt;referrals&lt;/b&gt;”?" in confirm.text
    cancelled = await _post(site, f"/admin/sessions/{row.id}/cancel", {})
    assert cancelled.status_code == 303
    kinds = [
        subject(m.payload).split(":")[0]
        for m in await outbox_rows(site.services, member.email)
    ]
    assert kinds == ["Invitation", "Updated", "Cancelled"]
    (stored,) = await _rows(site)
    assert (stored.status, stored.sequence) == ("cancelled", 2)


async def test_calendar_download_leaves_out_the_joining_link(site: Site) -> None:
    await _sign_in(site)
    await _post(site, "/admin/sessions/new", FORM)
    (row,) = await _rows(site)
    download = await site.http.get(f"/sessions/{row.id}.ics")
    assert download.headers["content-type"].startswith("text/calendar")
    (event,) = Calendar.from_ical(download.text).walk("VEVENT")
    assert str(event["UID"]) == row.uid and "LOCATION" not in event
    assert "meet.example.org" not in download.text
    assert (await site.http.get("/sessions/999.ics")).status_code == 404


async def test_a_non_chair_admin_cannot_manage_sessions(site: Site) -> None:
    form = _token(await site.http.get("/admin/sign-in"))
    await site.http.post("/admin/sign-in", data={"email": PRESS, "csrf_token": form})
    (mail,) = await outbox_rows(site.services, PRESS)
    url = link(mail.payload, site.services.links.base_url, "admin/sign-in")
    path = f"/admin/sign-in/{token(url)}"
    await site.http.post(path, data={"csrf_token": _token(await site.http.get(path))})
    assert (await site.http.get("/admin/members")).status_code == 200
    refused = await site.http.get("/admin/sessions")
    assert refused.status_code == 400
    assert "Only the chair or an admin can manage sessions." in refused.text
