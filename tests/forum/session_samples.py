"""Sample contexts for the sessions templates (emails and admin pages), for tests/test_templates.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.forum.sessions import ForumRules
from bot.store.tables import ForumSession
from bot.web.forms import ButtonForm
from bot.web.session_forms import SessionForm

META = {"csrf_secret": b"test-secret-0123456789", "csrf_context": {}}
ZONE = ZoneInfo("Europe/London")


def email_samples() -> dict[str, dict[str, Any]]:
    """Invitation, update, cancellation and bulletin of a forum session."""
    facts: dict[str, Any] = {
        "title": "Practitioner Forum: referrals",
        "when": "Tuesday 19 January 2027, 14:00 to 15:30 (UK time)",
        "topic": "Improving the quality of referrals",
        "description": "Bring a case to discuss.\n\nAll welcome.",
        "agenda": ["Open question-and-answer session", "Learning and development"],
        "join_url": "https://meet.example.org/forum",
        "rsvp_yes_url": "https://forum.example.org/rsvp/yes",
        "rsvp_no_url": "https://forum.example.org/rsvp/no",
        "forum_url": "https://forum.example.org/forum/tok",
        "unsubscribe_url": "https://forum.example.org/unsubscribe/abc",
        "preferences_url": "https://forum.example.org/preferences/abc",
    }
    samples = {f"session_{k}": facts for k in ("invitation", "update", "cancelled")}
    notes = "We discussed referrals.\n\nNext time: neglect."
    return samples | {"session_bulletin": facts | {"notes": notes}}


def _row() -> ForumSession:
    when = datetime(2027, 1, 19, 14, 0, tzinfo=UTC)
    return ForumSession(
        id=4,
        uid="u@x",
        title="Forum <b>",
        starts_at=when,
        ends_at=when,
        topic="Neglect",
    )


def _session_form() -> SessionForm:
    form = SessionForm(meta=META)
    form.offer(ForumRules(zone=ZONE, topics=("Neglect",), organisations=("Police",)))
    return form


def web_samples() -> dict[str, Callable[[], dict[str, Any]]]:
    """The sessions admin pages."""
    admin = ("chair@example.org", ("chair",))
    return {
        "web/admin/sessions.html.j2": lambda: {
            "admin": admin,
            "upcoming": [_row()],
            "past": [_row()],
            "form": ButtonForm(meta=META),
            "zone": ZONE,
            "sent": "created-4",
        },
        "web/admin/session_form.html.j2": lambda: {
            "form": _session_form(),
            "session_id": 4,
        },
        "web/admin/session_cancel.html.j2": lambda: {
            "form": ButtonForm(meta=META),
            "row": _row(),
            "zone": ZONE,
        },
    }
