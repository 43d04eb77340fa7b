"""The admin newsletter and report pages through the real app: roles, CSRF, edit, preview,
test copy, approval to send, and the report with its chart."""

from __future__ import annotations

from sqlmodel import col, select

from bot.domain import newsletters as nl
from bot.store.tables import OutboxMessage
from jobs.newsletters import send_newsletters
from tests.browser.conftest import check_html
from tests.newsletters.kit import add_members
from tests.polls.test_web import (
    CHAIR,
    COMMS,
    SCRIPT,
    Site,
    csrf,
    sign_in,
    site,  # noqa: F401  (a fixture)
)


async def test_only_admins_and_communications_get_in(site: Site) -> None:  # noqa: F811
    assert (await site.http.get("/admin/newsletters")).status_code in (303, 401, 403)
    await sign_in(site, CHAIR)
    page = await site.http.get("/admin/newsletters")
    assert page.status_code == 400 and "communications team" in page.text


async def test_draft_edit_preview_test_copy_send_and_report(site: Site) -> None:  # noqa: F811
    await add_members(site.services, 3)
    await sign_in(site, COMMS)
    listing = await site.http.get("/admin/newsletters")
    assert listing.status_code == 200
    check_html(listing.text)
    bad = await site.http.post(
        "/admin/newsletters", data={"month": "soon", "csrf_token": csrf(listing)}
    )
    assert bad.status_code == 400 and "YYYY-MM" in bad.text
    made = await site.http.post(
        "/admin/newsletters", data={"month": "2030-01", "csrf_token": csrf(listing)}
    )
    assert made.status_code == 303
    path = made.headers["location"]

    page = await site.http.get(path)
    forged = await site.http.post(path, data={"title": "x", "chair_note": "y"})
    assert forged.status_code == 400  # no CSRF token, nothing saved
    saved = await site.http.post(
        path,
        data={
            "title": "January",
            "chair_note": f"Hello {SCRIPT}",
            "csrf_token": csrf(page),
        },
    )
    assert saved.status_code == 303
    page = await site.http.get(path)
    check_html(page.text)
    assert "<iframe" in page.text and SCRIPT not in page.text

    preview = await site.http.get(f"{path}/preview")
    assert "default-src 'none'" in preview.headers["content-security-policy"]
    assert "Hello &lt;script&gt;" in preview.text and "January" in preview.text

    token = csrf(page)
    await site.http.post(f"{path}/test", data={"csrf_token": token})
    await site.http.post(f"{path}/send", data={"csrf_token": token})
    async with site.services.sessions() as session:
        row = await nl.get_newsletter(session, "2030-01")
        assert (row.status, row.title, row.chair_note) == (
            nl.SCHEDULED,
            "January",
            f"Hello {SCRIPT}",
        )
        tests = await session.exec(
            select(OutboxMessage.recipient).where(col(OutboxMessage.campaign).is_(None))
        )
        assert COMMS in tests.all()  # the test copy, outside the campaign
    assert await send_newsletters() == ["newsletter:2030-01"]

    report = await site.http.get("/admin/reports")
    assert report.status_code == 200 and "newsletter:2030-01" in report.text
    assert '<svg role="img"' in report.text
    check_html(report.text)
