"""The question pages refuse forged forms and bad links, keep web askers' tickets, and escape HTML.

The real app (its lifespan entered, no background parts) over httpx's ASGI transport, on
SQLite and on PostgreSQL; the database is read behind the pages' back.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from markupsafe import escape

from bot.domain.knowledge import store, tickets
from bot.runtime import Services
from bot.settings import Admin, Settings
from bot.store.db import upgrade_schema
from bot.web.app import create_app
from tests.domain.mailbox import outbox_rows
from tests.domain.sample_knowledge import questions
from tests.domain.sample_knowledge import tickets as ticket_rows
from tests.web.signing import sign_in

CHAIR = "chair@example.org"
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
# Each form on the answer page: its action, then (in the form) its CSRF token.
FORM = r'action="(/answers/[^"]+/{0})"[^>]*>\s*<input id="[^"]+" name="csrf_token" type="hidden" value="([^"]+)"'
QUESTION = "What should I do when a school and the police disagree about a referral?"
SCRIPT = "<script>alert(1)</script>"


@dataclass
class Site:
    services: Services
    http: httpx.AsyncClient


@pytest.fixture
async def site(settings: Settings) -> AsyncIterator[Site]:
    configured = settings.model_copy(
        update={"admins": [Admin(email=CHAIR, roles=["chair"])]}
    )
    upgrade_schema(configured.effective_database_url)
    app = create_app(configured, background=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver"
        ) as http:
            yield Site(app.state.services, http)


def _token(page: httpx.Response) -> str:
    found = TOKEN.search(page.text)
    assert found is not None, "the form has no CSRF token"
    return found.group(1)


def _form(page: httpx.Response, name: str) -> tuple[str, str]:
    """(action, CSRF token) of the answer page's `feedback` or `handoff` form."""
    found = re.search(FORM.format(name), page.text)
    assert found is not None, f"the page has no {name} form:\n{page.text}"
    return found.group(1), found.group(2)


async def _ask(site: Site, question: str) -> httpx.Response:
    """Ask at /ask as a browser does; the answer page."""
    form = _token(await site.http.get("/ask"))
    page = await site.http.post("/ask", data={"question": question, "csrf_token": form})
    assert page.status_code == 200, page.text
    return page


async def _sign_in(site: Site) -> None:
    """Sign in as the chair with the link the sign-in email carries."""
    done = await sign_in(site.http, site.services, CHAIR)
    assert done.headers["location"] == "/admin/members"


async def test_asking_without_a_csrf_token_is_refused_and_nothing_is_logged(
    site: Site,
) -> None:
    await site.http.get("/ask")  # a session exists, but the post carries no token
    refused = await site.http.post("/ask", data={"question": QUESTION})
    assert refused.status_code == 400 and "There is a problem" in refused.text
    forged = await site.http.post(
        "/ask", data={"question": QUESTION, "csrf_token": "not-a-token"}
    )
    assert forged.status_code == 400
    assert await questions(site.services) == []

    await _ask(site, QUESTION)
    assert [q.text for q in await questions(site.services)] == [QUESTION]


async def test_a_tampered_answer_link_shows_a_friendly_page_and_changes_nothing(
    site: Site,
) -> None:
    services = site.services
    action, form = _form(await _ask(site, QUESTION), "handoff")
    good = action.split("/")[2]
    (asked,) = await questions(services)
    tampered = good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB")
    # Genuine, but not an answer link.
    other_purpose = services.links.token("ticket", asked.id)
    for bad in (tampered, other_purpose):
        for answer in (
            await site.http.get(f"/answers/{bad}"),
            await site.http.post(
                f"/answers/{bad}/feedback", data={"helpful": "no", "csrf_token": form}
            ),
            await site.http.post(
                f"/answers/{bad}/handoff", data={"email": "", "csrf_token": form}
            ),
        ):
            assert answer.status_code == 400
            assert "Sorry, that did not work" in answer.text
            assert "not valid" in answer.text
    (unchanged,) = await questions(services)
    assert unchanged.helpful is None
    assert await ticket_rows(services) == []
    assert (await site.http.get(f"/answers/{good}")).status_code == 200


async def test_feedback_without_a_csrf_token_changes_nothing(site: Site) -> None:
    action, form = _form(await _ask(site, QUESTION), "feedback")
    refused = await site.http.post(action, data={"helpful": "yes"})
    assert refused.status_code == 400 and "did not work" in refused.text
    (asked,) = await questions(site.services)
    assert asked.helpful is None

    thanked = await site.http.post(action, data={"helpful": "no", "csrf_token": form})
    assert thanked.status_code == 200 and "Thank you for your feedback." in thanked.text
    (rated,) = await questions(site.services)
    assert rated.helpful is False


async def test_a_web_handoff_without_an_email_gives_a_ticket_page_with_the_answer(
    site: Site,
) -> None:
    services = site.services
    page = await _ask(site, QUESTION)
    assert "I could not find a clear answer" in page.text  # nothing is ingested here
    action, form = _form(page, "handoff")
    handed = await site.http.post(action, data={"email": "", "csrf_token": form})
    assert handed.status_code == 200 and "Your question is with the team" in handed.text
    found = re.search(r'href="(/tickets/[^"]+)"', handed.text)
    assert found is not None, handed.text
    ticket_url = found.group(1)
    (ticket,) = await ticket_rows(services)
    (asked,) = await questions(services)
    assert (ticket.channel, ticket.reply_to, ticket.question_id, ticket.text) == (
        "web",
        None,
        asked.id,
        QUESTION,
    )
    again = await site.http.post(action, data={"email": "", "csrf_token": form})
    assert again.status_code == 200 and len(await ticket_rows(services)) == 1

    waiting = await site.http.get(ticket_url)
    assert waiting.status_code == 200
    assert QUESTION in waiting.text and "The team has not answered yet" in waiting.text

    assert ticket.id is not None
    async with services.sessions() as session:
        await tickets.answer_ticket(
            session,
            services.mailroom,
            ticket.id,
            "Use the Resolution and Escalation Protocol.\n\nStart with your manager.",
            by=CHAIR,
            now=services.clock.now(),
        )
    answered = await site.http.get(ticket_url)
    assert "Answer from the team" in answered.text
    assert "not answered yet" not in answered.text
    assert "<p>Use the Resolution and Escalation Protocol.</p>" in answered.text
    assert "<p>Start with your manager.</p>" in answered.text
    assert await outbox_rows(services) == []  # a web asker reads it on the page

    tampered = await site.http.get(ticket_url[:-4] + "AAAA")
    assert tampered.status_code == 400 and "not valid" in tampered.text


@pytest.mark.parametrize("page", ["/admin/tickets", "/admin/questions"])
async def test_the_team_pages_need_a_sign_in(site: Site, page: str) -> None:
    answer = await site.http.get(page)
    assert answer.status_code == 303 and answer.headers["location"] == "/admin/sign-in"


async def test_answering_a_ticket_needs_a_sign_in(site: Site) -> None:
    action, form = _form(await _ask(site, QUESTION), "handoff")
    await site.http.post(action, data={"email": "", "csrf_token": form})
    (ticket,) = await ticket_rows(site.services)
    forged = await site.http.post(
        f"/admin/tickets/{ticket.id}", data={"answer": "Forged", "csrf_token": form}
    )
    assert forged.status_code == 303 and forged.headers["location"] == "/admin/sign-in"
    (unchanged,) = await ticket_rows(site.services)
    assert (unchanged.status, unchanged.answer) == ("open", None)


async def test_html_in_questions_answers_and_documents_is_shown_as_text(
    site: Site, tmp_path: Path
) -> None:
    services = site.services
    document = tmp_path / "escalation.md"
    document.write_text(
        f"---\ntitle: Escalation {SCRIPT}\n---\n\n"
        f"## Disagreeing {SCRIPT}\n\n"
        f"To escalate a disagreement with another agency, speak to your manager {SCRIPT} first, "
        "then follow the Resolution and Escalation Protocol.\n\n"
        "## Training\n\nThe partnership runs multi-agency training on neglect every term.\n\n"
        "## Reviews\n\nA rapid review is completed within fifteen working days.\n"
    )
    async with services.sessions() as session:
        await store.ingest(
            session,
            [store.SourceFile(str(document), document.read_bytes())],
            roots=[],
            now=services.clock.now(),
        )
    shown = escape(SCRIPT)
    assert "&lt;script&gt;" in shown

    # The answer page: the quoted passage, its title and section are text, not markup.
    question = f"{SCRIPT} How do I escalate a disagreement with another agency?"
    page = await _ask(site, question)
    assert "What the partnership's documents say" in page.text
    assert "<script" not in page.text
    assert f"Escalation {shown}" in page.text and f"Disagreeing {shown}" in page.text
    assert f"your manager {shown} first" in page.text

    # Marked not helpful and passed on: the team's pages show the question as text.
    action, form = _form(page, "feedback")
    await site.http.post(action, data={"helpful": "no", "csrf_token": form})
    action, form = _form(page, "handoff")
    handed = await site.http.post(action, data={"email": "", "csrf_token": form})
    found = re.search(r'href="(/tickets/[^"]+)"', handed.text)
    assert found is not None
    ticket_url = found.group(1)
    (ticket,) = await ticket_rows(services)
    assert ticket.text == question  # stored as typed, escaped when shown

    await _sign_in(site)
    for admin_page in ("/admin/questions", "/admin/tickets"):
        shown_page = await site.http.get(admin_page)
        assert shown_page.status_code == 200
        assert "<script" not in shown_page.text
        assert str(escape(question)) in shown_page.text, admin_page

    # The team's answer, with markup in it, is text on the ticket page and the admin page.
    csrf = _token(await site.http.get("/admin/tickets"))
    sent = await site.http.post(
        f"/admin/tickets/{ticket.id}",
        data={"answer": f"Ask your manager {SCRIPT} today.", "csrf_token": csrf},
    )
    assert sent.status_code == 303 and sent.headers["location"] == "/admin/tickets"
    for shown_page in (
        await site.http.get(ticket_url),
        await site.http.get("/admin/tickets"),
    ):
        assert "<script" not in shown_page.text
        assert f"Ask your manager {shown} today." in shown_page.text
        assert str(escape(question)) in shown_page.text


async def test_every_admin_page_links_to_the_others_and_public_pages_do_not(
    site: Site,
) -> None:
    public = await site.http.get("/ask")
    assert 'aria-label="Admin pages"' not in public.text
    await _sign_in(site)
    page = await site.http.get("/admin/tickets")
    nav = page.text.split('aria-label="Admin pages"', 1)[1].split("</nav>", 1)[0]
    for path in (
        "/admin/sessions",
        "/admin/briefings",
        "/admin/surveys",
        "/admin/training",
    ):
        assert f'href="{path}"' in nav
