"""Questions by email, over real SMTP: answered in the thread from the sample knowledge base.

The bot's inbound server (aiosmtpd) takes each question from aiosmtplib as a practitioner's
mail server would send it; the delivery worker sends the answers to the test's own SMTP
server, where they are read back. The handoff link in an answer is followed through the
real web app (ASGI), and the team's answer comes back by email.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlmodel import select

from bot.domain.knowledge import tickets
from bot.domain.knowledge.redaction import REMINDER
from bot.runtime import Services
from bot.settings import Settings
from bot.store.tables import OutboxMessage
from bot.web.app import create_app
from tests.domain.mailbox import html_text, link, parse, plain_text, token
from tests.domain.sample_knowledge import (
    CONTACTS,
    URGENT_LINE,
    ingest_sample,
    questions,
)
from tests.domain.sample_knowledge import tickets as ticket_rows
from tests.mail.test_inbound import BOT, bot_inbox, message, send
from tests.servers.smtp import Received, SmtpServer

ASKER = "fay.okoro@school.example.org"
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The partnership's contacts, so urgent replies name 999 and the front door."""
    return settings.model_copy(update={"contacts": CONTACTS})


@pytest.fixture
async def kb(services: Services) -> Services:
    """`services` over the sample knowledge base (config/knowledge)."""
    await ingest_sample(services)
    return services


@pytest.fixture
async def web(kb: Services) -> AsyncIterator[httpx.AsyncClient]:
    """The web app over the same database, as the asker's browser reaches it."""
    app = create_app(kb.settings, background=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver"
        ) as http:
            yield http


async def delivered(
    services: Services, smtpd: SmtpServer, total: int
) -> list[Received]:
    """Deliver what the bot queued; every message the test's SMTP server holds, `total` in all."""
    async with asyncio.timeout(30):
        await services.delivery_worker().drain()
        await smtpd.handler.wait_for_messages(total)
    assert len(smtpd.messages) == total
    return list(smtpd.messages)


def _body(text: str) -> list[str]:
    """The reply's paragraphs after the greeting, each on one line."""
    blocks = text.replace("\r\n", "\n").split("\n\n")
    paragraphs = [" ".join(p.split()) for p in blocks if p.strip()]
    assert paragraphs[0] == "Hello,", text
    return paragraphs[1:]


async def test_a_question_is_answered_in_its_thread_and_can_go_to_the_team(
    kb: Services, smtpd: SmtpServer, web: httpx.AsyncClient
) -> None:
    services = kb
    async with bot_inbox(services) as port:
        await send(
            port,
            message(
                f"From: Fay Okoro <{ASKER}>",
                f"To: {BOT}",
                "Subject: Disagreeing with another agency",
                "Message-ID: <q1@school.example.org>",
                body=(
                    "How do I escalate a disagreement with another agency about a child?\r\n"
                    "\r\n-- \r\nFay Okoro, DSL\r\n"
                ),
            ),
            sender=ASKER,
        )
    (received,) = await delivered(services, smtpd, 1)
    reply = parse(received.raw)
    assert received.recipients == (ASKER,)
    assert reply["Subject"] == "Re: Disagreeing with another agency"
    assert reply["In-Reply-To"] == reply["References"] == "<q1@school.example.org>"

    text = plain_text(received.raw)
    body = _body(text)
    assert body[0].startswith("Here is what the partnership's documents say:")
    assert "Resolution and Escalation Protocol" in body[0]
    assert "(Resolving professional disagreements and escalation" in body[0]
    # The sources, best first, each with its section and link.
    assert (
        '[1] Resolving professional disagreements and escalation, "The Resolution and '
        'Escalation Protocol" https://www.lscpbirmingham.org.uk/'
    ) in text.splitlines()
    html = html_text(received.raw)
    assert "Sources" in html and 'href="https://www.lscpbirmingham.org.uk/"' in html
    url = link(received.raw, services.links.base_url, "answers")
    (asked,) = await questions(services)
    assert (asked.channel, asked.kind) == ("email", "answer")
    assert asked.text.startswith("Disagreeing with another agency How do I escalate")
    assert "Fay Okoro, DSL" not in asked.text  # the signature is not the question

    # The link in the answer: the asker passes the question on; no address to type.
    page = await web.get(f"/answers/{token(url)}")
    assert page.status_code == 200 and "Pass your question to the team" in page.text
    csrf = CSRF.findall(page.text)[-1]
    handed = await web.post(
        f"/answers/{token(url)}/handoff", data={"email": "", "csrf_token": csrf}
    )
    assert handed.status_code == 200 and "Your question is with the team" in handed.text
    assert "Their answer will come to you by email." in handed.text
    (ticket,) = await ticket_rows(services)
    assert (ticket.channel, ticket.reply_to, ticket.question_id) == (
        "email",
        ASKER,
        asked.id,
    )

    # The team answers; the answer goes back to the asker by email.
    assert ticket.id is not None
    async with services.sessions() as session:
        await tickets.answer_ticket(
            session,
            services.mailroom,
            ticket.id,
            "Start with your line manager, then use stage 2 of the protocol.",
            by="chair@example.org",
            now=services.clock.now(),
        )
    first, team = await delivered(services, smtpd, 2)
    assert first is received and team.recipients == (ASKER,)
    assert str(parse(team.raw)["Subject"]).startswith("Answer to your question")
    team_text = " ".join(plain_text(team.raw).split())
    assert (
        "Start with your line manager, then use stage 2 of the protocol." in team_text
    )
    assert asked.text in team_text


async def test_an_urgent_email_gets_the_urgent_contacts_first(
    kb: Services, smtpd: SmtpServer
) -> None:
    async with bot_inbox(kb) as port:
        await send(
            port,
            message(
                f"From: {ASKER}",
                "Subject: worried about a pupil",
                body=(
                    "A boy in year 4 has just told me his mum's boyfriend hit him this morning "
                    "and he is scared to go home tonight. What do I do?\r\n"
                ),
            ),
            sender=ASKER,
        )
    (received,) = await delivered(kb, smtpd, 1)
    body = _body(plain_text(received.raw))
    assert body[0] == URGENT_LINE
    assert "designated safeguarding lead" in body[1]
    assert not any("could not find" in p for p in body)
    (asked,) = await questions(kb)
    assert asked.kind == "urgent"


async def test_identifying_details_are_not_stored_and_the_reply_reminds_first(
    kb: Services, smtpd: SmtpServer
) -> None:
    async with bot_inbox(kb) as port:
        await send(
            port,
            message(
                f"From: {ASKER}",
                "Subject: Jack, 7, B15 2TT",
                body=(
                    "I am worried about Jack, 7, who lives at B15 2TT. How do I escalate a "
                    "disagreement with another agency about him?\r\n"
                ),
            ),
            sender=ASKER,
        )
    (received,) = await delivered(kb, smtpd, 1)
    body = _body(plain_text(received.raw))
    assert body[0] == " ".join(REMINDER.split())
    assert body[1].startswith("Here is what the partnership's documents say:")
    assert "Resolution and Escalation Protocol" in body[1]

    (asked,) = await questions(kb)
    assert asked.kind == "answer"
    for detail in ("Jack", "B15", "2TT"):
        assert detail not in asked.text
    assert "[name and age]" in asked.text and "[postcode]" in asked.text
    # Nor does the queued reply keep them: the outbox holds what was sent.
    async with kb.sessions() as session:
        (row,) = (await session.exec(select(OutboxMessage))).all()
    for raw in (b"Jack", b"B15", b"2TT"):
        assert raw not in row.payload
