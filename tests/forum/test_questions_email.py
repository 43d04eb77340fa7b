"""Questions for the forum by email, over real SMTP: stored for the next session, acknowledged.

The bot's inbound server takes each message from aiosmtplib; the delivery worker sends the
acknowledgements to the test's SMTP server, where they are read back.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.runtime import Services
from bot.store.tables import SessionQuestion
from tests.conftest import StepClock
from tests.domain.mailbox import html_text, parse, plain_text
from tests.forum.question_rows import forum_session, member
from tests.mail.test_inbound import BOT, bot_inbox, message, send
from tests.mail.test_questions import delivered
from tests.servers.smtp import SmtpServer

KIM = "kim@northshire.example.org"
TYPED = "How do we <b>escalate</b> & who decides?"


async def _mail(
    services: Services, sender: str, subject: str, body: str, n: int
) -> None:
    async with bot_inbox(services) as port:
        await send(
            port,
            message(
                f"From: {sender}",
                f"To: {BOT}",
                f"Subject: {subject}",
                f"Message-ID: <q{n}@northshire.example.org>",
                body=body,
            ),
            sender=sender,
        )


async def _stored(services: Services) -> list[SessionQuestion]:
    async with services.sessions() as session:
        return list((await session.exec(select(SessionQuestion))).all())


async def test_a_members_question_goes_to_the_next_session_and_is_acknowledged(
    services: Services, smtpd: SmtpServer, clock: StepClock
) -> None:
    await member(services, KIM, "Kim Lee")
    later = await forum_session(
        services, clock.now() + timedelta(days=60), title="Summer"
    )
    soon = await forum_session(
        services, clock.now() + timedelta(days=6), title="Spring"
    )
    await forum_session(
        services, clock.now() + timedelta(days=2), title="Off", status="cancelled"
    )
    body = f"{TYPED}\r\n\r\n-- \r\nKim Lee, Northshire\r\n> earlier mail\r\n"
    await _mail(services, KIM, "Question for the forum: escalation", body, 1)

    (stored,) = await _stored(services)
    assert (stored.session_id, stored.text, stored.channel) == (soon.id, TYPED, "email")
    assert stored.member_id is not None and later.id != soon.id
    (received,) = await delivered(services, smtpd, 1)
    reply = parse(received.raw)
    assert received.recipients == (KIM,)
    assert reply["Subject"] == "Your question for the forum"
    assert reply["In-Reply-To"] == "<q1@northshire.example.org>"
    assert TYPED in plain_text(received.raw) and '"Spring"' in plain_text(received.raw)
    html = html_text(received.raw)
    assert "How do we &lt;b&gt;escalate&lt;/b&gt; &amp; who decides?" in html
    assert "<b>escalate</b>" not in html


async def test_a_question_naming_a_child_is_redacted_and_the_reply_reminds(
    services: Services, smtpd: SmtpServer, clock: StepClock
) -> None:
    await member(services, KIM, "Kim Lee")
    await forum_session(services, clock.now() + timedelta(days=6))
    await _mail(
        services, KIM, "Re: questions for the next forum", "Jack, 7, DOB 01/02/2019?", 2
    )
    (stored,) = await _stored(services)
    assert "Jack" not in stored.text and "01/02/2019" not in stored.text
    (received,) = await delivered(services, smtpd, 1)
    text = plain_text(received.raw)
    assert "do not share details" in text and "Jack" not in text


async def test_non_members_and_questions_without_a_session_are_answered_plainly(
    services: Services, smtpd: SmtpServer, clock: StepClock
) -> None:
    await member(services, KIM, "Kim Lee")
    await _mail(services, KIM, "Question for the forum", "Anyone?", 3)
    await forum_session(services, clock.now() + timedelta(days=6))
    await _mail(
        services, "stranger@elsewhere.example", "Question for the forum", "Hi?", 4
    )
    assert await _stored(services) == []
    replies = {m.recipients: m for m in await delivered(services, smtpd, 2)}
    first, second = replies[(KIM,)], replies[("stranger@elsewhere.example",)]
    assert (
        parse(first.raw)["Subject"] == "We could not take your question for the forum"
    )
    assert "no forum session coming up" in " ".join(plain_text(first.raw).split())
    assert "Only members of the forum" in plain_text(second.raw)
