"""Local wall time (Europe/London) in and out: the chair types local times, the store keeps UTC.

Why a module of its own: the clocks change twice a year, and a time typed for a Sunday
morning in late March or October can be missing or doubled; every channel must refuse or
resolve those the same way.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.errors import InvalidInputError

LOCAL_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M")


def parse_local(text: str, *, field: str = "start") -> datetime:
    """A naive local datetime from "2027-01-19 14:00" (or ISO "T", or "19/01/2027 14:00")."""
    cleaned = " ".join(text.split())
    for pattern in LOCAL_FORMATS:
        try:
            return datetime.strptime(cleaned, pattern)
        except ValueError:
            continue
    raise InvalidInputError(
        f"Give the {field} as date and time, like 2027-01-19 14:00 (not {text!r}).",
        field=field,
    )


def to_utc(local: datetime, zone: ZoneInfo, *, field: str = "start") -> datetime:
    """The UTC instant of a local wall time; refuses a time the clock change skips.

    A doubled time (the hour after the clocks go back) is taken as its first occurrence.
    """
    if local.tzinfo is not None:
        return local.astimezone(UTC)
    aware = local.replace(tzinfo=zone, fold=0)
    instant = aware.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != local:
        raise InvalidInputError(
            f"{local:%H:%M} on {local:%d %B %Y} does not exist in {zone.key}: "
            "the clocks go forward then. Choose another time.",
            field=field,
        )
    return instant


def to_local(instant: datetime, zone: ZoneInfo) -> datetime:
    """The naive local wall time of a UTC instant (for forms and the CLI)."""
    return instant.astimezone(zone).replace(tzinfo=None)


def describe_when(starts_at: datetime, ends_at: datetime, zone: ZoneInfo) -> str:
    """ "Tuesday 19 January 2027, 14:00 to 15:30 (UK time)" in the partnership's zone."""
    start, end = starts_at.astimezone(zone), ends_at.astimezone(zone)
    day = f"{start:%A} {start.day} {start:%B %Y}"
    until = f"{end:%H:%M}" if end - start < timedelta(days=1) else f"{end:%d %B %H:%M}"
    label = "UK time" if zone.key == "Europe/London" else zone.key
    return f"{day}, {start:%H:%M} to {until} ({label})"
