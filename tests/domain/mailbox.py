"""Reading what the bot queued or sent: outbox rows, parsed messages and the signed links in them."""

from __future__ import annotations

import email
import re
from email import policy
from email.message import EmailMessage
from typing import Any

from sqlmodel import col, select

from bot.domain.outgoing import Email, queue_emails
from bot.runtime import Services
from bot.store.tables import Bounce, Member, OutboxMessage


def parse(raw: bytes) -> EmailMessage:
    message: Any = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def _part(raw: bytes, subtype: str) -> str:
    body = parse(raw).get_body(preferencelist=(subtype,))
    assert body is not None, f"the message has no text/{subtype} part"
    text = body.get_content()
    assert isinstance(text, str)
    return text


def plain_text(raw: bytes) -> str:
    return _part(raw, "plain")


def html_text(raw: bytes) -> str:
    return _part(raw, "html")


def recipient(raw: bytes) -> str:
    return str(parse(raw)["To"].addresses[0].addr_spec)


def subject(raw: bytes) -> str:
    return str(parse(raw)["Subject"])


def link(raw: bytes, base_url: str, path: str) -> str:
    """The one `{base_url}/{path}/TOKEN` link in the message's text part."""
    pattern = rf"{re.escape(base_url)}/{re.escape(path)}/[A-Za-z0-9_.\-]+"
    found: set[str] = set(re.findall(pattern, plain_text(raw)))
    assert len(found) == 1, f"expected one {path} link, found {found}"
    return found.pop()


def token(url: str) -> str:
    return url.rsplit("/", 1)[1]


async def outbox_rows(
    services: Services, address: str | None = None
) -> list[OutboxMessage]:
    async with services.sessions() as session:
        statement = select(OutboxMessage).order_by(col(OutboxMessage.id))
        if address is not None:
            statement = statement.where(col(OutboxMessage.recipient) == address)
        return list((await session.exec(statement)).all())


async def bounce_rows(services: Services, address: str) -> list[Bounce]:
    async with services.sessions() as session:
        statement = select(Bounce).where(col(Bounce.recipient) == address)
        return list((await session.exec(statement.order_by(col(Bounce.id)))).all())


async def member_rows(services: Services) -> list[Member]:
    async with services.sessions() as session:
        return list((await session.exec(select(Member).order_by(col(Member.id)))).all())


async def reload(services: Services, member: Member) -> Member:
    """The member as the database has it now, read in a fresh session."""
    async with services.sessions() as session:
        found = await session.get(Member, member.id)
        assert found is not None
        return found


async def queue_list_mail(services: Services, member: Member, campaign: str) -> None:
    """A forum update to one member, as a newsletter would queue it (list mail: it has a campaign)."""
    assert member.email is not None
    mail = services.mailroom.list_email(
        member,
        key=f"{campaign}:{member.id}",
        template="forum_update",
        campaign=campaign,
        context={
            "headline": "Forum update",
            "body": "The next forum meets on Tuesday.",
            "link_url": None,
            "link_text": "",
        },
    )
    async with services.sessions() as session:
        assert (
            await queue_emails(
                session,
                [mail],
                sender=services.sender,
                renderer=services.renderer,
                now=services.clock.now(),
            )
            == 1
        )
        await session.commit()


async def queue_test_message(services: Services, address: str, key: str) -> None:
    """A transactional message (no campaign), such as a reply or a test email."""
    mail = Email(
        key=key,
        to_name="",
        to_address=address,
        template="test_message",
        context={"sent_at": "now"},
    )
    async with services.sessions() as session:
        assert (
            await queue_emails(
                session,
                [mail],
                sender=services.sender,
                renderer=services.renderer,
                now=services.clock.now(),
            )
            == 1
        )
        await session.commit()
