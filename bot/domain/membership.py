"""Membership flows that write to people: join with double opt-in, confirm, leave, admin sign-in.

Every web page, email command and Slack action that changes membership calls one of these;
each changes the records and queues the emails in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain import members as m
from bot.domain.campaigns import note_unsubscribe
from bot.domain.links import Links, fingerprint
from bot.domain.outgoing import Email, EmailRenderer, Sender, queue_emails
from bot.errors import InvalidLinkError
from bot.store.tables import Member


@dataclass(frozen=True)
class Mailroom:
    """What membership flows need to write to people: sender, templates, links and choices."""

    sender: Sender
    renderer: EmailRenderer
    links: Links
    choices: m.Choices
    admins: dict[str, tuple[str, ...]]

    async def send(
        self,
        session: AsyncSession,
        *,
        key: str,
        to: Member | tuple[str, str],
        template: str,
        now: datetime,
        context: dict[str, Any] | None = None,
    ) -> int:
        """Queue one transactional email (no campaign: it is sent even after someone leaves)."""
        name, address = (
            (to.name or "", to.email or "") if isinstance(to, Member) else to
        )
        email = Email(
            key=key,
            to_name=name,
            to_address=address,
            template=template,
            context=context or {},
        )
        return await queue_emails(
            session, [email], sender=self.sender, renderer=self.renderer, now=now
        )

    def member_links(self, member: Member) -> dict[str, str]:
        return {
            "preferences_url": self.links.member_url("preferences", member),
            "unsubscribe_url": self.links.member_url("unsubscribe", member),
        }

    def list_email(
        self,
        member: Member,
        *,
        key: str,
        template: str,
        campaign: str,
        context: dict[str, Any],
    ) -> Email:
        """List mail (briefings, newsletters, invitations) to one member: it always carries the
        member's preferences and one-click unsubscribe links, in the body and the headers."""
        links = self.member_links(member)
        # The campaign rides along (unsigned) so an unsubscribe can be counted against it.
        links["unsubscribe_url"] += "?" + urlencode({"c": campaign})
        return Email(
            key=key,
            to_name=member.name or "",
            to_address=member.email or "",
            template=template,
            context={**context, **links},
            campaign=campaign,
            unsubscribe_url=links["unsubscribe_url"],
        )


def _hourly(now: datetime) -> str:
    """At most one such email an hour: a join form cannot be used to flood someone's inbox."""
    return now.strftime("%Y%m%d%H")


async def request_join(
    session: AsyncSession,
    room: Mailroom,
    *,
    email: str,
    profile: m.Profile,
    method: str,
    now: datetime,
) -> Member:
    """Start joining: a pending record and a confirmation email (double opt-in). Commits.

    Someone already active gets a reminder with their preferences link instead, so the
    caller can show the same page whatever the address, and reveal nothing about it.

    Raises:
        InvalidInputError: The address or a profile field is not acceptable.
    """
    address = m.normalise_email(email)
    cleaned = m.clean_profile(profile, room.choices)
    member = await m.find_member(session, address)
    if member is not None and member.status == m.ACTIVE:
        await room.send(
            session,
            key=f"already:{member.id}:{_hourly(now)}",
            to=member,
            template="already_member",
            now=now,
            context=room.member_links(member),
        )
    else:
        if member is None:
            member = Member(email=address, created_at=now)
            session.add(member)
        member.status, member.consent_method = m.PENDING, method
        m.apply_profile(member, cleaned, now)
        await session.flush()
        confirm_url = room.links.member_url("confirm", member)
        await room.send(
            session,
            key=f"confirm:{member.id}:{_hourly(now)}",
            to=member,
            template="confirm_join",
            now=now,
            context={
                "confirm_url": confirm_url,
                "consent_wording": room.choices.consent_wording,
            },
        )
    await session.commit()
    return member


async def _find_or_add(
    session: AsyncSession, room: Mailroom, email: str, profile: m.Profile, now: datetime
) -> tuple[Member, m.Profile, bool]:
    """The member with this address, or a new one (not yet active); the profile, checked.

    Raises:
        InvalidInputError: The address or a profile field is not acceptable.
    """
    address = m.normalise_email(email)
    cleaned = m.clean_profile(profile, room.choices)
    member = await m.find_member(session, address)
    if member is not None:
        return member, cleaned, False
    member = Member(email=address, created_at=now)
    session.add(member)
    return member, cleaned, True


async def add_member(
    session: AsyncSession,
    room: Mailroom,
    *,
    email: str,
    profile: m.Profile,
    now: datetime,
) -> tuple[Member, bool]:
    """Add someone the partnership vouches for, active at once; a known address is updated. Commits.

    Returns:
        (member, True if the address was new).

    Raises:
        InvalidInputError: The address or a profile field is not acceptable.
    """
    member, cleaned, created = await _find_or_add(session, room, email, profile, now)
    if created:
        m.activate(
            member,
            method="admin",
            wording="Added by the partnership's business support team",
            now=now,
        )
    m.apply_profile(member, cleaned, now)
    await session.commit()
    return member, created


async def join_from_slack(
    session: AsyncSession,
    room: Mailroom,
    *,
    slack_user_id: str,
    email: str,
    profile: m.Profile,
    now: datetime,
) -> tuple[Member, bool]:
    """Join from Slack's modal, or link a Slack user to the member with the same address. Commits.

    Slack has verified the address, and the person ticked the consent box in the modal, so
    no confirmation email is needed: they are active at once, with consent method "slack".
    Someone who had left and joins again is active again; nobody is ever duplicated.

    Returns:
        (member, True when the address was new).

    Raises:
        InvalidInputError: The address or a profile field is not acceptable.
    """
    member, cleaned, created = await _find_or_add(session, room, email, profile, now)
    previous = await m.find_member_by_slack(session, slack_user_id)
    if previous is not None and previous is not member:
        previous.slack_user_id = None  # the Slack account moved to another address
    member.slack_user_id = slack_user_id
    m.apply_profile(member, cleaned, now)
    if member.status != m.ACTIVE:
        m.activate(
            member, method="slack", wording=room.choices.consent_wording, now=now
        )
    await session.commit()
    return member, created


async def member_from_link(
    session: AsyncSession, links: Links, purpose: str, token: str
) -> Member:
    """The member a signed link was made for.

    Raises:
        ExpiredLinkError: The link is too old.
        InvalidLinkError: The link was altered, or its member has been erased or re-joined.
    """
    member_id, print_ = links.read_member(purpose, token)
    member = await m.find_member_by_id(session, member_id)
    if member is None or member.email is None or fingerprint(member.email) != print_:
        raise InvalidLinkError("This link is no longer valid.")
    return member


async def confirm_join(
    session: AsyncSession, room: Mailroom, *, token: str, now: datetime
) -> Member:
    """Finish joining from the confirmation link: record consent, activate, welcome. Commits.

    Confirming twice is harmless. Raises as `member_from_link` does, and InvalidLinkError if
    the member left or bounced since asking to join.
    """
    member = await member_from_link(session, room.links, "confirm", token)
    if member.status == m.ACTIVE:
        return member
    if member.status != m.PENDING:
        raise InvalidLinkError(
            "This confirmation link has already been used. You can join again from the join page."
        )
    m.activate(
        member,
        method=member.consent_method or "web",
        wording=room.choices.consent_wording,
        now=now,
    )
    await room.send(
        session,
        key=f"welcome:{member.id}:{now.isoformat()}",
        to=member,
        template="welcome",
        now=now,
        context=room.member_links(member),
    )
    await session.commit()
    return member


async def leave(
    session: AsyncSession, member: Member, *, now: datetime, campaign: str | None = None
) -> bool:
    """Unsubscribe a member and cancel list mail still queued for them. Commits.

    `campaign` is the campaign whose email held the link: counted for its report (see
    `bot.domain.campaigns.note_unsubscribe`) when that campaign did email this member.

    Returns:
        False when they had already left.
    """
    left = m.unsubscribe(member, now)
    if left and member.email:
        if campaign:
            await note_unsubscribe(session, member.email, campaign, now=now)
        await m.cancel_list_mail(session, member.email)
    await session.commit()
    return left


async def update_preferences(
    session: AsyncSession,
    room: Mailroom,
    member: Member,
    profile: m.Profile,
    *,
    now: datetime,
) -> bool:
    """Save a member's choices. Commits.

    Raises:
        InvalidInputError: A field is not acceptable.
    """
    changed = m.apply_profile(member, m.clean_profile(profile, room.choices), now)
    await session.commit()
    return changed


async def request_leave_by_email(
    session: AsyncSession, room: Mailroom, *, email: str, now: datetime
) -> None:
    """Answer a `leave` command with a one-click link, since a From line can be forged. Commits."""
    member = await m.find_member(session, email)
    if member is not None and member.status in (m.ACTIVE, m.PENDING):
        await room.send(
            session,
            key=f"leave:{member.id}:{_hourly(now)}",
            to=member,
            template="confirm_leave",
            now=now,
            context=room.member_links(member),
        )
    else:
        await room.send(
            session,
            key=f"notmember:{fingerprint(email)}:{_hourly(now)}",
            to=("", email),
            template="not_member",
            now=now,
        )
    await session.commit()


async def send_help(
    session: AsyncSession, room: Mailroom, *, email: str, now: datetime
) -> None:
    """Answer `help` (or anything not understood) with the list of email commands. Commits."""
    await room.send(
        session,
        key=f"help:{fingerprint(email)}:{_hourly(now)}",
        to=("", email),
        template="email_help",
        now=now,
    )
    await session.commit()
