"""SmtpMailer's contract, against a real aiosmtpd server: replies map to our errors, connections are pooled.

Faults come from the server (tests/servers/smtp.py), never from patches on the client. Where
a test needs a fault the server has no switch for (a connection dropped while idle, a one-shot
drop), it wraps one of the server handler's hooks; the client code under test is untouched.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiosmtplib
import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session

from bot.errors import DeliveryError, PermanentDeliveryError, TemporaryDeliveryError
from bot.mail.mailer import SmtpMailer, SmtpOptions, classify
from bot.settings import Settings
from tests.servers.smtp import SmtpServer

SENDER = "bounces@partnership.example.org"
PAYLOAD = (
    b"From: forum@partnership.example.org\r\n"
    b"To: member@example.org\r\n"
    b"Subject: contract test\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"Content-Transfer-Encoding: 8bit\r\n"
    b"\r\n"
    b".a line that starts with a dot must be dot-stuffed and unstuffed\r\n"
    b"..two dots, too\r\n"
    b"caf\xc3\xa9 and trailing spaces   \r\n"
    b"\r\n"
)

MailerFactory = Callable[..., SmtpMailer]


@pytest.fixture
async def make_mailer(smtpd: SmtpServer) -> AsyncIterator[MailerFactory]:
    """Build mailers aimed at the test server (or elsewhere); every one is closed afterwards."""
    made: list[SmtpMailer] = []

    def make(**options: Any) -> SmtpMailer:
        settings: dict[str, Any] = {
            "host": smtpd.host,
            "port": smtpd.port,
            "envelope_sender": SENDER,
            "timeout": 5.0,
            **options,
        }
        mailer = SmtpMailer(SmtpOptions(**settings))
        made.append(mailer)
        return mailer

    yield make
    for mailer in made:
        await mailer.aclose()


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on: bound by us, then released."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_delivers_the_payload_bytes_intact(
    make_mailer: MailerFactory, smtpd: SmtpServer
) -> None:
    await make_mailer().deliver("member@example.org", PAYLOAD)
    (received,) = smtpd.messages
    assert received.raw == PAYLOAD
    assert received.sender == SENDER
    assert received.recipients == ("member@example.org",)


async def test_rcpt_550_is_permanent(
    make_mailer: MailerFactory, smtpd: SmtpServer
) -> None:
    smtpd.faults.rcpt["gone@example.org"] = 550
    with pytest.raises(PermanentDeliveryError) as caught:
        await make_mailer().deliver("gone@example.org", PAYLOAD)
    assert caught.value.code == 550
    assert caught.value.permanent
    assert "mailbox unavailable" in str(caught.value)
    assert smtpd.messages == []


async def test_rcpt_451_is_temporary(
    make_mailer: MailerFactory, smtpd: SmtpServer
) -> None:
    smtpd.faults.rcpt["busy@example.org"] = 451
    with pytest.raises(TemporaryDeliveryError) as caught:
        await make_mailer().deliver("busy@example.org", PAYLOAD)
    assert caught.value.code == 451
    assert not caught.value.permanent
    assert smtpd.messages == []


@pytest.mark.parametrize(
    ("code", "error_type"),
    [(554, PermanentDeliveryError), (452, TemporaryDeliveryError)],
)
async def test_data_reply_decides_the_error(
    make_mailer: MailerFactory,
    smtpd: SmtpServer,
    code: int,
    error_type: type[DeliveryError],
) -> None:
    smtpd.faults.data_code = code
    with pytest.raises(error_type) as caught:
        await make_mailer().deliver("member@example.org", PAYLOAD)
    assert caught.value.code == code
    assert caught.value.permanent is (code >= 500)
    assert smtpd.messages == []


async def test_a_refusal_leaves_the_connection_usable(
    make_mailer: MailerFactory, smtpd: SmtpServer
) -> None:
    mailer = make_mailer(pool_size=1)
    smtpd.faults.rcpt["gone@example.org"] = 550
    with pytest.raises(PermanentDeliveryError):
        await mailer.deliver("gone@example.org", PAYLOAD)
    await mailer.deliver("member@example.org", PAYLOAD)
    assert [m.recipients for m in smtpd.messages] == [("member@example.org",)]
    assert smtpd.handler.connections == 1


async def test_unreachable_server_is_temporary(make_mailer: MailerFactory) -> None:
    mailer = make_mailer(port=closed_port())
    with pytest.raises(TemporaryDeliveryError) as caught:
        await mailer.deliver("member@example.org", PAYLOAD)
    assert caught.value.code is None
    assert not caught.value.permanent


async def test_connection_dropped_while_idle_is_reopened(
    make_mailer: MailerFactory, smtpd: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The relay closes an idle pooled connection (as relays do after a time-out); we send anyway."""
    sessions: list[SMTP] = []
    original_ehlo = smtpd.handler.handle_EHLO

    async def recording_ehlo(
        server: SMTP,
        session: Session,
        envelope: Envelope,
        hostname: str,
        responses: list[str],
    ) -> list[str]:
        sessions.append(server)
        return await original_ehlo(server, session, envelope, hostname, responses)

    monkeypatch.setattr(smtpd.handler, "handle_EHLO", recording_ehlo)
    mailer = make_mailer(pool_size=1)
    await mailer.deliver("first@example.org", PAYLOAD)
    (session,) = sessions
    assert session.transport is not None
    session.transport.close()  # server side: the client's pooled connection is now dead

    await mailer.deliver("second@example.org", PAYLOAD)
    assert [m.recipients for m in smtpd.messages] == [
        ("first@example.org",),
        ("second@example.org",),
    ]
    assert smtpd.handler.connections == 2


async def test_reused_connection_lost_mid_command_is_retried_once(
    make_mailer: MailerFactory, smtpd: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The connection looks alive but the server hangs up at MAIL: reconnect and send, once."""
    original_mail = smtpd.handler.handle_MAIL

    async def drop_once(
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        options: list[str],
    ) -> str:
        reply = await original_mail(server, session, envelope, address, options)
        smtpd.faults.drop_connections = False
        return reply

    monkeypatch.setattr(smtpd.handler, "handle_MAIL", drop_once)
    mailer = make_mailer(pool_size=1)
    await mailer.deliver("first@example.org", PAYLOAD)
    smtpd.faults.drop_connections = True
    await mailer.deliver("second@example.org", PAYLOAD)
    assert [m.recipients for m in smtpd.messages] == [
        ("first@example.org",),
        ("second@example.org",),
    ]
    assert smtpd.handler.connections == 2


async def test_reused_connection_is_retried_only_once(
    make_mailer: MailerFactory, smtpd: SmtpServer
) -> None:
    """A server that keeps hanging up costs one reconnect, then a temporary failure: no loop."""
    mailer = make_mailer(pool_size=1)
    await mailer.deliver("first@example.org", PAYLOAD)
    smtpd.faults.drop_connections = True
    with pytest.raises(TemporaryDeliveryError):
        await mailer.deliver("second@example.org", PAYLOAD)
    assert smtpd.handler.connections == 2
    assert len(smtpd.messages) == 1


async def test_a_fresh_connection_lost_is_not_retried_and_does_not_poison_the_pool(
    make_mailer: MailerFactory, smtpd: SmtpServer
) -> None:
    """Only a reused connection earns the free reconnect; the next delivery connects afresh."""
    smtpd.faults.drop_connections = True
    mailer = make_mailer(pool_size=1)
    with pytest.raises(TemporaryDeliveryError):
        await mailer.deliver("member@example.org", PAYLOAD)
    assert smtpd.handler.connections == 1
    smtpd.faults.drop_connections = False
    await mailer.deliver("member@example.org", PAYLOAD)
    assert len(smtpd.messages) == 1
    assert smtpd.handler.connections == 2


async def test_connections_are_pooled_and_reused(
    make_mailer: MailerFactory, smtpd: SmtpServer
) -> None:
    mailer = make_mailer(pool_size=4)
    await asyncio.gather(
        *(mailer.deliver(f"m{i}@example.org", PAYLOAD) for i in range(20))
    )
    assert smtpd.handler.connections == 4  # twenty concurrent sends never open a fifth
    for i in range(20, 40):
        await mailer.deliver(f"m{i}@example.org", PAYLOAD)
    assert smtpd.handler.connections == 4
    assert len(smtpd.handler.per_recipient) == 40
    assert set(smtpd.handler.per_recipient.values()) == {1}


async def test_a_closed_mailer_reconnects_on_next_use(
    make_mailer: MailerFactory, smtpd: SmtpServer
) -> None:
    mailer = make_mailer(pool_size=2)
    await asyncio.gather(
        *(mailer.deliver(f"m{i}@example.org", PAYLOAD) for i in range(4))
    )
    await mailer.aclose()
    await mailer.deliver("late@example.org", PAYLOAD)
    assert len(smtpd.messages) == 5
    assert smtpd.handler.connections == 3


def test_rate_limit_is_configured_from_options() -> None:
    """The limiter's settings, not its timing: a wall-clock assertion would flake on a busy host."""
    limited = SmtpMailer(
        SmtpOptions(
            host="127.0.0.1", port=25, envelope_sender=SENDER, rate_per_second=20
        )
    )
    limiter = limited._limiter  # private: nothing public exposes the limiter
    assert limiter is not None
    assert (limiter.max_rate, limiter.time_period) == (20, 1.0)
    unlimited = SmtpMailer(
        SmtpOptions(
            host="127.0.0.1", port=25, envelope_sender=SENDER, rate_per_second=0
        )
    )
    assert unlimited._limiter is None


def test_options_follow_settings(tmp_path: Path) -> None:
    settings = Settings(
        _env_file=None,
        data_dir=tmp_path,
        smtp_host="relay.example.org",
        smtp_port=2587,
        smtp_security="tls",
        smtp_username="forum",
        smtp_password="secret",
        smtp_pool_size=7,
        smtp_rate_per_second=12.5,
        sender_address="forum@partnership.example.org",
        bounce_address="bounces@partnership.example.org",
    )
    options = SmtpOptions.from_settings(settings)
    assert options == SmtpOptions(
        host="relay.example.org",
        port=2587,
        envelope_sender="bounces@partnership.example.org",
        security="tls",
        username="forum",
        password="secret",
        timeout=30.0,
        pool_size=7,
        rate_per_second=12.5,
    )


def test_without_a_relay_mail_goes_unthrottled_to_the_catcher(tmp_path: Path) -> None:
    settings = Settings(
        _env_file=None,
        data_dir=tmp_path,
        catcher_port=1125,
        smtp_rate_per_second=5,
        sender_address="forum@partnership.example.org",
    )
    options = SmtpOptions.from_settings(settings)
    assert (options.host, options.port, options.rate_per_second) == (
        "127.0.0.1",
        1125,
        0.0,
    )
    assert options.envelope_sender == "forum@partnership.example.org"


# --- classify: aiosmtplib's exceptions to ours


@pytest.mark.parametrize(
    ("error", "permanent", "code"),
    [
        (aiosmtplib.SMTPResponseException(550, "no such user"), True, 550),
        (aiosmtplib.SMTPResponseException(599, "odd but 5xx"), True, 599),
        (aiosmtplib.SMTPResponseException(421, "closing"), False, 421),
        (aiosmtplib.SMTPResponseException(451, "greylisted"), False, 451),
        (aiosmtplib.SMTPSenderRefused(553, "sender rejected", SENDER), True, 553),
        (aiosmtplib.SMTPDataError(452, "out of space"), False, 452),
        (aiosmtplib.SMTPRecipientRefused(550, "unknown", "x@example.org"), True, 550),
        (
            aiosmtplib.SMTPRecipientsRefused(
                [aiosmtplib.SMTPRecipientRefused(450, "busy", "x@example.org")]
            ),
            False,
            450,
        ),
        (aiosmtplib.SMTPServerDisconnected("Connection lost"), False, None),
        (aiosmtplib.SMTPConnectError("refused"), False, None),
        (aiosmtplib.SMTPTimeoutError("timed out"), False, None),
        (ConnectionRefusedError(111, "Connection refused"), False, None),
        (TimeoutError(), False, None),
    ],
)
def test_classify(error: Exception, permanent: bool, code: int | None) -> None:
    classified = classify(error)
    assert isinstance(
        classified, PermanentDeliveryError if permanent else TemporaryDeliveryError
    )
    assert classified.permanent is permanent
    assert classified.code == code


def test_classify_keeps_the_reason() -> None:
    assert (
        classify(aiosmtplib.SMTPResponseException(550, " 5.1.1 no such user \n")).reason
        == "5.1.1 no such user"
    )
    assert (
        classify(aiosmtplib.SMTPResponseException(550, "  ")).reason
        == "no reason given"
    )
    assert str(classify(aiosmtplib.SMTPResponseException(451, "later"))) == "451 later"
    assert classify(aiosmtplib.SMTPServerDisconnected("Connection lost")).reason == (
        "SMTPServerDisconnected: Connection lost"
    )
    assert classify(TimeoutError()).reason == "TimeoutError:"


def test_classify_uses_the_first_refused_recipient() -> None:
    refused = aiosmtplib.SMTPRecipientsRefused(
        [
            aiosmtplib.SMTPRecipientRefused(550, "unknown", "a@example.org"),
            aiosmtplib.SMTPRecipientRefused(451, "later", "b@example.org"),
        ]
    )
    assert classify(refused).code == 550


def test_classify_an_empty_recipients_refusal_as_temporary() -> None:
    classified = classify(aiosmtplib.SMTPRecipientsRefused([]))
    assert isinstance(classified, TemporaryDeliveryError)
    assert classified.code is None
