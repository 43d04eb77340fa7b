"""Errors raised on purpose; each edge (CLI, web, jobs, Slack) maps them to replies in one place."""

from __future__ import annotations


class BotError(Exception):
    """Base for every error forumbot raises deliberately."""


class UserFacingError(BotError):
    """An error whose message is safe and useful to show verbatim to the person acting."""


class ConfigError(UserFacingError, ValueError):
    """A setting is missing, malformed or contradicts another one."""


class NotFoundError(UserFacingError, LookupError):
    """Something looked up with a `get_*` function does not exist."""


class DeliveryError(BotError, ConnectionError):
    """A message could not be handed to its transport (SMTP relay, Slack).

    Attributes:
        permanent: True when retrying cannot help (an SMTP 5xx reply, say).
        code: The remote reply code, when the remote end gave one.
    """

    def __init__(
        self, reason: str, *, permanent: bool, code: int | None = None
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.code = code

    def __str__(self) -> str:
        return f"{self.code} {self.reason}" if self.code else self.reason


class TemporaryDeliveryError(DeliveryError):
    """A 4xx reply, a refused or dropped connection, a time-out: worth trying again later.

    Attributes:
        retry_after: Seconds the remote end asked us to wait (Slack's Retry-After), if any.
    """

    def __init__(
        self, reason: str, *, code: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(reason, permanent=False, code=code)
        self.retry_after = retry_after


class PermanentDeliveryError(DeliveryError):
    """A 5xx reply: the remote end will never accept this message for this recipient."""

    def __init__(self, reason: str, *, code: int | None = None) -> None:
        super().__init__(reason, permanent=True, code=code)


class InvalidInputError(UserFacingError, ValueError):
    """Something a person typed or uploaded is not acceptable; `field` says which part."""

    def __init__(self, reason: str, *, field: str | None = None) -> None:
        super().__init__(reason)
        self.field = field


class InvalidLinkError(UserFacingError):
    """A signed link was altered, belongs to something that no longer exists, or was used."""


class ExpiredLinkError(InvalidLinkError):
    """A signed link is genuine but too old."""


class MemberNotFoundError(NotFoundError):
    """No member has that address."""


class SignInRequiredError(UserFacingError, PermissionError):
    """A page needs a signed-in admin with a suitable role."""
