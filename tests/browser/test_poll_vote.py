"""Issue 6's acceptance test for polls: a member votes, then changes their vote, through the
links in the real poll email that the test's SMTP server received; Chromium with JavaScript off."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.domain import members as m
from bot.domain import membership, polls
from bot.slack.poll_blocks import drawer
from bot.store.tables import Poll
from tests.browser.conftest import LiveApp, arrive, screenshot

try:
    from playwright.async_api import Page, expect
except ImportError:  # pragma: no cover - depends on the machine
    pytest.skip(
        "Playwright is not installed: pip install -e '.[dev]'", allow_module_level=True
    )

ADDRESS = "kim.lee@example.org"
QUESTION = "What should the next forum cover?"


async def announced_poll(live_app: LiveApp) -> Poll:
    services = live_app.services
    settings, now = services.settings, services.clock.now()
    async with services.sessions() as session:
        await membership.add_member(
            session,
            services.mailroom,
            email=ADDRESS,
            profile=m.Profile(name="Kim Lee"),
            now=now,
        )
        draft = polls.PollDraft(
            QUESTION,
            ["Improving referrals", "Children out of sight", "Neglect toolkit"],
            datetime.now() + timedelta(days=3),
        )
        poll = await polls.create_poll(
            session, draft, created_by="chair", zone=settings.zone, now=now
        )
        await polls.announce_poll(
            session,
            poll,
            room=services.mailroom,
            slack_channel=None,
            draw=drawer(settings.zone),
            zone=settings.zone,
            now=now,
        )
    return poll


async def test_a_member_votes_and_changes_their_vote_from_the_email(
    browser_page: Page, live_app: LiveApp, tmp_path: Path
) -> None:
    page = browser_page
    poll = await announced_poll(live_app)
    mail = await live_app.email_to(1, ADDRESS)
    assert str(mail["Subject"]) == f"Poll: {QUESTION}"
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None
    links = re.findall(
        re.escape(live_app.base_url) + r"/vote/[^\s<>\"]+", body.get_content()
    )
    assert len(links) == 3

    await page.goto(links[1])
    await arrive(page, QUESTION)
    await expect(page.get_by_label("Children out of sight")).to_be_checked()
    await screenshot(page, "poll-vote", tmp_path)
    assert (await _votes(live_app, poll)) == []  # opening the link did not vote
    await page.get_by_role("button", name="Confirm my vote").click()
    await arrive(page, "Your vote is recorded")
    await expect(page.get_by_role("status")).to_contain_text("Children out of sight")
    assert await _votes(live_app, poll) == [[1]]

    await page.goto(links[2])
    await arrive(page, QUESTION)
    await page.get_by_label(
        "Improving referrals"
    ).check()  # changes their mind on the page
    await page.get_by_role("button", name="Confirm my vote").click()
    await arrive(page, "Your vote is recorded")
    assert await _votes(live_app, poll) == [[0]]


async def _votes(live_app: LiveApp, poll: Poll) -> list[list[int]]:
    async with live_app.services.sessions() as session:
        member = await m.find_member(session, ADDRESS)
        assert member is not None and member.id is not None
        vote = await polls.find_vote(session, poll.id or 0, member.id)
    return [vote.choices] if vote else []
