"""Mail to the bot: a router from incoming messages to what they ask for.

Routes are tried in order; the first that matches handles the message. Email commands
(join, leave, help) and bounce reports are routes today; questions by email will be one
more route, placed before the fallback.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain import members as m
from bot.domain import membership
from bot.domain.forum import question_mail
from bot.domain.knowledge.answers import Wording
from bot.domain.knowledge.asking import ask
from bot.domain.knowledge.redaction import redact
from bot.domain.knowledge.store import KnowledgeBase
from bot.domain.mime import message_id_for
from bot.domain.outgoing import Email, queue_emails
from bot.errors import InvalidInputError
from bot.store.tables import Bounce, OutboxMessage

log = logging.getLogger(__name__)
LONDON = ZoneInfo("Europe/London")
_REPLY_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|sv)\s*:\s*)+", re.IGNORECASE)


@dataclass(frozen=True)
class FailedDelivery:
    """One recipient a bounce report (DSN, RFC 3464) says could not be reached."""

    recipient: str
    status: str
    diagnostic: str = ""

    @property
    def permanent(self) -> bool:
        return self.status.startswith("5")


@dataclass(frozen=True)
class IncomingMail:
    """A message to the bot, reduced to what routes need (see bot.mail.inbound for parsing)."""

    sender: str
    subject: str = ""
    text: str = ""
    automatic: bool = False
    failures: tuple[FailedDelivery, ...] = field(default_factory=tuple)
    original_message_id: str = (
        ""  # of the message a bounce report returns, if it quotes it
    )
    message_id: str = ""  # of this message, to answer in its thread

    @property
    def command(self) -> str:
        """The first word of the subject (without Re:), else of the first non-empty line."""
        subject = _REPLY_PREFIX.sub("", self.subject).strip()
        line = subject or next(
            (ln.strip() for ln in self.text.splitlines() if ln.strip()), ""
        )
        return line.split()[0].lower().strip(".,:;!") if line else ""


@dataclass(frozen=True)
class Inbox:
    """What a route may use: the open session, the mailroom and the time."""

    session: AsyncSession
    room: membership.Mailroom
    now: datetime
    bounce_threshold: int
    knowledge: KnowledgeBase | None = None
    wording: Wording | None = None
    zone: ZoneInfo = LONDON  # for times in replies: settings.zone

    async def reply(
        self,
        mail: IncomingMail,
        *,
        key: str,
        template: str,
        context: dict[str, object],
        to_name: str = "",
    ) -> None:
        """Answer `mail` in its own thread, through the outbox; commits."""
        email = Email(
            key=key,
            to_name=to_name,
            to_address=mail.sender,
            template=template,
            context=context,
            in_reply_to=mail.message_id or None,
        )
        await queue_emails(
            self.session,
            [email],
            sender=self.room.sender,
            renderer=self.room.renderer,
            now=self.now,
        )
        await self.session.commit()


Handler = Callable[[Inbox, IncomingMail], Awaitable[None]]


@dataclass(frozen=True)
class Route:
    name: str
    matches: Callable[[IncomingMail], bool]
    handle: Handler


async def _record_bounces(inbox: Inbox, mail: IncomingMail) -> None:
    """Record permanent failures, but only for a message we really sent to that address.

    Anyone can send the bot a bounce report; only one quoting the Message-ID of a message we
    sent (keyed with our secret, see `message_id_for`) may count against a member.
    """
    for failure in mail.failures:
        if not failure.permanent:
            continue
        outbox_id = await _sent_by_us(
            inbox, failure.recipient.lower(), mail.original_message_id
        )
        if outbox_id is None:
            log.warning(
                "ignored a bounce report for %s that quotes no message of ours",
                failure.recipient,
            )
            continue
        code = int(failure.status[0]) * 100 if failure.status[:1].isdigit() else None
        reason = f"{failure.status} {failure.diagnostic}".strip()[:1000]
        inbox.session.add(
            Bounce(
                recipient=failure.recipient.lower(),
                outbox_id=outbox_id,
                code=code,
                reason=reason,
                created_at=inbox.now,
            )
        )
    await inbox.session.commit()
    await m.apply_bounces(
        inbox.session, threshold=inbox.bounce_threshold, now=inbox.now
    )


async def _sent_by_us(inbox: Inbox, recipient: str, message_id: str) -> int | None:
    """The outbox id of the message to `recipient` whose Message-ID is `message_id`, if any."""
    if not message_id:
        return None
    sender = inbox.room.sender
    rows = await inbox.session.exec(
        select(OutboxMessage.id, OutboxMessage.idempotency_key).where(
            col(OutboxMessage.recipient) == recipient,
            col(OutboxMessage.channel) == "email",
        )
    )
    for outbox_id, key in rows.all():
        if message_id_for(key, sender.domain, sender.id_secret) == message_id:
            return outbox_id
    return None


async def _join(inbox: Inbox, mail: IncomingMail) -> None:
    name = mail.sender.split("@")[0].replace(".", " ").title()
    await membership.request_join(
        inbox.session,
        inbox.room,
        email=mail.sender,
        profile=m.Profile(name=name),
        method="email command",
        now=inbox.now,
    )


async def _leave(inbox: Inbox, mail: IncomingMail) -> None:
    await membership.request_leave_by_email(
        inbox.session, inbox.room, email=mail.sender, now=inbox.now
    )


async def _help(inbox: Inbox, mail: IncomingMail) -> None:
    await membership.send_help(
        inbox.session, inbox.room, email=mail.sender, now=inbox.now
    )


COMMANDS = ("join", "subscribe", "leave", "unsubscribe", "help")
_QUOTED = re.compile(r"^\s*>|^On .+ wrote:$")


def _question_text(mail: IncomingMail) -> str:
    """The subject and the body's own lines: quoted earlier mail and signatures left out."""
    lines = []
    for line in mail.text.splitlines():
        if line.strip() in ("--", "-- ") or _QUOTED.match(line):
            break
        lines.append(line)
    subject = _REPLY_PREFIX.sub("", mail.subject).strip()
    return " ".join(f"{subject}\n{' '.join(lines)}".split())[:2000]


def _is_question(mail: IncomingMail) -> bool:
    return mail.command not in COMMANDS and len(_question_text(mail).split()) >= 3


async def _question(inbox: Inbox, mail: IncomingMail) -> None:
    """Answer from the knowledge base, in the same thread, with a link to rate it or pass it on."""
    if inbox.knowledge is None or inbox.wording is None:
        await _help(inbox, mail)
        return
    asked = await ask(
        inbox.session,
        inbox.knowledge,
        _question_text(mail),
        wording=inbox.wording,
        channel="email",
        now=inbox.now,
    )
    token = inbox.room.links.token("answer", [asked.question_id, "email", mail.sender])
    sources = [
        {"title": s.title, "section": s.section, "url": s.url}
        for s in asked.answer.sources[:3]
    ]
    # The reply repeats the subject, and the outbox keeps the reply: redact it as the question is.
    subject = redact(_REPLY_PREFIX.sub("", mail.subject).strip()).text
    context: dict[str, object] = {
        "subject": subject or "your question",
        "answer_text": asked.answer.text,
        "sources": sources if asked.answer.kind != "handoff" else [],
        "answer_url": f"{inbox.room.links.base_url}/answers/{token}",
    }
    await inbox.reply(
        mail, key=f"answer:{asked.question_id}", template="answer", context=context
    )


ROUTES: Sequence[Route] = (
    Route("bounce", lambda mail: bool(mail.failures), _record_bounces),
    Route("join", lambda mail: mail.command in ("join", "subscribe"), _join),
    Route("leave", lambda mail: mail.command in ("leave", "unsubscribe"), _leave),
    Route("forum question", question_mail.matches, question_mail.handle),
    Route("question", _is_question, _question),
    Route("help", lambda mail: True, _help),
)


async def handle_incoming(
    inbox: Inbox, mail: IncomingMail, routes: Sequence[Route] = ROUTES
) -> str:
    """Route one message. Automatic mail (auto-replies, lists, bounces) gets no reply.

    Returns:
        The name of the route taken, or "ignored".
    """
    for route in routes:
        if not route.matches(mail):
            continue
        if mail.automatic and route.name != "bounce":
            return "ignored"  # replying to an auto-reply starts a mail loop
        # A bounce report is not answered, so it needs no reply address (its From may
        # be a bare MAILER-DAEMON and its envelope sender '<>').
        if route.name != "bounce":
            try:
                m.normalise_email(mail.sender)
            except InvalidInputError:
                return "ignored"
        await route.handle(inbox, mail)
        return route.name
    return "ignored"
