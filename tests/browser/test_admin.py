"""Admin sign-in in a browser: a one-time link by email, then the members page with its charts."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain import membership
from bot.domain.members import Profile
from tests.browser.conftest import CHAIR, LiveApp, arrive, screenshot

try:
    from playwright.async_api import Page, expect
except ImportError:  # pragma: no cover - depends on the machine
    pytest.skip(
        "Playwright is not installed: pip install -e '.[dev]'", allow_module_level=True
    )

PEOPLE = [
    ("asha.khan@example.org", "Asha Khan", "West Midlands Police", ("Neglect",)),
    (
        "ben.ode@example.org",
        "Ben Ode",
        "Birmingham Children's Trust",
        ("Neglect", "Early help"),
    ),
]


async def _add_members(live_app: LiveApp) -> None:
    services = live_app.services
    async with services.sessions() as session:
        for email, name, organisation, topics in PEOPLE:
            await membership.add_member(
                session,
                services.mailroom,
                email=email,
                profile=Profile(name=name, organisation=organisation, topics=topics),
                now=services.clock.now(),
            )


async def test_admin_signs_in_by_emailed_link_that_works_once(
    browser_page: Page, live_app: LiveApp, tmp_path: Path
) -> None:
    page = browser_page
    await _add_members(live_app)
    await page.goto(f"{live_app.base_url}/admin/members")
    await arrive(page, "Sign in to the admin pages")
    await page.get_by_label("Your work email address").fill(CHAIR.upper())
    await page.get_by_role("button", name="Email me a sign-in link").click()
    await arrive(page, "Check your email")

    message = await live_app.email_to(1, CHAIR)
    link = live_app.link_in(message, "/admin/sign-in/")
    await page.goto(link)
    await arrive(page, "Sign in")
    await page.get_by_role("button", name="Sign in to the admin pages").click()
    await arrive(page, "Members")
    assert page.url == f"{live_app.base_url}/admin/members"
    await expect(page.get_by_text(f"Signed in as {CHAIR} (chair)")).to_be_visible()
    by_org = page.get_by_role("img", name="Active members by organisation")
    await expect(by_org).to_be_visible()
    await expect(by_org).to_contain_text("West Midlands Police")
    await expect(
        page.get_by_role("img", name="Active members by topic")
    ).to_be_visible()
    rows = page.locator("table:not(details table) tbody tr")
    await expect(rows).to_have_count(len(PEOPLE))
    for email, name, organisation, _topics in PEOPLE:
        row = rows.filter(has_text=email)
        await expect(row).to_contain_text(name)
        await expect(row).to_contain_text(organisation)
        await expect(row).to_contain_text("active")
    await screenshot(page, "admin-members", tmp_path)

    # The same link again, in a browser nobody has signed in with: refused, and no session.
    assert page.context.browser is not None
    stranger = await page.context.browser.new_context(java_script_enabled=False)
    other = await stranger.new_page()
    await other.goto(link)
    await other.get_by_role("button", name="Sign in to the admin pages").click()
    await arrive(other, "Sorry, that did not work")
    await expect(other.get_by_text("already been used")).to_be_visible()
    await other.goto(f"{live_app.base_url}/admin/members")
    await arrive(other, "Sign in to the admin pages")
