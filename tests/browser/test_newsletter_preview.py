"""Issue 7's acceptance test for the newsletter preview: it renders in Chromium, and a
screenshot-free property list holds: no external resources, no image (so none without alt text),
headings and a language, readable at 320px; the email has a plain-text part and is under
100 KB."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain import newsletters as nl
from bot.runtime import Services
from tests.domain.mailbox import parse, plain_text
from tests.forum.sessions_kit import new_session
from tests.newsletters.kit import new_issue, publish_briefing
from tests.polls.conftest import make_poll

try:
    from playwright.async_api import Page, Request
except ImportError:  # pragma: no cover - depends on the machine
    pytest.skip(
        "Playwright is not installed: pip install -e '.[dev]'", allow_module_level=True
    )

from tests.browser.conftest import browser_page  # noqa: F401  (a fixture)


async def _preview(services: Services) -> bytes:
    """The fullest issue: a note, a briefing, a session, a poll."""
    issue = await new_issue(services, note="A busy month.\n\nThank you all.")
    await publish_briefing(services, "Child H", summary="Professional curiosity. " * 10)
    await new_session(services, start="2026-03-20 14:00", end="2026-03-20 15:30")
    await make_poll(services, question="Next topic?")
    async with services.sessions() as session:
        row = await nl.get_newsletter(session, issue.id or 0)
        content = await nl.content_for(
            session,
            row,
            zone=services.settings.zone,
            base_url=services.links.base_url,
            now=services.clock.now(),
        )
    return nl.preview_message(
        services.mailroom,
        content,
        campaign=row.campaign,
        topics=["Neglect", "Domestic abuse"],
        now=services.clock.now(),
    )


async def test_the_preview_renders_with_no_external_resources(
    services: Services,
    browser_page: Page,  # noqa: F811
    tmp_path: Path,
) -> None:
    message = await _preview(services)
    parsed = parse(message)
    assert parsed.get_content_type() == "multipart/alternative"
    assert "Child H" in plain_text(message) and len(message) < 100 * 1024

    preview = tmp_path / "preview.html"
    preview.write_text(nl.html_part(message), encoding="utf-8")
    requested: list[str] = []

    def note(request: Request) -> None:
        requested.append(request.url)

    browser_page.on("request", note)
    await browser_page.set_viewport_size({"width": 320, "height": 640})
    await browser_page.goto(preview.as_uri())
    await browser_page.wait_for_load_state("load")
    assert requested == [preview.as_uri()], "the preview loads nothing but itself"

    page = browser_page
    assert await page.locator("html").get_attribute("lang") == "en-GB"
    assert await page.locator("h1").count() == 1
    assert (
        await page.locator("h2").count() >= 4
    )  # the chair, briefings, sessions, polls
    # No pictures at all (briefings refuse them; the layout uses none), so none can lack
    # alt text; any added later must carry it.
    assert await page.locator("img").count() == 0
    assert await page.locator("img:not([alt])").count() == 0
    for table in await page.locator("table").all():
        assert await table.get_attribute("role") == "presentation"
    assert await page.get_by_role("link", name="Unsubscribe").count() == 1
    # Readable at 320px: nothing wider than the screen, so no sideways scrolling.
    assert await page.evaluate("document.documentElement.scrollWidth") <= 320
    for heading in await page.locator("h1, h2, h3").all():
        found = await heading.bounding_box()
        assert found is not None and found["x"] + found["width"] <= 320
