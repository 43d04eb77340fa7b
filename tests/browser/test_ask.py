"""Issue 5 on the web: asking at /ask in a real browser, feedback, handoff, and the team's answer.

Chromium (JavaScript off) drives the real app under uvicorn over the sample knowledge base;
the admin's sign-in link and the answer to the asker come from the emails a real SMTP server
received; the database is checked behind the browser's back after each step.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import Settings
from bot.store.tables import Ticket
from tests.browser.conftest import CHAIR, LiveApp, arrive, screenshot
from tests.domain.sample_knowledge import (
    CONTACTS,
    URGENT_LINE,
    ingest_sample,
    questions,
    tickets,
)

try:
    from playwright.async_api import Page, expect
except ImportError:  # pragma: no cover - depends on the machine
    pytest.skip(
        "Playwright is not installed: pip install -e '.[dev]'", allow_module_level=True
    )

ASKER = "sam.patel@example.org"
ANSWERED = "What the partnership's documents say"
NOT_FOUND = "I could not find a clear answer"
ESCALATION = "How do I escalate a disagreement with another agency about a child?"
NOT_IN_THE_DOCUMENTS = "Is there a vegetarian lunch at the practitioner forum?"
TEAM_ANSWER = "Yes: every forum has a vegetarian lunch. Tell the business unit a week before if you need anything else."
URGENT = "A girl in my class has just told me her dad hit her last night and she is scared to go home"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The partnership's contacts, so urgent replies name 999 and the front door."""
    return settings.model_copy(update={"contacts": CONTACTS})


async def ask(page: Page, live_app: LiveApp, question: str, heading: str) -> None:
    await page.goto(f"{live_app.base_url}/ask")
    await arrive(page, "Ask about procedures and escalation")
    await page.get_by_label("Your question").fill(question)
    await page.get_by_role("button", name="Ask", exact=True).click()
    await arrive(page, heading)


async def test_ask_rate_hand_off_and_the_team_answers(
    browser_page: Page, live_app: LiveApp, tmp_path: Path
) -> None:
    page, services = browser_page, live_app.services
    await ingest_sample(services)

    # A question the sample documents answer: quoted, with where each quote comes from.
    await ask(page, live_app, ESCALATION, ANSWERED)
    answer = page.locator(".answer")
    await expect(answer).to_have_attribute("data-kind", "answer")
    await expect(answer).to_contain_text("Here is what the partnership's documents say")
    await expect(answer).to_contain_text("Resolution and Escalation Protocol")
    await expect(page.get_by_role("heading", name="Sources")).to_be_visible()
    sources = page.locator("ol.sources > li")
    await expect(sources.first).to_contain_text(
        "Resolving professional disagreements and escalation"
    )
    await expect(sources.first.locator("q")).not_to_be_empty()
    await screenshot(page, "ask", tmp_path)
    (asked,) = await questions(services)
    assert (asked.channel, asked.kind, asked.text, asked.helpful) == (
        "web",
        "answer",
        ESCALATION,
        None,
    )

    await page.get_by_role("button", name="Yes, helpful").click()
    await arrive(page, "Thank you")
    await expect(page.get_by_role("status")).to_have_text(
        "Thank you for your feedback."
    )
    (rated,) = await questions(services)
    assert rated.helpful is True

    # Not in the documents: said plainly, no quotes, and passed to the team by email.
    await ask(page, live_app, NOT_IN_THE_DOCUMENTS, NOT_FOUND)
    await expect(page.locator(".answer")).to_have_attribute("data-kind", "handoff")
    await expect(page.locator(".answer")).to_contain_text("would rather not guess")
    await expect(page.get_by_role("heading", name="Sources")).to_have_count(0)
    await page.get_by_label("Your work email, for the answer (optional)").fill(ASKER)
    await page.get_by_role("button", name="Pass it to the team").click()
    await arrive(page, "Your question is with the team")
    await expect(page.get_by_role("status")).to_contain_text(
        "Their answer will come to you by email."
    )
    (ticket,) = await tickets(services)
    unanswered = (await questions(services))[-1]
    assert (ticket.channel, ticket.reply_to, ticket.status) == ("email", ASKER, "open")
    assert (ticket.question_id, ticket.text) == (unanswered.id, NOT_IN_THE_DOCUMENTS)
    assert unanswered.kind == "handoff"

    # The chair signs in from the emailed link and answers, saving it to the knowledge base.
    await page.goto(f"{live_app.base_url}/admin/tickets")
    await arrive(page, "Sign in to the admin pages")
    await page.get_by_label("Your work email address").fill(CHAIR)
    await page.get_by_role("button", name="Email me a sign-in link").click()
    await arrive(page, "Check your email")
    await page.goto(
        live_app.link_in(await live_app.email_to(1, CHAIR), "/admin/sign-in/")
    )
    await page.get_by_role("button", name="Sign in to the admin pages").click()
    await arrive(page, "Members")
    await page.goto(f"{live_app.base_url}/admin/tickets")
    await arrive(page, "Questions for the team")
    waiting = page.locator(f"#ticket-{ticket.id}")
    await expect(waiting.locator("blockquote")).to_have_text(NOT_IN_THE_DOCUMENTS)
    await waiting.get_by_label("Answer", exact=True).fill(TEAM_ANSWER)
    await waiting.get_by_label(
        "Also add this question and answer to the knowledge base"
    ).check()
    await waiting.get_by_role("button", name="Send the answer").click()
    await arrive(page, "Questions for the team")
    await expect(page.get_by_text("No questions are waiting.")).to_be_visible()
    await expect(page.locator("ul li").filter(has_text=TEAM_ANSWER)).to_have_count(1)
    (done,) = await tickets(services)
    assert (done.status, done.answer, done.answered_by) == (
        "answered",
        TEAM_ANSWER,
        CHAIR,
    )

    # The asker gets the team's answer by email...
    reply = await live_app.email_to(2, ASKER)
    assert str(reply["Subject"]).startswith("Answer to your question")
    body = reply.get_body(preferencelist=("plain",))
    assert body is not None
    text = " ".join(str(body.get_content()).split())
    assert NOT_IN_THE_DOCUMENTS in text and TEAM_ANSWER in text

    # ...and the next person asking the same question gets it at once, from the documents.
    await ask(page, live_app, NOT_IN_THE_DOCUMENTS, ANSWERED)
    await expect(page.locator(".answer")).to_contain_text(TEAM_ANSWER)
    await expect(page.locator("ol.sources > li").first).to_contain_text(
        f"Answered by the team: {NOT_IN_THE_DOCUMENTS}"
    )
    assert [q.kind for q in await questions(services)] == [
        "answer",
        "handoff",
        "answer",
    ]
    assert await live_app.count(Ticket) == 1


async def test_a_child_in_danger_gets_the_urgent_contacts_first(
    browser_page: Page, live_app: LiveApp
) -> None:
    page, services = browser_page, live_app.services
    await ingest_sample(services)
    await page.goto(f"{live_app.base_url}/ask")
    await expect(page.locator("p.notice")).to_contain_text(
        "If a child is in immediate danger, call 999."
    )

    await ask(page, live_app, URGENT, "If a child is in danger now")
    answer = page.locator(".answer")
    await expect(answer).to_have_attribute("data-kind", "urgent")
    await expect(answer.locator("p").first).to_have_text(URGENT_LINE)
    await expect(answer).to_contain_text("tell your designated safeguarding lead")
    await expect(answer).not_to_contain_text(NOT_FOUND)
    (asked,) = await questions(services)
    assert (asked.kind, asked.channel) == ("urgent", "web")
    assert await live_app.count(Ticket) == 0  # nothing waits on the team
