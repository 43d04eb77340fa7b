"""Sample contexts for the places, reminder and feedback templates, merged into
tests/test_templates.py (so every template renders under StrictUndefined)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.domain.forum.places import Reply
from bot.store.tables import ForumSession, Member
from bot.web.forms import ButtonForm
from bot.web.routes.places import FeedbackForm, PlaceForm

WHEN = datetime(2027, 1, 19, 14, 0, tzinfo=UTC)
META = {"csrf_secret": b"test-secret-0123456789", "csrf_context": {}}
FACTS: dict[str, Any] = {
    "session_title": "Practitioner Forum: referrals",
    "session_topic": "Improving the quality of referrals",
    "when": "Tuesday 19 January 2027, 14:00 to 15:30 (UK time)",
    "join_url": "https://meet.example.org/forum",
    "forum_url": "https://forum.example.org/forum/tok",
}


def email_samples() -> dict[str, dict[str, Any]]:
    return {
        "session_reply": FACTS | {"status": "attending", "saying": "You have a place."},
        "session_reminder": FACTS | {"soon": True, "starts_in": "in 15 minutes"},
        "session_feedback": FACTS
        | {"feedback_url": "https://forum.example.org/feedback/tok"},
    }


def _member() -> Member:
    return Member(id=1, email="sam@example.org", name="Sam Practitioner")


def _row() -> ForumSession:
    return ForumSession(
        id=4,
        uid="u@t",
        title="Spring <forum>",
        starts_at=WHEN,
        ends_at=WHEN + timedelta(hours=1),
    )


def web_samples() -> dict[str, Callable[[], dict[str, Any]]]:
    return {
        "web/forum/rsvp.html.j2": lambda: (
            FACTS
            | {
                "form": ButtonForm(meta=META),
                "member": _member(),
                "yes": True,
                "reply": Reply("waiting", True, 2),
            }
        ),
        "web/forum/page.html.j2": lambda: {
            "member": _member(),
            "form": PlaceForm(meta=META),
            "notice": "You have a place.",
            "token": "tok",
            "upcoming": [FACTS | {"row": _row(), "status": "attending", "open": True}],
        },
        "web/forum/feedback.html.j2": lambda: {
            "form": FeedbackForm(meta=META),
            "member": _member(),
            "saved": True,
            "reminder": "Please do not share details that identify a child.",
            "answered": True,
            "title": "Spring <forum>",
        },
    }
