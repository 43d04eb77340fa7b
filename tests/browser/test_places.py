"""RSVP through the email link: the invitation a real SMTP server received carries the
signed link; Chromium (JavaScript off) opens it, confirms, and sees the result; then the
member's forum page gives the place up again."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlmodel import col, select

from bot.domain.forum.invitations import send_invitations
from bot.domain.forum.notices import ForumPost
from bot.store.tables import ForumSession, Member, Rsvp
from tests.browser.conftest import LiveApp, arrive, screenshot

try:
    from playwright.async_api import Page, expect
except ImportError:  # pragma: no cover - depends on the machine
    pytest.skip(
        "Playwright is not installed: pip install -e '.[dev]'", allow_module_level=True
    )

ADDRESS = "sam.patel@example.org"


async def _invited(live: LiveApp) -> ForumSession:
    """A member and a session, and the real invitation queued for the app's worker to send."""
    services = live.services
    async with services.sessions() as session:
        session.add(Member(email=ADDRESS, name="Sam Patel", status="active"))
        start = datetime.now(UTC) + timedelta(days=6)
        row = ForumSession(
            uid="browser@test",
            title="Referrals & thresholds",
            starts_at=start,
            ends_at=start + timedelta(minutes=90),
            capacity=10,
            join_url="https://meet.example.org/forum",
        )
        session.add(row)
        await session.flush()
        post = ForumPost.of(services.mailroom, services.settings)
        await send_invitations(
            session, post, row.id or 0, forum_channel=None, now=services.clock.now()
        )
        await session.commit()
        return row


async def _status(live: LiveApp, row: ForumSession) -> str | None:
    async with live.services.sessions() as session:
        found = await session.exec(select(Rsvp).where(col(Rsvp.session_id) == row.id))
        place = found.first()
        return place.status if place else None


async def test_rsvp_from_the_email_link(
    browser_page: Page, live_app: LiveApp, tmp_path: Path
) -> None:
    page = browser_page
    row = await _invited(live_app)
    invitation = await live_app.email_to(1, ADDRESS)
    yes_link = _after(invitation, "Yes, I will attend: ")
    token = yes_link.rsplit("/", 1)[1]
    sam = await _sam(live_app)
    assert live_app.services.links.read_item("rsvp", token, 2)[::2] == (
        sam.id,
        [row.id, "yes"],
    )

    await page.goto(yes_link)
    await arrive(page, "Confirm you will attend")
    await expect(page.get_by_text("Referrals & thresholds")).to_be_visible()
    assert await _status(live_app, row) in (
        None,
        "invited",
    )  # opening the link did nothing
    await screenshot(page, "rsvp-confirm", tmp_path)

    await page.get_by_role("button", name="Yes, I will attend").click()
    await arrive(page, "You have a place.")
    await expect(
        page.get_by_role("link", name="https://meet.example.org/forum")
    ).to_be_visible()
    assert await _status(live_app, row) == "attending"
    await screenshot(page, "rsvp-done", tmp_path)

    confirmation = await live_app.email_to(2, ADDRESS)
    assert "Your place is booked" in str(confirmation["Subject"])
    forum_link = live_app.link_in(confirmation, "/forum/")

    await page.goto(forum_link)
    await arrive(page, "Your forum sessions")
    await expect(page.get_by_text("you have a place")).to_be_visible()
    await page.get_by_role(
        "button", name="Give up my place: Referrals & thresholds"
    ).click()
    await arrive(page, "Your forum sessions")
    await expect(page.get_by_role("status")).to_have_text(
        "You have said you cannot come."
    )
    assert await _status(live_app, row) == "declined"

    await page.goto(yes_link[:-4] + "abcd")
    await arrive(page, "Sorry, that did not work")
    await expect(page.get_by_text("This link is not valid")).to_be_visible()


def _after(message: EmailMessage, label: str) -> str:
    """The link after `label` in the plain-text part (the invitation has a yes and a no)."""
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    found = re.findall(re.escape(label) + r"(\S+)", str(body.get_content()))
    assert len(found) == 1, found
    return str(found[0])


async def _sam(live: LiveApp) -> Member:
    member = await live.member(ADDRESS)
    assert member is not None
    return member
