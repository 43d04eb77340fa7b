"""Sample contexts for the questions and attendance templates, merged into tests/test_templates.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.forum.attendance import Figures
from bot.domain.forum.questions import Asked, Ranked
from bot.store.tables import ForumSession, SessionQuestion
from bot.web.routes.session_questions import QuestionForm, QuestionStatusForm

WHEN = datetime(2027, 1, 19, 14, 0, tzinfo=UTC)
ADMIN = ("chair@example.org", ("chair",))
META = {"csrf_secret": b"test-secret-0123456789", "csrf_context": {}}


def _row() -> ForumSession:
    return ForumSession(
        id=4,
        uid="u@test",
        title="Spring forum",
        starts_at=WHEN,
        ends_at=WHEN + timedelta(minutes=90),
    )


def _ranked() -> list[Ranked]:
    return [
        Ranked(9, "How do we escalate?", 3, "open", "slack", WHEN, "Sam Practitioner"),
        Ranked(8, "Who chairs it?", 0, "answered", "web", WHEN, None),
    ]


def _question_form() -> QuestionForm:
    form = QuestionForm(meta=META)
    form.session.choices = [(4, "Spring forum, Tuesday 19 January 2027")]
    return form


def email_samples() -> dict[str, dict[str, Any]]:
    return {
        "forum_question": {
            "accepted": True,
            "question": "How do we escalate?",
            "reminder": "Please do not share details that could identify a child.",
            "session_title": "Spring forum",
            "session_when": "Tuesday 19 January 2027, 14:00 to 15:30 (UK time)",
        }
    }


def web_samples() -> dict[str, Callable[[], dict[str, Any]]]:
    asked = Asked(
        SessionQuestion(session_id=4, text="Why?", channel="web"), "Reminder."
    )
    return {
        "web/forum/questions.html.j2": lambda: {
            "form": _question_form(),
            "sessions": [(_row(), _ranked())],
            "asked": asked,
            "token": "tok",
        },
        "web/admin/session_questions.html.j2": lambda: {
            "admin": ADMIN,
            "row": _row(),
            "when": "Tuesday 19 January 2027",
            "questions": _ranked(),
            "form": QuestionStatusForm(meta=META),
        },
        "web/admin/forum_figures.html.j2": lambda: {
            "admin": ADMIN,
            "figures": [Figures(4, "Spring forum", WHEN, 80, 60, 52, 8, 5)],
            "chart": {"Spring forum (19 Jan 2027)": 52},
            "zone": ZoneInfo("Europe/London"),
        },
    }
