"""Member records: validation, lookup, changes of status, preferences, bounces and erasure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.mime import clean_header_text
from bot.errors import InvalidInputError, MemberNotFoundError
from bot.outbox import queue
from bot.store.tables import Bounce, Member, OutboxMessage

PENDING, ACTIVE, UNSUBSCRIBED, BOUNCED, ERASED = (
    "pending",
    "active",
    "unsubscribed",
    "bounced",
    "erased",
)
CHANNELS = ("email", "slack")
LIMITS = {"name": 100, "organisation": 150, "role": 100, "sector": 50}


@dataclass(frozen=True)
class Choices:
    """What the partnership lets members pick from, and the consent wording they agree to."""

    organisations: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    consent_wording: str = ""


@dataclass(frozen=True)
class Profile:
    """What a member tells us about themselves; `clean_profile` checks it."""

    name: str
    organisation: str | None = None
    role: str | None = None
    sector: str | None = None
    topics: tuple[str, ...] = ()
    channels: tuple[str, ...] = ("email",)

    def as_fields(self) -> dict[str, Any]:
        """The member columns this profile sets."""
        return {
            "name": self.name,
            "organisation": self.organisation,
            "role": self.role,
            "sector": self.sector,
            "topics": list(self.topics),
            "channels": list(self.channels),
        }


def normalise_email(raw: str) -> str:
    """A trimmed, lower-case address, checked for form (not deliverability: no DNS here).

    Raises:
        InvalidInputError: Not an email address, or longer than RFC 5321 allows.
    """
    text = raw.strip()
    if not text or len(text) > 254:
        raise InvalidInputError(
            "An email address of up to 254 characters is required.", field="email"
        )
    try:
        # strict: also refuse a local part over 64 characters (RFC 5321 4.5.3.1.1), which
        # email-validator lets through by default and relays may refuse.
        checked = validate_email(
            text, check_deliverability=False, allow_smtputf8=False, strict=True
        )
    except EmailNotValidError as exc:
        raise InvalidInputError(
            f"{text[:80]!r} is not a valid email address: {exc}", field="email"
        ) from None
    return checked.normalized.lower()


def _text(value: str | None, name: str) -> str | None:
    if value is None:
        return None
    cleaned = clean_header_text(value, limit=10_000)
    if len(cleaned) > LIMITS[name]:
        raise InvalidInputError(
            f"The {name} must be at most {LIMITS[name]} characters.", field=name
        )
    return cleaned or None


def _pick(value: str | None, allowed: Sequence[str], name: str) -> str | None:
    cleaned = _text(value, name)
    if cleaned and allowed and cleaned not in allowed:
        raise InvalidInputError(
            f"{cleaned!r} is not one of the listed {name}s.", field=name
        )
    return cleaned


def clean_profile(profile: Profile, choices: Choices) -> Profile:
    """Trim and check every field; control characters (CR/LF...) become spaces.

    Raises:
        InvalidInputError: A field is too long, or not one of the configured choices.
    """
    name = _text(profile.name, "name")
    if not name:
        raise InvalidInputError("A name is required.", field="name")
    unknown = [t for t in profile.topics if choices.topics and t not in choices.topics]
    if unknown:
        raise InvalidInputError(f"Unknown topic {unknown[0]!r}.", field="topics")
    channels = tuple(c for c in CHANNELS if c in profile.channels) or ("email",)
    return Profile(
        name=name,
        organisation=_pick(profile.organisation, choices.organisations, "organisation"),
        role=_text(profile.role, "role"),
        sector=_pick(profile.sector, choices.sectors, "sector"),
        topics=tuple(
            t for t in (choices.topics or profile.topics) if t in profile.topics
        ),
        channels=channels,
    )


def apply_profile(member: Member, profile: Profile, now: datetime) -> bool:
    """Copy a cleaned profile onto a member. Returns True when anything changed."""
    values = profile.as_fields()
    changed = any(getattr(member, key) != value for key, value in values.items())
    if changed:
        for key, value in values.items():
            setattr(member, key, value)
        member.updated_at = now
    return changed


async def find_member(session: AsyncSession, email: str) -> Member | None:
    """The member with this address (any status), or None."""
    statement = select(Member).where(col(Member.email) == email.strip().lower())
    return (await session.exec(statement)).first()


async def get_member(session: AsyncSession, email: str) -> Member:
    """Raises:
    MemberNotFoundError: Nobody has that address.
    """
    member = await find_member(session, email)
    if member is None:
        raise MemberNotFoundError(f"No member has the address {email.strip()!r}.")
    return member


async def find_member_by_slack(
    session: AsyncSession, slack_user_id: str
) -> Member | None:
    """The member linked to a Slack user, or None."""
    statement = select(Member).where(col(Member.slack_user_id) == slack_user_id)
    return (await session.exec(statement)).first()


async def find_member_by_id(session: AsyncSession, member_id: int) -> Member | None:
    return await session.get(Member, member_id)


def activate(member: Member, *, method: str, wording: str, now: datetime) -> None:
    """Record consent and make the member active."""
    member.status = ACTIVE
    member.consent_at = now
    member.consent_method = method
    member.consent_wording = wording
    member.confirmed_at = now
    member.left_at = None
    member.bounce_count = 0
    member.updated_at = now


def unsubscribe(member: Member, now: datetime) -> bool:
    """Stop all list mail to a member. Returns False when they had already left."""
    if member.status in (UNSUBSCRIBED, ERASED):
        return False
    member.status = UNSUBSCRIBED
    member.left_at = now
    member.updated_at = now
    return True


async def list_members(
    session: AsyncSession,
    *,
    search: str = "",
    status: str | None = None,
    organisation: str | None = None,
    topic: str | None = None,
    limit: int = 500,
) -> list[Member]:
    """Members matching every given filter, by name. `search` matches name or address."""
    statement = select(Member).where(col(Member.status) != ERASED)
    if search:
        pattern = f"%{search.strip().lower()}%"
        statement = statement.where(
            col(Member.email).like(pattern) | func.lower(col(Member.name)).like(pattern)
        )
    if status:
        statement = statement.where(col(Member.status) == status)
    if organisation:
        statement = statement.where(col(Member.organisation) == organisation)
    members = list((await session.exec(statement.order_by(col(Member.name)))).all())
    if topic:  # JSON containment differs between SQLite and PostgreSQL; lists are small
        members = [m for m in members if topic in m.topics]
    return members[:limit]


async def count_members(session: AsyncSession) -> dict[str, dict[str, int]]:
    """Counts by status, and active members by organisation and by topic."""
    by_status = dict(
        (
            await session.exec(
                select(col(Member.status), func.count()).group_by(col(Member.status))
            )
        ).all()
    )
    active = (
        await session.exec(select(Member).where(col(Member.status) == ACTIVE))
    ).all()
    by_org: dict[str, int] = {}
    by_topic: dict[str, int] = {}
    for member in active:
        org = member.organisation or "Not given"
        by_org[org] = by_org.get(org, 0) + 1
        for topic in member.topics:
            by_topic[topic] = by_topic.get(topic, 0) + 1
    return {
        "status": {
            s: int(by_status.get(s, 0))
            for s in (PENDING, ACTIVE, UNSUBSCRIBED, BOUNCED, ERASED)
        },
        "organisation": dict(sorted(by_org.items(), key=lambda kv: -kv[1])),
        "topic": dict(sorted(by_topic.items(), key=lambda kv: -kv[1])),
    }


def member_data(member: Member) -> dict[str, Any]:
    """Everything held on the member record, as JSON-ready values."""
    data = member.model_dump()
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in data.items()}


async def apply_bounces(session: AsyncSession, *, threshold: int, now: datetime) -> int:
    """Mark active members `bounced` once hard bounces since they joined reach `threshold`.

    Bounces from before a member (re)confirmed do not count against them. Commits.

    Returns:
        How many members were marked.
    """
    bounced = select(Bounce.recipient).distinct()
    members = (
        await session.exec(
            select(Member).where(
                col(Member.status) == ACTIVE, col(Member.email).in_(bounced)
            )
        )
    ).all()
    marked = 0
    for member in members:
        since = member.confirmed_at or member.created_at
        count = (
            await session.exec(
                select(func.count())
                .select_from(Bounce)
                .where(
                    col(Bounce.recipient) == member.email,
                    col(Bounce.created_at) >= since,
                )
            )
        ).one()
        member.bounce_count = int(count)
        if member.bounce_count >= threshold:
            member.status, member.updated_at = BOUNCED, now
            marked += 1
    await session.commit()
    return marked


async def cancel_list_mail(session: AsyncSession, address: str) -> int:
    """Cancel list mail (anything with a campaign) still waiting for an address; the caller commits.

    Replies and confirmations have no campaign and still go.
    """
    result = await session.exec(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.recipient) == address,
            col(OutboxMessage.status) == queue.PENDING,
            col(OutboxMessage.campaign).is_not(None),
        )
        .values(status=queue.CANCELLED)
    )
    return result.rowcount
