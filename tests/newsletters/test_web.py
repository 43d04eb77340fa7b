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


async def test_the_chair_writes_the_note_but_cannot_retitle_or_send(site: Site) -> None:  # noqa: F811
    assert (await site.http.get("/admin/newsletters")).status_code in (303, 401, 403)
    await add_members(site.services, 2)
    async with site.services.sessions() as session:
        row, _ = await nl.create_draft(
            session,
            month="2030-03",
            zone=site.services.settings.zone,
            now=site.services.clock.now(),
        )
        await session.commit()
    path = f"/admin/newsletters/{row.id}"
    await sign_in(site, CHAIR)
    listing = await site.http.get("/admin/newsletters")
    assert listing.status_code == 200 and "Create the draft" not in listing.text
    page = await site.http.get(path)
    assert page.status_code == 200 and f"{path}/send" not in page.text
    made = await site.http.post(
        "/admin/newsletters", data={"month": "2030-04", "csrf_token": csrf(page)}
    )
    assert made.status_code == 400 and "communications team" in made.text
    check_html(page.text)
    saved = await site.http.post(
        path,
        data={"title": "Retitled", "chair_note": "From me.", "csrf_token": csrf(page)},
    )
    assert saved.status_code == 303
    sent = await site.http.post(f"{path}/send", data={"csrf_token": csrf(page)})
    assert sent.status_code == 400 and "communications team" in sent.text
    assert (await site.http.get("/admin/reports")).status_code == 400
    async with site.services.sessions() as session:
        row = await nl.get_newsletter(session, "2030-03")
        assert (row.chair_note, row.title, row.status) == (
            "From me.",
            "Practitioner Forum newsletter: February 2030",
            nl.DRAFT,
        )


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


async def test_test_and_send_with_a_bad_token_do_nothing_and_say_so(site: Site) -> None:  # noqa: F811
    await add_members(site.services, 2)
    await sign_in(site, COMMS)
    listing = await site.http.get("/admin/newsletters")
    made = await site.http.post(
        "/admin/newsletters", data={"month": "2030-02", "csrf_token": csrf(listing)}
    )
    path = made.headers["location"]
    for action in ("test", "send"):
        for data in ({}, {"csrf_token": "forged"}):
            refused = await site.http.post(f"{path}/{action}", data=data)
            assert refused.status_code == 400, (action, data)
            assert "expired" in refused.text and "?done=" not in str(refused.url)
    async with site.services.sessions() as session:
        row = await nl.get_newsletter(session, "2030-02")
        assert row.status == nl.DRAFT
        assert (await session.exec(select(OutboxMessage.recipient))).all() == [
            COMMS  # only the sign-in email: no test copy
        ]
    token = csrf(await site.http.get(path))
    done = await site.http.post(f"{path}/test", data={"csrf_token": token})
    assert done.headers["location"].endswith("?done=test")
    shown = await site.http.get(done.headers["location"])
    assert "A test copy is on its way to you." in shown.text
    check_html(shown.text)
