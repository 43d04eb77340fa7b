"""Admin sign-in: a one-time link by email, for the business support team and the chair."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain import members as m
from bot.domain.links import fingerprint
from bot.domain.membership import Mailroom
from bot.errors import InvalidLinkError
from bot.store.tables import UsedToken


async def request_sign_in(
    session: AsyncSession, room: Mailroom, *, email: str, now: datetime
) -> None:
    """Email a one-time sign-in link if, and only if, the address belongs to a configured admin.

    The caller shows the same page either way. Commits.
    """
    address = m.normalise_email(email)
    if address in room.admins:
        token = room.links.token("login", {"email": address, "at": now.isoformat()})
        await room.send(
            session,
            key=f"login:{fingerprint(address)}:{now.isoformat()}",
            to=("", address),
            template="admin_sign_in",
            now=now,
            context={"sign_in_url": f"{room.links.base_url}/admin/sign-in/{token}"},
        )
    await session.commit()


async def check_sign_in(session: AsyncSession, room: Mailroom, *, token: str) -> str:
    """The address a sign-in link is for, if it can still be used.

    Raises:
        ExpiredLinkError: Older than 30 minutes.
        InvalidLinkError: Altered, already used, or the address is no longer an admin.
    """
    payload = room.links.read("login", token)
    address = str(payload.get("email", "")) if isinstance(payload, dict) else ""
    if address not in room.admins:
        raise InvalidLinkError("This sign-in link is not valid.")
    if await session.get(UsedToken, _digest(token)) is not None:
        raise InvalidLinkError(
            "This sign-in link has already been used. Ask for a new one."
        )
    return address


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def complete_sign_in(
    session: AsyncSession, room: Mailroom, *, token: str, now: datetime
) -> tuple[str, tuple[str, ...]]:
    """Spend a sign-in link: returns (address, roles). Each link works once. Commits.

    Raises:
        ExpiredLinkError: Older than 30 minutes.
        InvalidLinkError: Altered, already used, or the address is no longer an admin.
    """
    address = await check_sign_in(session, room, token=token)
    session.add(UsedToken(digest=_digest(token), used_at=now))
    try:
        await session.commit()
    except (
        IntegrityError
    ):  # the same link pressed twice at once: only one press signs in
        raise InvalidLinkError(
            "This sign-in link has already been used. Ask for a new one."
        ) from None
    return address, room.admins[address]
