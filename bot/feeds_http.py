"""The feed fetcher over HTTP (httpx): conditional GET, time-out, size limit, plain errors.

This is the channel side of the `FeedFetcher` port in `bot.domain.feeds.fetching`; the
domain never imports an HTTP client. One client is shared by all fetches of a process.
"""

from __future__ import annotations

from http import HTTPStatus

import httpx

from bot.domain.feeds.fetching import MAX_FEED_BYTES, FeedFetchError, Fetched, seconds

USER_AGENT = "forumbot-feed-reader/1"


def _status_message(status: int) -> str:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "unknown status"
    if status in (404, 410):
        return f"The feed is no longer at that address (HTTP {status} {phrase})."
    if status in (401, 403):
        return (
            f"The feed's server refused to give it to the bot (HTTP {status} {phrase})."
        )
    return f"The feed's server answered with an error (HTTP {status} {phrase})."


class HttpFeedFetcher:
    """Fetches feeds with httpx. Redirects are followed (a few); only http(s) is spoken."""

    def __init__(self, client: httpx.AsyncClient | None = None) -> None:
        self._client = client or httpx.AsyncClient(
            follow_redirects=True,
            max_redirects=5,
            headers={"User-Agent": USER_AGENT},
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None,
        last_modified: str | None,
        time_limit: float,
        max_bytes: int = MAX_FEED_BYTES,
    ) -> Fetched:
        headers = {"Accept": "application/rss+xml, application/atom+xml, */*;q=0.5"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            return await self._get(url, headers, time_limit, max_bytes)
        except httpx.TimeoutException:
            raise FeedFetchError(
                f"The feed did not answer within {seconds(time_limit)}."
            ) from None
        except httpx.TooManyRedirects:
            raise FeedFetchError(
                "The feed's address redirects too many times."
            ) from None
        except (httpx.TransportError, httpx.InvalidURL) as error:
            raise FeedFetchError(
                f"The feed's server could not be reached ({type(error).__name__})."
            ) from None

    async def _get(
        self, url: str, headers: dict[str, str], time_limit: float, max_bytes: int
    ) -> Fetched:
        async with self._client.stream(
            "GET", url, headers=headers, timeout=time_limit
        ) as response:
            if response.status_code == 304:
                return Fetched(not_modified=True)
            if response.status_code >= 400:
                raise FeedFetchError(_status_message(response.status_code))
            body = await _read_limited(response, max_bytes)
            return Fetched(
                not_modified=False,
                body=body,
                etag=response.headers.get("ETag"),
                last_modified=response.headers.get("Last-Modified"),
                content_type=response.headers.get("Content-Type"),
            )


async def _read_limited(response: httpx.Response, max_bytes: int) -> bytes:
    """The body, refusing (early) anything larger than `max_bytes`."""
    too_big = FeedFetchError(
        f"The feed is larger than {max_bytes // (1024 * 1024) or 1} MB, so the bot "
        "skipped it."
    )
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise too_big
    chunks, size = [], 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise too_big
        chunks.append(chunk)
    return b"".join(chunks)
