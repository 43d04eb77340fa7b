"""Checking what the chair typed for a new poll, and turning a local closing time into UTC."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.errors import InvalidInputError, NotFoundError, UserFacingError

MIN_OPTIONS, MAX_OPTIONS = 2, 10
MAX_QUESTION = 500  # the column's length
MAX_OPTION = 75  # a Slack button's label holds 75 characters
# A vote link lives 90 days (bot.domain.links.MAX_AGE["vote"]): a poll must close before its
# links expire, or members would be shown "expired" on a poll still open.
MAX_OPEN = timedelta(days=89)
# Who may create, close and see named results: the chair and the admins, not every role.
POLL_ROLES = frozenset({"admin", "chair"})


class PollNotFoundError(NotFoundError):
    """No poll has that number."""


class PollClosedError(UserFacingError):
    """The poll has closed (or its closing time has passed): no more votes."""


class NotAMemberError(UserFacingError, PermissionError):
    """Only active members vote."""


@dataclass(frozen=True)
class PollDraft:
    """A poll as typed, before checking.

    Attributes:
        closes_local: When voting ends, as a wall-clock time in the partnership's time zone
            (naive), or an aware datetime.
    """

    question: str
    options: list[str]
    closes_local: datetime
    multiple: bool = False
    anonymous: bool = True


@dataclass(frozen=True)
class CleanPoll:
    question: str
    options: list[str]
    closes_at: datetime  # UTC
    multiple: bool
    anonymous: bool


def split_options(text: str) -> list[str]:
    """Options typed one per line (Slack's and the web's text boxes); blank lines dropped."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def clean_draft(draft: PollDraft, *, zone: ZoneInfo, now: datetime) -> CleanPoll:
    """The draft, checked, with its closing time in UTC.

    Raises:
        InvalidInputError: With `field` "question", "options" or "closes" and a plain reason.
    """
    question = " ".join(draft.question.split())
    if not question:
        raise InvalidInputError("Write the question.", field="question")
    if len(question) > MAX_QUESTION:
        raise InvalidInputError(
            f"The question is too long: keep it under {MAX_QUESTION} characters.",
            field="question",
        )
    return CleanPoll(
        question=question,
        options=_clean_options(draft.options),
        closes_at=closing_time(draft.closes_local, zone=zone, now=now),
        multiple=draft.multiple,
        anonymous=draft.anonymous,
    )


def _clean_options(raw: list[str]) -> list[str]:
    options = [" ".join(o.split()) for o in raw if o.strip()]
    if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
        raise InvalidInputError(
            f"Give between {MIN_OPTIONS} and {MAX_OPTIONS} options, one per line "
            f"(you gave {len(options)}).",
            field="options",
        )
    if long := [o for o in options if len(o) > MAX_OPTION]:
        raise InvalidInputError(
            f"Keep each option under {MAX_OPTION} characters, so it fits on a button: "
            f"{long[0][:40]!r}… is longer.",
            field="options",
        )
    seen: set[str] = set()
    for option in options:
        if option.casefold() in seen:
            raise InvalidInputError(
                f"The option {option!r} is there twice.", field="options"
            )
        seen.add(option.casefold())
    return options


def closing_time(local: datetime, *, zone: ZoneInfo, now: datetime) -> datetime:
    """A wall-clock time in `zone` as UTC, checked to be in the future and within 89 days.

    Raises:
        InvalidInputError: The time is past, too far ahead, or does not exist locally (it
            falls in the hour skipped when the clocks go forward).
    """
    if local.tzinfo is None:
        aware = local.replace(tzinfo=zone)
        # Round-tripping through UTC moves a time in the spring-forward gap: it never happens.
        if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != local:
            raise InvalidInputError(
                f"{local:%d %B %Y %H:%M} does not exist in {zone.key}: the clocks go "
                "forward then. Choose another time.",
                field="closes",
            )
    else:
        aware = local
    closes = aware.astimezone(UTC)
    if closes <= now:
        raise InvalidInputError(
            "The closing time has already passed: choose a time in the future.",
            field="closes",
        )
    if closes > now + MAX_OPEN:
        raise InvalidInputError(
            "A poll can stay open for at most 89 days (its vote links last 90).",
            field="closes",
        )
    return closes


def local_text(moment: datetime, zone: ZoneInfo) -> str:
    """A closing time as people read it: 'Friday 6 March 2026, 17:00'."""
    here = moment.astimezone(zone)
    return f"{here:%A} {here.day} {here:%B %Y, %H:%M}"
