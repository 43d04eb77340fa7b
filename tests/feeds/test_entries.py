"""Feed text made plain and safe, whatever HTML an entry carries."""

from __future__ import annotations

import pytest

from bot.domain import feeds


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>Key <b>learning</b></p><p>for practice</p>", "Key learning for practice"),
        ('<script>alert("x")</script>Safe', "Safe"),
        ("<SCRIPT type='text/javascript'>steal()</SCRIPT>after", "after"),
        ("<style>p{}</style><iframe src=x>inside</iframe>kept", "kept"),
        ("Tom &amp; Jerry &lt;script&gt; &#8217;s", "Tom & Jerry <script> ’s"),
        ('<img src=x onerror="alert(1)">', ""),
        ("unclosed <b>bold", "unclosed bold"),
        (None, ""),
    ],
)
def test_plain_text(html: str | None, text: str) -> None:
    assert feeds.plain_text(html, 500) == text


def test_plain_text_is_cut_to_its_limit() -> None:
    assert feeds.plain_text("word " * 100, 20) == "word word word word…"


@pytest.mark.parametrize(
    ("link", "kept"),
    [
        ("https://example.org/a?b=1", True),
        ("HTTP://example.org/", True),
        ("javascript:alert(1)", False),
        ("data:text/html,<script>", False),
        ("//example.org/x", False),
        ("https://exa mple.org/", False),
        ("https://example.org/\r\nSet-Cookie: x", False),
        ("", False),
    ],
)
def test_only_web_links_are_kept(link: str, kept: bool) -> None:
    assert (feeds.web_address(link) is not None) is kept


def test_entries_without_an_id_or_link_get_a_stable_key() -> None:
    document = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
    <item><title>Same</title><pubDate>Mon, 23 Feb 2026 10:15:00 +0000</pubDate></item>
    <item><title>Same</title><pubDate>Tue, 24 Feb 2026 10:15:00 +0000</pubDate></item>
    </channel></rss>"""
    first, second = feeds.read_entries(document)
    assert first.guid.startswith("sha256:") and first.guid != second.guid
    assert [e.guid for e in feeds.read_entries(document)] == [first.guid, second.guid]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty page"),
        (b"<html><body>Hello</body></html>", "a web page, not an RSS or Atom feed"),
        (b'{"items": []}', "not valid RSS or Atom"),
    ],
)
def test_what_is_not_a_feed_is_an_error(body: bytes, message: str) -> None:
    with pytest.raises(feeds.FeedFormatError, match=message):
        feeds.read_entries(body)
