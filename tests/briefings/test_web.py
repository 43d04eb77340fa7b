"""The web: admin pages (sign-in, roles, CSRF, preview, approve, publish) and the public
archive (pages, print page, RSS feed, newsletters), over the real app on both databases."""

from __future__ import annotations

import calendar
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import feedparser
import httpx
import pytest

from bot.domain import briefings as b
from bot.settings import Admin, Settings
from bot.store.db import upgrade_schema
from bot.store.tables import Newsletter
from bot.web.app import create_app
from tests.briefings.kit import APPROVER, AUTHOR, XSS, approved, draft, publish
from tests.web.signing import csrf_token as _token
from tests.web.signing import sign_in
from tests.web.test_ask_pages import Site

CHAIR = "chair@example.org"
FORM = {
    "kind": "learning_lessons",
    "title": "Lessons <b>from</b> review",
    "summary": f"Short {XSS}",
    "body": f"## Background\n\nSome.\n\n## Key learning\n\n- {XSS}",
    "report_url": "https://www.example.org/report",
    "webinar_url": "",
}


@pytest.fixture
async def site(settings: Settings) -> AsyncIterator[Site]:
    configured = settings.model_copy(
        update={
            "admins": [
                Admin(email=AUTHOR, roles=["learning"]),
                Admin(email=APPROVER, roles=["communications"]),
                Admin(email=CHAIR, roles=["chair"]),
            ],
            "topics": ["Neglect"],
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


async def _sign_in(site: Site, address: str) -> None:
    await sign_in(site.http, site.services, address)


async def _button(site: Site, briefing_id: int, action: str) -> httpx.Response:
    page = await site.http.get("/admin/briefings")
    found = re.search(
        rf'action="/admin/briefings/{briefing_id}/{action}"[^>]*>\s*<input[^>]+value="([^"]+)"',
        page.text,
    )
    assert found is not None, f"no {action} button:\n{page.text}"
    return await site.http.post(
        f"/admin/briefings/{briefing_id}/{action}", data={"csrf_token": found.group(1)}
    )


async def test_admin_pages_need_a_sign_in_and_an_authoring_role(site: Site) -> None:
    refused = await site.http.get("/admin/briefings")
    assert (
        refused.status_code == 303 and refused.headers["location"] == "/admin/sign-in"
    )
    forged = await site.http.post("/admin/briefings/new", data={**FORM, "save": "1"})
    assert forged.status_code == 303
    await _sign_in(site, AUTHOR)
    no_token = await site.http.post("/admin/briefings/new", data={**FORM, "save": "1"})
    assert no_token.status_code == 400
    async with site.services.sessions() as session:
        assert await b.list_briefings(session) == []


async def test_write_preview_approve_and_publish_on_the_web(site: Site) -> None:
    await _sign_in(site, AUTHOR)
    token_ = _token(await site.http.get("/admin/briefings/new"))
    bad = await site.http.post(
        "/admin/briefings/new",
        data={**FORM, "body": "## Background", "csrf_token": token_, "save": "1"},
    )
    assert bad.status_code == 400 and "needs a section headed" in bad.text
    shown = await site.http.post(
        "/admin/briefings/new", data={**FORM, "csrf_token": token_, "preview": "1"}
    )
    assert shown.status_code == 200 and "<h2>Preview</h2>" in shown.text
    assert "<script>" not in shown.text and "&lt;script&gt;" in shown.text
    async with site.services.sessions() as session:
        assert await b.list_briefings(session) == []  # a preview saves nothing
    saved = await site.http.post(
        "/admin/briefings/new", data={**FORM, "csrf_token": token_, "save": "1"}
    )
    assert saved.status_code == 303
    async with site.services.sessions() as session:
        (row,) = await b.list_briefings(session)
    assert (row.created_by, row.status) == (AUTHOR, b.DRAFT)
    listing = await site.http.get("/admin/briefings")
    assert "/approve" not in listing.text  # the learning role cannot approve

    await _sign_in(site, APPROVER)
    assert (await _button(site, row.id or 0, "approve")).status_code == 303
    assert (await _button(site, row.id or 0, "publish")).status_code == 303
    async with site.services.sessions() as session:
        assert (await b.get_briefing(session, row.id or 0)).status == b.PUBLISHED
    page = await site.http.get(f"/briefings/{row.slug}")
    assert (
        page.status_code == 200
        and "Lessons &lt;b&gt;from&lt;/b&gt; review" in page.text
    )


async def test_the_author_cannot_approve_their_own(site: Site) -> None:
    await _sign_in(site, APPROVER)
    token_ = _token(await site.http.get("/admin/briefings/new"))
    await site.http.post(
        "/admin/briefings/new", data={**FORM, "csrf_token": token_, "save": "1"}
    )
    async with site.services.sessions() as session:
        (row,) = await b.list_briefings(session)
    refused = await _button(site, row.id or 0, "approve")
    assert refused.status_code == 400 and "someone else must approve" in refused.text


async def test_archive_lists_only_published_newest_first_and_filters(
    site: Site,
) -> None:
    first = await approved(site.services, title="First update")
    second = await approved(site.services, title="Second", kind="audit", body="x")
    await approved(site.services, title="Not yet")
    await publish(site.services, first.id or 0)
    await publish(site.services, second.id or 0, minutes=5)
    page = (await site.http.get("/briefings")).text
    assert page.index("Second") < page.index("First update") and "Not yet" not in page
    audits = (await site.http.get("/briefings?kind=audit")).text
    assert "Second" in audits and "First update" not in audits
    assert (await site.http.get("/briefings/not-yet")).status_code == 404
    printable = await site.http.get(f"/briefings/{first.slug}/print")
    assert printable.status_code == 200 and "@media print" in printable.text


async def test_rss_feed_parses_with_absolute_links(site: Site) -> None:
    row = await approved(site.services, title="Feed <me> & you")
    before = site.services.clock.now().replace(second=0, microsecond=0)
    await publish(site.services, row.id or 0)
    after = site.services.clock.now()
    await approved(site.services, title="Draft only")
    answer = await site.http.get("/briefings/feed.xml")
    assert answer.headers["content-type"].startswith("application/rss+xml")
    feed = feedparser.parse(answer.content)
    assert not feed.bozo and feed.version == "rss20"
    (entry,) = feed.entries
    base = site.services.links.base_url
    assert entry.title == "Feed <me> & you"
    assert entry.link == entry.id == f"{base}/briefings/{row.slug}"
    published = datetime.fromtimestamp(calendar.timegm(entry.published_parsed), UTC)
    assert before <= published <= after  # RSS dates are to the second
    assert feed.feed.link == f"{base}/briefings"


async def test_newsletter_archive_shows_sent_issues_from_their_content(
    site: Site,
) -> None:
    when = datetime(2026, 2, 1, tzinfo=UTC)
    content = {
        "title": "February",
        "chair_note": f"Hello {XSS}",
        "sections": [
            {"key": "feeds", "heading": "Reading", "items": [
                {"title": "Good", "summary": "Read it", "url": "https://e.org/a"},
                {"title": "Evil", "url": "javascript:alert(1)"},
            ]},
        ],
    }  # fmt: skip
    async with site.services.sessions() as session:
        sent = Newsletter(campaign="newsletter:2026-02", title="February issue", period_start=when,
                          period_end=when, status="sent", content=content, sent_at=when)  # fmt: skip
        draft = Newsletter(campaign="newsletter:2026-03", title="March draft",
                           period_start=when, period_end=when)  # fmt: skip
        session.add_all([sent, draft])
        await session.commit()
    listing = (await site.http.get("/newsletters")).text
    assert "February issue" in listing and "March draft" not in listing
    page = await site.http.get(f"/newsletters/{sent.id}")
    assert '<a href="https://e.org/a">Good</a>' in page.text
    assert "javascript:" not in page.text and "&lt;script&gt;" in page.text
    assert (await site.http.get(f"/newsletters/{draft.id}")).status_code == 404


async def test_approve_and_publish_with_a_bad_token_are_refused(site: Site) -> None:
    row = await approved(site.services)
    async with site.services.sessions() as session:
        draft_row = await b.create(
            session,
            b.check(draft(title="Still a draft")),
            by=AUTHOR,
            now=site.services.clock.now(),
        )
        await session.commit()
    await _sign_in(site, APPROVER)
    for path in (f"{draft_row.id}/approve", f"{row.id}/publish"):
        for data in ({}, {"csrf_token": "forged"}):
            refused = await site.http.post(f"/admin/briefings/{path}", data=data)
            assert refused.status_code == 400 and "expired" in refused.text, path
    async with site.services.sessions() as session:
        assert (await b.get_briefing(session, row.id or 0)).status == b.APPROVED
        assert (await b.get_briefing(session, draft_row.id or 0)).status == b.DRAFT
