"""The configuration forum sessions are checked against, built once from settings.

Its own module so that the messages (`notices`, `places`) and the sessions themselves can
both use it: editing a session fills freed places, so `sessions` imports `places`.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.settings import Settings


@dataclass(frozen=True)
class ForumRules:
    """The configuration sessions are checked against, built once from settings."""

    zone: ZoneInfo
    fixed_agenda: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()
    default_minutes: int = 90
    default_capacity: int | None = None
    default_join_url: str | None = None
    uid_domain: str = "localhost"

    @classmethod
    def from_settings(cls, settings: Settings) -> ForumRules:
        return cls(
            zone=settings.zone,
            fixed_agenda=tuple(settings.forum_fixed_agenda),
            topics=tuple(settings.topics),
            organisations=tuple(settings.organisations),
            default_minutes=settings.forum_session_minutes,
            default_capacity=settings.forum_default_capacity,
            default_join_url=settings.forum_join_url,
            uid_domain=str(settings.sender_address).rpartition("@")[2],
        )
