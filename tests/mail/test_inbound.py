"""Mail to the bot: parsing commands and bounce reports, then real SMTP conversations end to end.

The end-to-end tests run the bot's inbound server (aiosmtpd) on a free port, talk to it with
aiosmtplib as a member's mail server would, and let the delivery worker send the answers to
the test's own SMTP server, where they are read back.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiosmtplib
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from bot.domain import members as m
from bot.domain import membership
from bot.domain.inbox import FailedDelivery, IncomingMail
from bot.domain.mime import message_id_for
from bot.mail.inbound import parse_incoming
from bot.mail.server import run_inbound
from bot.runtime import Services
from bot.store.tables import Member
from tests.domain.mailbox import (
    bounce_rows,
    link,
    member_rows,
    outbox_rows,
    plain_text,
    queue_test_message,
    recipient,
    subject,
    token,
)
from tests.servers.smtp import Received, SmtpServer

BOT = "forum@partnership.example.org"  # the sender address in the test settings


def message(*headers: str, body: str = "") -> bytes:
    return ("\r\n".join(headers) + "\r\n\r\n" + body).encode()


def dsn(
    final_recipient: str,
    *,
    status: str = "5.1.1",
    action: str = "failed",
    sender: str | None = None,
    message_id: str = "<unknown@elsewhere.example>",
) -> bytes:
    """A bounce report as Postfix writes it (RFC 3464): multipart/report with a delivery-status part."""
    return (
        f"From: {sender or 'Mail Delivery System <MAILER-DAEMON@mx.nhs.example.net>'}\r\n"
        f"To: {BOT}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B0UNDARY"\r\n'
        "\r\n"
        "This is a MIME-encapsulated message.\r\n"
        "\r\n"
        "--B0UNDARY\r\n"
        "Content-Description: Notification\r\n"
        "Content-Type: text/plain; charset=us-ascii\r\n"
        "\r\n"
        "I'm sorry to have to inform you that your message could not\r\n"
        "be delivered to one or more recipients.\r\n"
        "\r\n"
        "--B0UNDARY\r\n"
        "Content-Description: Delivery report\r\n"
        "Content-Type: message/delivery-status\r\n"
        "\r\n"
        "Reporting-MTA: dns; mx.nhs.example.net\r\n"
        "X-Postfix-Queue-ID: 4ABC123\r\n"
        "Arrival-Date: Sun,  1 Mar 2026 09:00:00 +0000 (GMT)\r\n"
        "\r\n"
        f"Final-Recipient: rfc822; {final_recipient}\r\n"
        f"Original-Recipient: rfc822;{final_recipient}\r\n"
        f"Action: {action}\r\n"
        f"Status: {status}\r\n"
        "Remote-MTA: dns; mail.nhs.example.net\r\n"
        f"Diagnostic-Code: smtp; 550 {status} <{final_recipient}>: Recipient address\r\n"
        "    rejected: User unknown in local recipient table\r\n"
        "\r\n"
        "--B0UNDARY\r\n"
        "Content-Description: Undelivered Message Headers\r\n"
        "Content-Type: text/rfc822-headers\r\n"
        "\r\n"
        f"From: Practitioner Forum <{BOT}>\r\n"
        f"To: {final_recipient}\r\n"
        f"Message-ID: {message_id}\r\n"
        "Subject: Forum update\r\n"
        "\r\n"
        "--B0UNDARY--\r\n"
    ).encode()


# --- parsing -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("subject_line", "command"),
    [
        ("join", "join"),
        ("JOIN", "join"),
        ("Re: join", "join"),
        ("RE: Fwd: AW: leave please", "leave"),
        ("  Help!", "help"),
        ("subscribe.", "subscribe"),
    ],
)
def test_command_comes_from_the_subject(subject_line: str, command: str) -> None:
    mail = parse_incoming(
        message(
            "From: Ann <ann@example.org>", f"Subject: {subject_line}", body="help\r\n"
        )
    )
    assert mail.command == command
    assert (
        mail.sender == "ann@example.org" and not mail.automatic and mail.failures == ()
    )


def test_command_comes_from_the_first_body_line_when_the_subject_is_empty() -> None:
    for headers in (
        ("From: ann@example.org", "Subject: "),
        ("From: ann@example.org", "Subject: Re:  "),
    ):
        mail = parse_incoming(
            message(*headers, body="\r\n\r\n   Leave\r\nThanks for everything\r\n")
        )
        assert mail.command == "leave"
    assert (
        parse_incoming(
            message("From: ann@example.org", body="join the forum\r\n")
        ).command
        == "join"
    )
    assert parse_incoming(message("From: ann@example.org")).command == ""


def test_command_is_read_from_the_plain_part_of_alternative_mail() -> None:
    raw = message(
        "From: ann@example.org",
        "MIME-Version: 1.0",
        'Content-Type: multipart/alternative; boundary="alt"',
        body=(
            "--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\njoin\r\n"
            "--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>help</p>\r\n--alt--\r\n"
        ),
    )
    assert parse_incoming(raw).command == "join"


def test_command_is_read_from_an_html_only_body() -> None:
    raw = message(
        "From: Ann <ann@example.org>",
        "MIME-Version: 1.0",
        "Content-Type: text/html; charset=utf-8",
        body=(
            '<html><head><meta charset="utf-8"><style>p { margin: 0 }</style></head>'
            '<body><div dir="ltr">Leave<br></div><div>Thanks &amp; best wishes</div></body></html>\r\n'
        ),
    )
    mail = parse_incoming(raw)
    assert mail.command == "leave"
    assert (
        "Thanks & best wishes" in mail.text
        and "<" not in mail.text
        and "margin" not in mail.text
    )


def test_sender_comes_from_the_from_header_then_the_envelope() -> None:
    assert (
        parse_incoming(message('From: "Example, Ann" <Ann@Example.ORG>')).sender
        == "ann@example.org"
    )
    assert (
        parse_incoming(message("Subject: join"), "Bob@Example.org").sender
        == "bob@example.org"
    )
    assert (
        parse_incoming(message("From: not an address", "Subject: join"), "").sender
        == ""
    )


@pytest.mark.parametrize(
    ("headers", "envelope"),
    [
        (("Auto-Submitted: auto-replied",), "ann@example.org"),
        (("Auto-Submitted: auto-generated",), "ann@example.org"),
        (("Precedence: bulk",), "ann@example.org"),
        (("Precedence: list",), "ann@example.org"),
        (("Precedence: junk",), "ann@example.org"),
        (("List-Id: Another list <other.lists.example.org>",), "ann@example.org"),
        ((), "<>"),
    ],
)
def test_automatic_mail_is_flagged(headers: tuple[str, ...], envelope: str) -> None:
    raw = message(
        "From: Ann <ann@example.org>", "Subject: join", *headers, body="join\r\n"
    )
    assert parse_incoming(raw, envelope).automatic


@pytest.mark.parametrize(
    "sender",
    ["MAILER-DAEMON@mx.example.org", "postmaster@example.org", "no-reply@example.org"],
)
def test_mail_from_system_addresses_is_automatic(sender: str) -> None:
    assert parse_incoming(message(f"From: {sender}", "Subject: help")).automatic


def test_ordinary_mail_is_not_automatic() -> None:
    raw = message(
        "From: Ann <ann@example.org>",
        "Subject: join",
        "Auto-Submitted: no",
        "Precedence: normal",
    )
    assert not parse_incoming(raw, "ann@example.org").automatic


def test_a_dsn_yields_a_permanent_failure() -> None:
    mail = parse_incoming(dsn("x@y"), "<>")
    assert mail.failures == (
        FailedDelivery(
            recipient="x@y",
            status="5.1.1",
            diagnostic=(
                "smtp; 550 5.1.1 <x@y>: Recipient address rejected: User unknown in local recipient table"
            ),
        ),
    )
    assert mail.failures[0].permanent and mail.automatic


def test_a_temporary_failure_or_delay_is_not_permanent() -> None:
    (failure,) = parse_incoming(dsn("Ann@Example.org", status="4.2.2")).failures
    assert (failure.recipient, failure.status, failure.permanent) == (
        "ann@example.org",
        "4.2.2",
        False,
    )
    assert (
        parse_incoming(
            dsn("ann@example.org", status="4.4.1", action="delayed")
        ).failures
        == ()
    )
    assert (
        parse_incoming(
            dsn("ann@example.org", action="delivered", status="2.0.0")
        ).failures
        == ()
    )


def test_a_report_with_several_recipients_lists_only_the_failed_ones() -> None:
    raw = dsn("a@example.org").replace(
        b"Final-Recipient: rfc822; a@example.org",
        b"Final-Recipient: rfc822; b@example.org\r\nAction: delayed\r\nStatus: 4.4.1\r\n\r\n"
        b"Final-Recipient: rfc822; <a@example.org>",
    )
    assert [f.recipient for f in parse_incoming(raw).failures] == ["a@example.org"]


def test_a_multipart_report_that_is_not_a_dsn_has_no_failures() -> None:
    raw = message(
        "From: ann@example.org",
        'Content-Type: multipart/report; report-type=disposition-notification; boundary="b"',
        body=(
            "--b\r\nContent-Type: text/plain\r\n\r\nYour message was read.\r\n"
            "--b\r\nContent-Type: message/disposition-notification\r\n\r\n"
            "Final-Recipient: rfc822; ann@example.org\r\nDisposition: manual-action/MDN-sent-manually; displayed\r\n"
            "--b--\r\n"
        ),
    )
    assert parse_incoming(raw).failures == ()


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\r\n\r\n",
        b"\x00\xff\xfe" * 200,
        b"no headers at all, just text",
        b"From: \xff\xfe\xfd\r\nSubject: =?utf-8?b?////?= =?x-unknown?q?=FF?=\r\n\r\n\xff\xfe",
        b"From: <<<@@@>>>\r\nTo: ,,,\r\nSubject: \x00\x01\r\n\r\nbody",
        b"From: .:\r\n\r\njoin",  # found by hypothesis: the stdlib raised AttributeError
        b"Content-Type: multipart/mixed\r\n\r\n--nob\r\nno boundary parameter",
        (
            b"Content-Type: multipart/report; report-type=delivery-status; boundary=x\r\n\r\n--x\r\n"
            b"Content-Type: message/delivery-status\r\n\r\nFinal-Recipient\r\nAction: failed\r\n--x--"
        ),
        b"Content-Type: text/plain; charset=no-such-charset\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!notbase64",
        b"Content-Type: text/html\r\n\r\n" + b"<" * 50_000 + b"<style" * 5_000,
        b"Subject: " + b"x" * 100_000 + b"\r\n\r\n" + b"y" * 100_000,
    ],
)
def test_garbage_never_raises(raw: bytes) -> None:
    assert isinstance(parse_incoming(raw, "<>"), IncomingMail)


@hypothesis_settings(max_examples=300, deadline=None)
@given(raw=st.binary(max_size=3000), envelope=st.text(max_size=40))
def test_parse_incoming_never_raises_on_arbitrary_bytes(
    raw: bytes, envelope: str
) -> None:
    mail = parse_incoming(raw, envelope)
    assert isinstance(mail.command, str) and isinstance(mail.failures, tuple)


HEADER_NAMES = (
    "From",
    "Subject",
    "Content-Type",
    "Content-Transfer-Encoding",
    "Auto-Submitted",
    "Precedence",
    "List-Id",
    "MIME-Version",
    "Final-Recipient",
    "Action",
    "Status",
)
CONTENT_TYPES = (
    "text/plain",
    "text/html",
    "multipart/alternative; boundary=b",
    "multipart/report; report-type=delivery-status; boundary=b",
    "message/delivery-status",
    "message/rfc822",
    "text/plain; charset=utf-16",
    "multipart/mixed",
)
# The characters that address and encoded-word parsers treat specially, to reach their corners.
address_syntax = st.text(
    alphabet=st.sampled_from(list(".:;,@<>\"()[]\\ =?bqBQ8-_'\té")), max_size=30
)
parts = st.one_of(
    st.sampled_from(CONTENT_TYPES).map(lambda t: f"--b\r\nContent-Type: {t}\r\n\r\n"),
    st.sampled_from(
        (
            "--b--\r\n",
            "\r\n",
            "Action: failed\r\n",
            "Status: 5.1.1\r\n",
            "Final-Recipient: rfc822; x@y\r\n",
        )
    ),
    st.text(max_size=60),
)


@hypothesis_settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    headers=st.lists(
        st.tuples(
            st.sampled_from(HEADER_NAMES),
            st.one_of(
                st.sampled_from(CONTENT_TYPES), st.text(max_size=60), address_syntax
            ),
        ),
        max_size=8,
    ),
    body=st.lists(parts, max_size=20),
)
def test_parse_incoming_never_raises_on_mail_shaped_input(
    headers: list[tuple[str, str]], body: list[str]
) -> None:
    raw = (
        "".join(f"{name}: {value}\r\n" for name, value in headers)
        + "\r\n"
        + "".join(body)
    )
    mail = parse_incoming(raw.encode("utf-8", "surrogatepass"), "<>")
    assert all(isinstance(f.permanent, bool) for f in mail.failures)


# --- over a real SMTP conversation ---------------------------------------------------------


@asynccontextmanager
async def bot_inbox(services: Services) -> AsyncIterator[int]:
    """The bot's inbound SMTP server on a free port; yields the port."""
    async with asyncio.timeout(30), run_inbound(services, "127.0.0.1", 0) as port:
        yield port


async def send(port: int, raw: bytes, *, sender: str, to: str = BOT) -> None:
    """Hand one message to the bot as a member's mail server would (an empty sender is '<>')."""
    async with (
        asyncio.timeout(10),
        aiosmtplib.SMTP(hostname="127.0.0.1", port=port) as client,
    ):
        await client.sendmail(sender, [to], raw)


async def answers(
    services: Services, smtpd: SmtpServer, expected: int
) -> list[Received]:
    """Deliver whatever the bot queued; the messages the test's SMTP server then holds."""
    async with asyncio.timeout(30):
        assert await services.delivery_worker().drain() == expected
        await smtpd.handler.wait_for_messages(expected)
    return list(smtpd.messages)


async def find(services: Services, address: str) -> Member | None:
    return next((x for x in await member_rows(services) if x.email == address), None)


async def sent_message_id(services: Services, address: str, key: str) -> str:
    """Queue a message to `address` as the bot would, and return the Message-ID it carries."""
    await queue_test_message(services, address, key)
    return message_id_for(key, services.sender.domain, services.sender.id_secret)


async def add_member(services: Services, address: str, name: str) -> Member:
    async with services.sessions() as session:
        member, _ = await membership.add_member(
            session,
            services.mailroom,
            email=address,
            profile=m.Profile(name=name),
            now=services.clock.now(),
        )
    return member


async def test_join_by_email_sends_a_confirmation_that_works(
    services: Services, smtpd: SmtpServer
) -> None:
    base_url = services.links.base_url
    async with bot_inbox(services) as port:
        await send(
            port,
            message("From: Ann Example <Ann.Example@Example.org>", "Subject: join"),
            sender="ann.example@example.org",
        )
        await send(
            port,
            message("From: bob@example.org", "Subject: Re: join", body="> join\r\n"),
            sender="bob@example.org",
        )

    ann = await find(services, "ann.example@example.org")
    assert ann is not None
    assert (ann.status, ann.name, ann.consent_method) == (
        m.PENDING,
        "Ann Example",
        "email command",
    )
    bob = await find(services, "bob@example.org")
    assert bob is not None and bob.status == m.PENDING

    received = await answers(services, smtpd, 2)
    by_recipient = {x.recipients[0]: x for x in received}
    assert set(by_recipient) == {"ann.example@example.org", "bob@example.org"}
    mail = by_recipient["ann.example@example.org"]
    assert mail.sender == BOT and recipient(mail.raw) == "ann.example@example.org"
    assert subject(mail.raw).startswith("Please confirm you want to join")
    url = link(mail.raw, base_url, "confirm")
    async with services.sessions() as session:
        confirmed = await membership.confirm_join(
            session, services.mailroom, token=token(url), now=services.clock.now()
        )
    assert (confirmed.id, confirmed.status) == (ann.id, m.ACTIVE)


async def test_leave_by_email_answers_with_an_unsubscribe_link(
    services: Services, smtpd: SmtpServer
) -> None:
    member = await add_member(services, "carl@example.org", "Carl")
    async with bot_inbox(services) as port:
        await send(
            port,
            message(
                "From: Carl <carl@example.org>", body="leave\r\n\r\n-- \r\nCarl\r\n"
            ),
            sender="carl@example.org",
        )
        await send(
            port,
            message("From: stranger@example.org", "Subject: unsubscribe"),
            sender="stranger@example.org",
        )
    assert (await find(services, "carl@example.org")) is not None
    assert (await find(services, "stranger@example.org")) is None

    received = {x.recipients[0]: x.raw for x in await answers(services, smtpd, 2)}
    assert subject(received["carl@example.org"]).startswith("Leaving the")
    url = link(received["carl@example.org"], services.links.base_url, "unsubscribe")
    assert subject(received["stranger@example.org"]).startswith("About your email")
    assert "/unsubscribe/" not in plain_text(received["stranger@example.org"])

    async with (
        services.sessions() as session
    ):  # the link, not the email, is what unsubscribes
        still = await membership.member_from_link(
            session, services.links, "unsubscribe", token(url)
        )
        assert (still.id, still.status) == (member.id, m.ACTIVE)
        assert await membership.leave(session, still, now=services.clock.now())
    gone = await find(services, "carl@example.org")
    assert gone is not None and gone.status == m.UNSUBSCRIBED


async def test_help_and_unknown_words_get_the_help_email(
    services: Services, smtpd: SmtpServer
) -> None:
    async with bot_inbox(services) as port:
        await send(
            port,
            message("From: dora@example.org", "Subject: help"),
            sender="dora@example.org",
        )
        await send(
            port,
            message("From: ed@example.org", "Subject: hello"),
            sender="ed@example.org",
        )
    received = await answers(services, smtpd, 2)
    assert sorted(x.recipients[0] for x in received) == [
        "dora@example.org",
        "ed@example.org",
    ]
    for mail in received:
        assert subject(mail.raw).startswith("How to use the")
        assert "join" in plain_text(mail.raw) and "leave" in plain_text(mail.raw)
    assert await member_rows(services) == []


async def test_a_question_by_email_is_answered_in_its_thread(
    services: Services, smtpd: SmtpServer
) -> None:
    async with bot_inbox(services) as port:
        await send(
            port,
            message(
                "From: fay@example.org",
                "Subject: escalation",
                "Message-ID: <q1@mail.example.org>",
                body="How do I escalate a disagreement with another agency?\n\n> quoted old mail",
            ),
            sender="fay@example.org",
        )
    (received,) = await answers(services, smtpd, 1)
    parsed = received.parsed()
    assert parsed["Subject"] == "Re: escalation"
    assert parsed["In-Reply-To"] == parsed["References"] == "<q1@mail.example.org>"
    body = plain_text(received.raw)
    assert (
        "could not find a clear answer" in body
    )  # no documents are ingested in this test
    assert "/answers/" in body  # a page to rate the answer or pass the question on
    assert await member_rows(services) == []


async def test_automatic_mail_gets_no_answer(
    services: Services, smtpd: SmtpServer
) -> None:
    async with bot_inbox(services) as port:
        await send(
            port,
            message(
                "From: ann@example.org",
                "Subject: Out of office: join",
                "Auto-Submitted: auto-replied",
            ),
            sender="ann@example.org",
        )
        await send(
            port,
            message("From: list@example.org", "Subject: help", "Precedence: bulk"),
            sender="list@example.org",
        )
        await send(
            port,
            message(
                "From: news@example.org", "Subject: join", "List-Id: <news.example.org>"
            ),
            sender="news@example.org",
        )
        await send(
            port, message("From: ann@example.org", "Subject: join"), sender=""
        )  # null reverse path
    assert await member_rows(services) == []
    assert await outbox_rows(services) == []
    assert await services.delivery_worker().drain() == 0
    assert smtpd.messages == []


async def test_mail_for_unknown_addresses_is_refused_with_550(
    services: Services,
) -> None:
    async with bot_inbox(services) as port:
        with pytest.raises(aiosmtplib.SMTPRecipientsRefused) as caught:
            await send(
                port,
                message("From: ann@example.org", "Subject: join"),
                sender="ann@example.org",
                to="someone@partnership.example.org",
            )
        assert caught.value.recipients[0].code == 550
        await send(
            port,
            message("From: ann@example.org", "Subject: join"),
            sender="ann@example.org",
            to=BOT.upper(),
        )
    assert [x.email for x in await member_rows(services)] == ["ann@example.org"]


async def test_bounce_reports_are_recorded_and_reach_the_threshold(
    services: Services, smtpd: SmtpServer
) -> None:
    strict = dataclasses.replace(
        services, settings=services.settings.model_copy(update={"bounce_threshold": 2})
    )
    await add_member(services, "fay@example.org", "Fay")
    other = await add_member(services, "gus@example.org", "Gus")
    first = await sent_message_id(services, "fay@example.org", "update:1:fay")
    second = await sent_message_id(services, "fay@example.org", "update:2:fay")
    async with bot_inbox(strict) as port:
        # A temporary failure is not a bounce.
        await send(
            port, dsn("fay@example.org", status="4.2.2", message_id=first), sender=""
        )
        assert await bounce_rows(services, "fay@example.org") == []

        await send(port, dsn("Fay@Example.org", message_id=first), sender="")
        (bounce,) = await bounce_rows(services, "fay@example.org")
        assert bounce.code == 500 and bounce.outbox_id is not None
        assert bounce.reason.startswith("5.1.1 smtp; 550 5.1.1")
        after_one = await find(services, "fay@example.org")
        assert after_one is not None
        assert (after_one.status, after_one.bounce_count) == (m.ACTIVE, 1)

        # A From with no domain (a bare MAILER-DAEMON) still counts.
        await send(
            port,
            dsn("fay@example.org", sender="MAILER-DAEMON", message_id=second),
            sender="",
        )
        after_two = await find(services, "fay@example.org")
        assert after_two is not None
        assert (after_two.status, after_two.bounce_count) == (m.BOUNCED, 2)
    gus = await find(services, other.email or "")
    assert gus is not None and gus.status == m.ACTIVE
    # Bounce reports are never answered: only the two messages we queued to Fay go out.
    await services.delivery_worker().drain()
    delivered = [r for received in smtpd.messages for r in received.recipients]
    assert delivered == ["fay@example.org", "fay@example.org"]


async def test_a_bounce_report_that_quotes_no_message_of_ours_is_ignored(
    services: Services,
) -> None:
    """Anyone can write to the bot; a forged report must not knock a member off the list."""
    strict = dataclasses.replace(
        services, settings=services.settings.model_copy(update={"bounce_threshold": 1})
    )
    await add_member(services, "ivy@example.org", "Ivy")
    to_someone_else = await sent_message_id(services, "jon@example.org", "update:1:jon")
    guessed = message_id_for(
        "update:1:ivy", services.sender.domain
    )  # right key, no secret
    async with bot_inbox(strict) as port:
        await send(
            port, dsn("ivy@example.org"), sender=""
        )  # quotes a stranger's Message-ID
        await send(port, dsn("ivy@example.org", message_id=to_someone_else), sender="")
        await send(port, dsn("ivy@example.org", message_id=guessed), sender="")
        await send(port, dsn("nobody@example.org"), sender="")
    assert await bounce_rows(services, "ivy@example.org") == []
    assert await bounce_rows(services, "nobody@example.org") == []
    ivy = await find(services, "ivy@example.org")
    assert ivy is not None and ivy.status == m.ACTIVE


async def test_one_bounce_report_is_enough_at_threshold_1(services: Services) -> None:
    strict = dataclasses.replace(
        services, settings=services.settings.model_copy(update={"bounce_threshold": 1})
    )
    await add_member(services, "hal@example.org", "Hal")
    sent = await sent_message_id(services, "hal@example.org", "update:1:hal")
    async with bot_inbox(strict) as port:
        await send(
            port, dsn("hal@example.org", status="5.2.1", message_id=sent), sender=""
        )
    hal = await find(services, "hal@example.org")
    assert hal is not None and hal.status == m.BOUNCED
