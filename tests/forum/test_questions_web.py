"""Questions on the web: a member's signed page, the chair's ranked list, the attendance figures.

The real app over httpx's ASGI transport, on SQLite and PostgreSQL. Its clock is real time,
so sessions are placed relative to now.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from sqlmodel import col, select

from bot.domain.forum import attendance
from bot.store.tables import ForumSession, Member, SessionQuestion
from tests.forum.question_rows import forum_session, member, place
from tests.web import test_ask_pages
from tests.web.test_ask_pages import SCRIPT, Site, _sign_in, _token

site = test_ask_pages.site  # the app with the chair configured, as a fixture here
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


async def _setup(site: Site) -> tuple[ForumSession, Member, str]:
    services = site.services
    kim = await member(services, "kim@northshire.example.org", "Kim <i>Lee</i>")
    row = await forum_session(
        services, datetime.now(UTC) + timedelta(days=5), title="Spring forum"
    )
    url = services.links.item_url("forum", kim, path="forum")
    return row, kim, url.removeprefix(services.links.base_url) + "/questions"


async def _stored(site: Site) -> list[SessionQuestion]:
    async with site.services.sessions() as session:
        rows = await session.exec(
            select(SessionQuestion).order_by(col(SessionQuestion.id))
        )
        return list(rows.all())


async def _post(site: Site, path: str, **data: str) -> httpx.Response:
    csrf = _token(await site.http.get(path))
    return await site.http.post(path, data={"csrf_token": csrf, **data})


async def test_a_member_asks_on_their_page_and_sees_questions_escaped(
    site: Site,
) -> None:
    row, kim, path = await _setup(site)
    shown = await site.http.get(path)
    assert shown.status_code == 200 and "Spring forum" in shown.text
    assert await _stored(site) == []  # a GET (a link scanner's, say) asks nothing

    forged = await site.http.post(path, data={"session": str(row.id), "text": "Forged"})
    assert forged.status_code == 400 and await _stored(site) == []

    asked = await _post(site, path, session=str(row.id), text=f"Why {SCRIPT}?")
    assert asked.status_code == 200 and "your question is on the list" in asked.text
    assert f"Why {ESCAPED}?" in asked.text and SCRIPT not in asked.text
    await _post(site, path, session=str(row.id), text="Anonymous one", anonymous="y")
    named, anonymous = await _stored(site)
    assert (named.text, named.member_id, named.channel) == (
        f"Why {SCRIPT}?",
        kim.id,
        "web",
    )
    assert anonymous.member_id is None

    too_long = await _post(site, path, session=str(row.id), text="x" * 1001)
    assert too_long.status_code == 400 and "under 1000 characters" in too_long.text
    child = await _post(site, path, session=str(row.id), text="Is Jack, 7, at risk?")
    assert (
        "do not share details" in child.text
        and "Jack" not in (await _stored(site))[-1].text
    )


async def test_an_altered_link_or_a_departed_member_gets_no_form(site: Site) -> None:
    _row, kim, path = await _setup(site)
    altered = await site.http.get(path.replace("/questions", "x/questions"))
    assert altered.status_code == 400 and "not valid" in altered.text
    async with site.services.sessions() as session:
        fresh = await session.get(Member, kim.id)
        assert fresh is not None
        fresh.status = "unsubscribed"
        await session.commit()
    left = await site.http.get(path)
    assert left.status_code == 400 and "left the forum" in left.text


async def test_the_chair_sees_questions_ranked_with_askers_and_marks_them(
    site: Site,
) -> None:
    row, _kim, path = await _setup(site)
    page = f"/admin/sessions/{row.id}/questions"
    refused = await site.http.get(page)
    assert (
        refused.status_code == 303 and refused.headers["location"] == "/admin/sign-in"
    )

    await _post(site, path, session=str(row.id), text=f"Named {SCRIPT}")
    await _post(site, path, session=str(row.id), text="Nobody knows", anonymous="y")
    await _sign_in(site)
    shown = await site.http.get(page)
    assert shown.status_code == 200
    assert (
        f"Named {ESCAPED}" in shown.text and "Kim &lt;i&gt;Lee&lt;/i&gt;" in shown.text
    )
    assert "Anonymous" in shown.text and SCRIPT not in shown.text
    first = (await _stored(site))[0]
    done = await _post(site, page, status="answered")
    assert done.status_code == 405  # the page itself takes no post
    csrf = _token(shown)
    marked = await site.http.post(
        f"{page}/{first.id}", data={"csrf_token": csrf, "status": "answered"}
    )
    assert marked.status_code == 303
    assert (await _stored(site))[0].status == "answered"


async def test_the_figures_page_charts_attendance_across_sessions(site: Site) -> None:
    services = site.services
    kim = await member(services, "kim@northshire.example.org", "Kim Lee")
    held = await forum_session(
        services, datetime.now(UTC) - timedelta(days=2), title="Winter <b>forum</b>"
    )
    await place(services, held, kim, "attending", datetime.now(UTC) - timedelta(days=9))
    async with services.sessions() as session:
        await attendance.import_report(
            session,
            held.id or 0,
            b"email\nkim@northshire.example.org\nguest@x.example\n",
            zone=services.settings.zone,
            now=datetime.now(UTC),
        )
        await session.commit()
    await _sign_in(site)
    shown = await site.http.get("/admin/forum/figures")
    assert shown.status_code == 200
    assert (
        '<svg role="img"' in shown.text
        and "Winter &lt;b&gt;forum&lt;/b&gt;" in shown.text
    )
    assert "<td>1</td><td>1</td><td>1</td><td>0</td><td>1</td>" in shown.text
