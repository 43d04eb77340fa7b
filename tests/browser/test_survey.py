"""Issue 8's acceptance test for surveys: a member answers the shipped Resolution and
Escalation Protocol survey, with its conditional questions, through the link in the real
invitation email the test's SMTP server received. With JavaScript on, dependent questions
appear as earlier answers are given; with it off, every question shows and the server
ignores answers to questions that do not apply."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlmodel import col, select

from bot.domain import members as m
from bot.domain import membership, surveys
from bot.store.tables import SurveyResponse
from tests.browser.conftest import LiveApp, arrive, screenshot
from tests.surveys.conftest import SAMPLE

try:
    from playwright.async_api import Locator, Page, expect
except ImportError:  # pragma: no cover - depends on the machine
    pytest.skip(
        "Playwright is not installed: pip install -e '.[dev]'", allow_module_level=True
    )

TITLE = "The Resolution and Escalation Protocol"
HOSTILE = "<script>alert(1)</script><b>bold</b>"


async def invited(live_app: LiveApp, *addresses: str) -> list[str]:
    """Add members, import and open the sample survey; the links from the emails sent."""
    services = live_app.services
    now = services.clock.now()
    async with services.sessions() as session:
        for address in addresses:
            await membership.add_member(
                session,
                services.mailroom,
                email=address,
                profile=m.Profile(name="Kim Lee"),
                now=now,
            )
        survey = await surveys.save_definition(
            session,
            surveys.read_definition(SAMPLE),
            zone=services.settings.zone,
            now=now,
        )
        await surveys.open_survey(
            session, survey.id or 0, post=services.mailroom, now=now
        )
        await session.commit()
    links = []
    for address in addresses:
        for number in range(1, 2 * len(addresses) + 1):  # welcome emails come too
            mail = await live_app.email(number)
            if mail["To"].addresses[0].addr_spec == address and "Survey" in str(
                mail["Subject"]
            ):
                links.append(live_app.link_in(mail, "/surveys/"))
                break
    assert len(links) == len(addresses)
    return links


def group(page: Page, question: str) -> Locator:
    """The fieldset of the question whose text starts with `question`."""
    return page.get_by_role("group", name=re.compile(re.escape(question)))


async def stored(live_app: LiveApp) -> list[dict[str, object]]:
    async with live_app.services.sessions() as session:
        rows = await session.exec(
            select(SurveyResponse).order_by(col(SurveyResponse.id))
        )
        return [dict(r.answers) for r in rows.all()]


async def test_a_member_answers_the_conditional_survey_in_the_browser(
    scripted_page: Page, live_app: LiveApp, tmp_path: Path
) -> None:
    page = scripted_page
    (link,) = await invited(live_app, "kim.lee@example.org")
    await page.goto(link)
    await arrive(page, TITLE)
    aware, used, resolved = (
        group(page, "Are you aware"),
        group(page, "Have you used"),
        group(page, "Was your concern resolved"),
    )
    await expect(used).to_be_hidden()
    await aware.get_by_label("Yes").check()
    await expect(used).to_be_visible()
    await expect(resolved).to_be_hidden()
    await used.get_by_label("Yes").check()
    await expect(resolved).to_be_visible()
    await page.get_by_label(re.compile("Anything else")).fill(HOSTILE)
    await page.get_by_role("button", name="Send my answers").click()

    await arrive(page, TITLE)  # the form again, with the problem next to the question
    await expect(page.get_by_role("alert")).to_contain_text(
        "Please answer this question"
    )
    await expect(resolved).to_contain_text("Please answer this question")
    await expect(aware.get_by_label("Yes")).to_be_checked()  # what was entered is kept
    await expect(page.get_by_label(re.compile("Anything else"))).to_have_value(HOSTILE)
    await screenshot(page, "survey-error", tmp_path)
    assert await stored(live_app) == []

    await resolved.get_by_label("Yes").check()
    await group(page, "At which stage").get_by_label("With managers").check()
    await group(page, "How confident").get_by_label(re.compile("Very")).check()
    await page.get_by_role("button", name="Send my answers").click()
    await arrive(page, "Thank you: your answers are recorded")
    assert await stored(live_app) == [
        {
            "aware": "yes",
            "used": "yes",
            "resolved": "yes",
            "stage": "With managers",
            "confidence": 4,
            "comments": HOSTILE,
        }
    ]
    await page.goto(link)
    await arrive(page, "You have already answered this survey")


async def test_without_javascript_answers_that_do_not_apply_are_dropped(
    browser_page: Page, live_app: LiveApp
) -> None:
    page = browser_page
    (link,) = await invited(live_app, "sam.jones@example.org")
    await page.goto(link)
    await arrive(page, TITLE)
    await expect(group(page, "Have you used")).to_be_visible()  # every question shows
    await group(page, "Are you aware").get_by_label("No").check()
    await group(page, "Have you used").get_by_label("Yes").check()
    await group(page, "Was your concern resolved").get_by_label("No").check()
    await page.get_by_role("button", name="Send my answers").click()
    await arrive(page, "Thank you: your answers are recorded")
    assert await stored(live_app) == [{"aware": "no"}]
