"""The training admin page: sign-in and role, CSRF, a new event, a CSV upload with its bad
lines shown, the utilisation chart and the non-attendance list and CSV. The real app over
httpx's ASGI transport, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlmodel import select

from bot.settings import Admin, Settings
from bot.store.db import upgrade_schema
from bot.store.tables import TrainingEvent
from bot.web.app import create_app
from tests.training.kit import BOOKINGS
from tests.web.test_ask_pages import CHAIR, Site, _sign_in, _token

EVENT = {
    "title": "Coercive <b>Control</b>",
    "starts": "2027-01-19T09:30",
    "ends": "2027-01-19T12:30",
    "places": "20",
    "trainer": "Pat",
    "location": "Online",
    "ref": "",
}
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
def roles() -> list[str]:
    return ["learning"]


@pytest.fixture
async def site(settings: Settings, roles: list[str]) -> AsyncIterator[Site]:
    configured = settings.model_copy(
        update={"admins": [Admin(email=CHAIR, roles=roles)]}
    )
    upgrade_schema(configured.effective_database_url)
    app = create_app(configured, background=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver"
        ) as http:
            yield Site(app.state.services, http)


async def _events(site: Site) -> list[TrainingEvent]:
    async with site.services.sessions() as session:
        return list((await session.exec(select(TrainingEvent))).all())


async def _upload(site: Site, data: bytes, **fields: Any) -> httpx.Response:
    token = _token(await site.http.get("/admin/training"))
    return await site.http.post(
        "/admin/training/import",
        data={"csrf_token": token, "kind": "", **fields},
        files={"file": ("bookings.csv", data, "text/csv")},
    )


async def test_the_page_needs_a_sign_in(site: Site) -> None:
    refused = await site.http.get("/admin/training")
    assert (
        refused.status_code == 303 and refused.headers["location"] == "/admin/sign-in"
    )
    forged = await site.http.post("/admin/training/events", data=EVENT)
    assert forged.status_code == 303 and await _events(site) == []


@pytest.mark.parametrize("roles", [["communications", "chair"]])
async def test_other_admins_may_not_see_bookings(site: Site) -> None:
    await _sign_in(site)
    for path in ("/admin/training", "/admin/training/E1/nonattendance.csv"):
        refused = await site.http.get(path)
        assert refused.status_code == 400
        assert "Only the learning and development team" in refused.text


async def test_an_event_is_added_with_errors_shown_and_text_escaped(site: Site) -> None:
    await _sign_in(site)
    token = _token(await site.http.get("/admin/training"))
    bad = await site.http.post(
        "/admin/training/events",
        data={**EVENT, "ends": "2027-01-19T08:00", "csrf_token": token},
    )
    assert bad.status_code == 400 and "The event must end after it starts." in bad.text
    no_token = await site.http.post("/admin/training/events", data=EVENT)
    assert no_token.status_code == 400 and await _events(site) == []
    made = await site.http.post(
        "/admin/training/events", data={**EVENT, "csrf_token": token}
    )
    assert made.status_code == 303
    (event,) = await _events(site)
    assert event.ref == f"FB-{event.id}" and event.places == 20
    page = await site.http.get(made.headers["location"])
    assert "Coercive &lt;b&gt;Control&lt;/b&gt;" in page.text
    assert (
        "<b>Control" not in page.text
        and f"Done: created event FB-{event.id}" in page.text
    )


async def test_an_upload_lands_good_rows_shows_bad_lines_and_charts_utilisation(
    site: Site,
) -> None:
    await _sign_in(site)
    broken = BOOKINGS.replace(b"delegate05@sample", b"delegate05 at sample", 1)
    page = await _upload(site, broken)
    assert page.status_code == 200
    assert "38 new, 0 updated, 0 unchanged, 1 rejected" in page.text
    assert (
        "Line 6: &#39;delegate05 at sample.example.org&#39; is not a valid" in page.text
    )
    again = await _upload(site, BOOKINGS)
    assert "1 new, 0 updated, 38 unchanged, 0 rejected" in again.text
    assert "utilisation <strong>85.0%</strong>" in again.text
    assert 'role="img" aria-labelledby="utilisation-title"' in again.text
    assert "Right-Wing Extremism &amp; The Far Right" in again.text
    empty = await _upload(site, b"")
    assert empty.status_code == 400 and "The file is empty" in empty.text


async def test_the_non_attendance_list_and_its_csv_are_safe(site: Site) -> None:
    await _sign_in(site)
    text = (
        "ref,course,start,end,places,email,name,organisation,status,attended\n"
        f"E1,Neglect,2020-02-04 09:30,2020-02-04 12:30,10,a@x.example.org,{SCRIPT},=1+2,booked,no\n"
        "E1,Neglect,2020-02-04 09:30,2020-02-04 12:30,10,b@x.example.org,Bo,School,booked,yes\n"
    )
    assert (await _upload(site, text.encode())).status_code == 200
    page = await site.http.get("/admin/training/E1/nonattendance")
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text and SCRIPT not in page.text
    )
    assert "b@x.example.org" not in page.text
    exported = await site.http.get("/admin/training/E1/nonattendance.csv")
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.text)))
    assert rows[1][-2:] == [SCRIPT, "'=1+2"]
    missing = await site.http.get("/admin/training/E9/nonattendance")
    assert missing.status_code == 404
