"""The bot's own RSS 2.0 feed of published briefings, so websites and other bots can follow it.

Built with the standard library's ElementTree (which escapes every value); links are
absolute, each item's guid is its permanent page address and pubDate is RFC 822.
"""

from __future__ import annotations

from datetime import datetime
from email.utils import format_datetime
from xml.etree import ElementTree as ET

from bot.domain.briefings.kinds import kind_of
from bot.domain.briefings.style import page_url
from bot.store.tables import Briefing

ATOM = "http://www.w3.org/2005/Atom"


def _add(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    element.text = text
    return element


def _item(channel: ET.Element, row: Briefing, base_url: str) -> None:
    item = ET.SubElement(channel, "item")
    url = page_url(base_url, row)
    _add(item, "title", row.title)
    _add(item, "link", url)
    _add(item, "guid", url, isPermaLink="true")
    if row.published_at is not None:
        _add(item, "pubDate", format_datetime(row.published_at))
    _add(item, "category", kind_of(row.kind).label)
    _add(item, "description", row.summary or row.title)


def feed_xml(
    rows: list[Briefing], *, base_url: str, title: str, now: datetime
) -> bytes:
    """The feed document (UTF-8 bytes) for the given published briefings, newest first."""
    ET.register_namespace("atom", ATOM)
    base = base_url.rstrip("/")
    rss = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(rss, "channel")
    _add(channel, "title", f"{title}: briefings")
    _add(channel, "link", f"{base}/briefings")
    _add(
        channel,
        "description",
        "Learning Lessons Briefings, audit notes, bulletins and practice updates.",
    )
    _add(channel, "language", "en-gb")
    _add(channel, "lastBuildDate", format_datetime(now))
    ET.SubElement(
        channel,
        f"{{{ATOM}}}link",
        {
            "href": f"{base}/briefings/feed.xml",
            "rel": "self",
            "type": "application/rss+xml",
        },
    )
    for row in rows:
        _item(channel, row, base)
    return bytes(ET.tostring(rss, encoding="utf-8", xml_declaration=True))
