"""The feed fetcher port: the one part of feeds that touches the network.

The HTTP implementation lives with the channels (`bot/feeds_http.py`); tests use it too,
against a local server, so the domain never needs to know which HTTP client is used.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

MAX_FEED_BYTES = 5 * 1024 * 1024


def seconds(amount: float) -> str:
    """'1 second', '2.5 seconds': for time-out messages."""
    return f"{amount:g} second" + ("" if amount == 1 else "s")


class FeedFetchError(Exception):
    """The feed could not be fetched; the message is plain English, fit for `last_error`."""


@dataclass(frozen=True)
class Fetched:
    """A fetch's outcome. `not_modified` is a 304: the stored validators still hold."""

    not_modified: bool
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None


class FeedFetcher(Protocol):
    """Fetches one feed with a conditional GET."""

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None,
        last_modified: str | None,
        time_limit: float,
        max_bytes: int = MAX_FEED_BYTES,
    ) -> Fetched:
        """GET `url`, sending If-None-Match / If-Modified-Since when given.

        Raises:
            FeedFetchError: Unreachable, too slow, too large, or an HTTP error status.
        """
        ...
