"""Reading a fetched feed document into plain, safe entries.

Feeds are untrusted text from the internet. feedparser sanitises HTML, but the bot does not
rely on it: every title and summary is reduced to plain text here (tags dropped, script and
style contents discarded, entities decoded), and links are kept only if they are http(s).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from time import struct_time
from typing import Any
from xml.sax import SAXParseException

import feedparser

from bot.domain.feeds.registry import web_address

MAX_TITLE, MAX_SUMMARY, MAX_GUID, MAX_ENTRIES = 500, 4000, 1000, 200


class FeedFormatError(ValueError):
    """The document is not a feed the bot can read; the message is plain English."""


@dataclass(frozen=True)
class Entry:
    guid: str
    title: str
    link: str | None
    summary: str
    published_at: datetime | None


class _TextOnly(HTMLParser):
    """Collects the text of an HTML fragment, skipping what is never meant to be read."""

    SKIP = frozenset({"script", "style", "template", "noscript", "iframe", "object"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in ("br", "p", "div", "li"):
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def plain_text(html: str | None, limit: int) -> str:
    """`html` as one line of plain text, at most `limit` characters."""
    parser = _TextOnly()
    parser.feed(html or "")
    parser.close()
    text = " ".join("".join(parser.parts).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _when(entry: Any) -> datetime | None:
    parsed: struct_time | None = entry.get("published_parsed") or entry.get(
        "updated_parsed"
    )
    if not parsed:
        return None
    try:
        return datetime(*parsed[:6], tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def _guid(entry: Any, link: str | None, title: str, when: datetime | None) -> str:
    """The entry's id, else its link, else a hash of its title and date (stable per entry)."""
    key = (entry.get("id") or "").strip() or link
    if not key:
        key = "sha256:" + hashlib.sha256(f"{title}\n{when}".encode()).hexdigest()
    if len(key) > MAX_GUID:
        key = "sha256:" + hashlib.sha256(key.encode()).hexdigest()
    return key


def _entry(raw: Any) -> Entry:
    title = plain_text(raw.get("title"), MAX_TITLE) or "(untitled)"
    content = raw.get("content") or [{}]
    summary = raw.get("summary") or content[0].get("value")
    link = web_address(raw.get("link"))
    when = _when(raw)
    return Entry(
        guid=_guid(raw, link, title, when),
        title=title,
        link=link,
        summary=plain_text(summary, MAX_SUMMARY),
        published_at=when,
    )


def _looks_like_html(body: bytes, content_type: str | None) -> bool:
    start = body[:512].lstrip().lower()
    return "html" in (content_type or "").lower() or start.startswith(
        (b"<!doctype html", b"<html")
    )


def _reason(error: object) -> str:
    """The parser's complaint, briefly, e.g. " (line 2: not well-formed (invalid token))."."""
    if isinstance(error, SAXParseException):
        return f" (line {error.getLineNumber()}: {error.getMessage()})."
    return f" ({str(error)[:200]})." if error else "."


def read_entries(body: bytes, content_type: str | None = None) -> list[Entry]:
    """The entries of a feed document, de-duplicated by id and by link, at most
    `MAX_ENTRIES`.

    A malformed feed from which feedparser recovered entries is kept (feeds in the wild
    are often slightly broken); one with no readable entries is an error.

    Raises:
        FeedFormatError: Not RSS or Atom, or nothing could be read from it.
    """
    if not body.strip():
        raise FeedFormatError("The feed's address returned an empty page, not a feed.")
    # A stream, never bytes or str: feedparser would treat those as a path or address.
    parsed = feedparser.parse(io.BytesIO(body), sanitize_html=True)
    if not parsed.get("entries") and (parsed.get("bozo") or not parsed.get("version")):
        if _looks_like_html(body, content_type):
            raise FeedFormatError(
                "The address returned a web page, not an RSS or Atom feed. Check the "
                "feed's address (look for an RSS or Atom link on the page)."
            )
        raise FeedFormatError(
            "The feed is not valid RSS or Atom and no entries could be read from it"
            + _reason(parsed.get("bozo_exception"))
        )
    entries: dict[str, Entry] = {}
    links: set[str] = set()
    for raw in parsed.get("entries", [])[:MAX_ENTRIES]:
        entry = _entry(raw)
        if entry.guid in entries or (entry.link and entry.link in links):
            continue  # the same item again, under its id or (a new id) its link
        entries[entry.guid] = entry
        links.add(entry.link or "")
    return list(entries.values())
