"""Sample values for the survey templates, for tests/test_templates.py's render-everything
check."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.surveys import read_definition
from bot.store.tables import Survey
from bot.web.forms import ButtonForm
from bot.web.routes.surveys_admin import DefinitionForm
from bot.web.survey_view import shown_questions
from tests.surveys.conftest import SAMPLE

SCRIPT = "<script>alert(1)</script>"


def email_samples() -> dict[str, dict[str, Any]]:
    return {
        "survey_invitation": {
            "title": f"The Resolution and Escalation Protocol {SCRIPT}",
            "subject_title": "The Resolution and Escalation Protocol",
            "description": f"A short survey. {SCRIPT}",
            "anonymous": True,
            "closes": "Friday 6 March 2026, 17:00",
            "reminder": False,
            "url": "https://forum.example.org/surveys/abc",
        }
    }


def _form(form_class: type[Any]) -> Any:
    return form_class(
        meta={"csrf_secret": b"test-secret-0123456789", "csrf_context": {}}
    )


def _survey() -> Survey:
    definition = read_definition(SAMPLE)
    return Survey(
        id=4,
        slug=definition.slug,
        title=f"{definition.title} {SCRIPT}",
        description=definition.description,
        anonymous=False,
        definition=definition.model_dump(mode="json"),
        status="open",
        closes_at=datetime(2026, 3, 6, 17, 0, tzinfo=UTC),
    )


def _survey_page() -> dict[str, Any]:
    entered = {"aware": "yes", "comments": SCRIPT}
    questions = shown_questions(
        read_definition(SAMPLE), entered, {"used": "Please answer this question."}
    )
    return {
        "survey": _survey(),
        "form": _form(ButtonForm),
        "questions": questions,
        "errors": [q for q in questions if q.error],
        "form_error": None,
        "answered_before": True,
    }


def web_samples() -> dict[str, Callable[[], dict[str, Any]]]:
    admin = ("chair@example.org", ("chair",))
    return {
        "web/survey.html.j2": _survey_page,
        "web/survey_done.html.j2": lambda: {"survey": _survey(), "state": "thanks"},
        "web/admin/surveys.html.j2": lambda: {
            "admin": admin,
            "surveys": [_survey()],
            "counts": {4: 12},
            "zone": ZoneInfo("Europe/London"),
            "form": _form(ButtonForm),
            "notice": "opened-3",
        },
        "web/admin/survey_form.html.j2": lambda: {
            "admin": admin,
            "form": _form(DefinitionForm),
            "problems": [f"questions[1] (aware).colour: {SCRIPT}"],
        },
    }
