"""A list of feeds kept in a TOML file (config/feeds.toml), added to the bot in one go.

The file is the partnership's own starting list; adding it twice changes nothing, since a
feed already followed (same address) is skipped, not duplicated.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.feeds.registry import add_feed, check_feed, find_feed_by_url
from bot.errors import InvalidInputError


@dataclass(frozen=True)
class Listed:
    name: str
    url: str
    active: bool = True


@dataclass
class Imported:
    added: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def read_feed_list(path: Path) -> list[Listed]:
    """The `[[feeds]]` entries of a TOML file, each checked.

    Raises:
        InvalidInputError: The file is missing, not TOML, or an entry is not acceptable.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InvalidInputError(f"Cannot read the feeds file {path}: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise InvalidInputError(
            f"The feeds file {path} is not valid TOML: {error}"
        ) from None
    listed = []
    for number, entry in enumerate(data.get("feeds", []), start=1):
        if not isinstance(entry, dict):
            raise InvalidInputError(f"Feed {number} in {path} is not a table.")
        try:
            name, url = check_feed(
                str(entry.get("name", "")), str(entry.get("url", ""))
            )
        except InvalidInputError as error:
            raise InvalidInputError(f"Feed {number} in {path}: {error}") from None
        listed.append(Listed(name, url, bool(entry.get("active", True))))
    return listed


async def add_listed(
    session: AsyncSession, listed: list[Listed], *, now: datetime
) -> Imported:
    """Follow each listed feed not followed already. The caller commits."""
    done = Imported()
    for item in listed:
        if await find_feed_by_url(session, item.url) is not None:
            done.skipped.append(item.name)
            continue
        feed = await add_feed(session, item.name, item.url, now=now)
        feed.active = item.active
        session.add(feed)
        done.added.append(item.name)
    return done
