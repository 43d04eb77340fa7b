"""Sample values for the feeds admin page, for tests/test_templates.py's render-everything check."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.store.tables import Feed, FeedItem
from bot.web.forms import ButtonForm
from bot.web.routes.feeds_admin import FeedForm

SCRIPT = "<script>alert(1)</script>"
WHEN = datetime(2026, 2, 24, 12, 0, tzinfo=UTC)


def _form(form_class: type[Any]) -> Any:
    return form_class(
        meta={"csrf_secret": b"test-secret-0123456789", "csrf_context": {}}
    )


def _feeds() -> list[Feed]:
    return [
        Feed(
            id=1,
            name=f"News {SCRIPT}",
            url="https://example.org/feed",
            last_polled_at=WHEN,
        ),
        Feed(
            id=2,
            name="Panel",
            url="https://example.org/panel.atom",
            active=False,
            last_error="The feed did not answer within 20 seconds.",
        ),
    ]


def _items() -> list[FeedItem]:
    return [
        FeedItem(
            id=5,
            feed_id=1,
            guid="a",
            title=f"Briefing {SCRIPT}",
            link="https://example.org/a",
            summary="Key learning",
            published_at=WHEN,
            chosen=True,
        ),
        FeedItem(id=6, feed_id=2, guid="b", title="Sent", summary="", newsletter_id=3),
    ]


def web_samples() -> dict[str, Callable[[], dict[str, Any]]]:
    return {
        "web/admin/feeds.html.j2": lambda: {
            "admin": ("comms@example.org", ("communications",)),
            "feeds": _feeds(),
            "names": {1: "News", 2: "Panel"},
            "items": _items(),
            "form": _form(FeedForm),
            "buttons": _form(ButtonForm),
            "zone": ZoneInfo("Europe/London"),
        }
    }
