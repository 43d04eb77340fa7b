"""Issue 3's acceptance test: a practitioner joins, confirms from the email, changes choices, leaves.

Chromium (with JavaScript off) drives the real app served by uvicorn; the confirmation link
comes from the email a real SMTP server received; the database is checked after every step.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain import members as m
from bot.store.tables import Member, OutboxMessage
from tests.browser.conftest import LiveApp, arrive, check_html, screenshot

try:
    from playwright.async_api import Page, expect
except ImportError:  # pragma: no cover - depends on the machine
    pytest.skip(
        "Playwright is not installed: pip install -e '.[dev]'", allow_module_level=True
    )

ADDRESS = "sam.patel@example.org"


async def test_join_confirm_preferences_leave(
    browser_page: Page, live_app: LiveApp, tmp_path: Path
) -> None:
    page, settings = browser_page, live_app.services.settings
    organisation = page.get_by_label("Organisation", exact=True)
    await page.goto(f"{live_app.base_url}/join")
    await arrive(page, f"Join the {settings.partnership_short_name} Practitioner Forum")
    await screenshot(page, "join", tmp_path)

    # A bad address and no consent: the page explains, keeps what was typed, stores nothing.
    await page.get_by_label("Work email address").fill("sam.patel@")
    await page.get_by_label("Your name").fill("Sam Patel")
    await page.get_by_role("button", name="Join the forum").click()
    summary = page.get_by_role("alert")
    await expect(summary).to_contain_text("There is a problem")
    await expect(summary).to_contain_text("Tick the box to agree")
    for target in ("#email", "#consent"):
        await expect(summary.locator(f'a[href="{target}"]')).to_be_visible()
    await expect(page.get_by_label("Your name")).to_have_value("Sam Patel")
    check_html(await page.content())
    await screenshot(page, "join-errors", tmp_path)
    assert (await live_app.count(Member), await live_app.count(OutboxMessage)) == (0, 0)

    await page.get_by_label("Work email address").fill("  Sam.Patel@Example.ORG ")
    await organisation.select_option("West Midlands Police")
    await page.get_by_label("Neglect").check()
    await page.get_by_label("I agree", exact=True).check()
    await page.get_by_role("button", name="Join the forum").click()
    await arrive(page, "Check your email")
    member = await live_app.member_in(ADDRESS, m.PENDING)
    assert (member.organisation, member.topics) == ("West Midlands Police", ["Neglect"])
    assert member.consent_at is None

    confirmation = await live_app.email_to(1, ADDRESS)
    await page.goto(live_app.link_in(confirmation, "/confirm/"))
    await arrive(page, "Confirm you want to join")
    await page.get_by_role("button", name="Confirm and join").click()
    await arrive(page, "You have joined the forum")
    member = await live_app.member_in(ADDRESS, m.ACTIVE)
    assert member.consent_at is not None and member.consent_method == "web form"
    assert member.consent_wording == settings.consent_wording
    await live_app.email_to(2, ADDRESS)  # the welcome

    await page.get_by_role("link", name="Choose your topics").click()
    await arrive(page, "Your choices")
    await page.get_by_label("Neglect").uncheck()
    await page.get_by_label("Domestic abuse").check()
    await page.get_by_label("Early help").check()
    await organisation.select_option("Education: Primary school")
    await page.get_by_role("button", name="Save my choices").click()
    await expect(page.get_by_role("status")).to_have_text(
        "Your choices have been saved."
    )
    member = await live_app.member_in(ADDRESS, m.ACTIVE)
    assert member.organisation == "Education: Primary school"
    assert member.topics == ["Domestic abuse", "Early help"]

    await page.get_by_role("link", name="Leave the forum").click()
    await arrive(page, "Leave the Practitioner Forum")
    await page.get_by_role("button", name="Leave the forum").click()
    await arrive(page, "You have left the forum")
    member = await live_app.member_in(ADDRESS, m.UNSUBSCRIBED)
    assert member.left_at is not None and member.consent_at is not None
