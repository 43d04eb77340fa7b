"""Who a Slack user is (address, name) and what they may do."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from slack_sdk.web.async_client import AsyncWebClient

from bot.errors import UserFacingError
from bot.settings import Settings


@dataclass(frozen=True)
class SlackPerson:
    user_id: str
    email: str | None
    name: str
    roles: tuple[str, ...]

    @property
    def is_admin(self) -> bool:
        return bool(self.roles)

    def require_admin(self) -> None:
        """Raises:
        UserFacingError: Not an admin or the chair. Checked on every request, server-side.
        """
        if not self.is_admin:
            raise UserFacingError(
                "Sorry, only the forum's admins and chair can do that."
            )

    def require_roles(self, roles: Iterable[str], refusal: str) -> None:
        """Raises:
        UserFacingError: Holds none of `roles` (`refusal` says who may). Checked on every
            request, server-side: hiding a command or a button is not enough.
        """
        if not set(roles) & set(self.roles):
            raise UserFacingError(refusal)

    def require_email(self) -> str:
        """Raises:
        UserFacingError: Slack did not share the address (the users:read.email scope is missing).
        """
        if not self.email:
            raise UserFacingError(
                "Slack did not share your email address with forumbot, so I cannot link you to "
                "the forum. Please join on the web instead."
            )
        return self.email


class SlackPeople:
    """Looks people up with users.info. Profiles are cached for the process; roles are read
    from settings on every call, so removing an admin takes effect at once."""

    def __init__(self, client: AsyncWebClient, settings: Settings) -> None:
        self._client = client
        self._settings = settings
        self._profiles: dict[str, tuple[str | None, str]] = {}

    async def look_up(self, user_id: str) -> SlackPerson:
        if user_id not in self._profiles:
            info = await self._client.users_info(user=user_id)
            user = info.get("user") or {}
            profile = user.get("profile") or {}
            name = (
                profile.get("real_name")
                or user.get("real_name")
                or user.get("name")
                or ""
            )
            self._profiles[user_id] = (profile.get("email"), str(name))
        email, name = self._profiles[user_id]
        roles = self._settings.admin_roles.get((email or "").lower(), ())
        return SlackPerson(user_id, email, name, roles)
