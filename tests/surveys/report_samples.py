"""Sample values for the survey report templates, for tests/test_templates.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.surveys.report_model import (
    Bar,
    Numbers,
    QuestionReport,
    RatioReport,
    Report,
    Share,
)
from bot.domain.surveys.report_summary import email_context

SCRIPT = "<script>alert(1)</script>"


def sample_report(**changes: Any) -> Report:
    """A report with one question of each kind of figure and a hostile free-text answer."""
    aware = QuestionReport(
        "aware",
        "yes_no",
        "Are you aware of the Protocol?",
        "",
        123,
        123,
        bars=[Bar("Yes", Share(74, 123)), Bar("No", Share(49, 123))],
    )
    confidence = QuestionReport(
        "confidence",
        "likert",
        "How confident are you?",
        "",
        123,
        100,
        bars=[Bar(str(n), Share(20, 123)) for n in range(1, 6)],
        mean=3.0,
    )
    years = QuestionReport(
        "years", "number", "Years in post?", "", 123, 3, numbers=Numbers(5, 3, 2, 10)
    )
    comments = QuestionReport(
        "comments",
        "text",
        "Anything else?",
        "aware = yes",
        74,
        5,
        texts=[f"Good {SCRIPT}", "Fine", "More training", "Yes", "No"],
    )
    fields: dict[str, Any] = {
        "title": f"The Resolution and Escalation Protocol {SCRIPT}",
        "survey_ids": [3],
        "anonymous": True,
        "invited": 200,
        "answered": 123,
        "responses": 123,
        "questions": [aware, confidence, years, comments],
        "ratios": [
            RatioReport(
                "Of those aware, had used it",
                "aware = yes",
                "used = yes",
                Share(36, 74),
            )
        ],
    }
    return Report(**(fields | changes))


def email_samples() -> dict[str, dict[str, Any]]:
    return {
        "survey_report": email_context(
            sample_report(), "https://forum.example.org/admin/surveys/3/report"
        )
    }


def web_samples() -> dict[str, Callable[[], dict[str, Any]]]:
    admin = ("chair@example.org", ("chair",))
    figures = {
        "places": 20,
        "attended": 16,
        "non_attended": 2,
        "utilisation": 80.0,
        "per_event": [
            {
                "ref": "NEG-1",
                "places": 10,
                "attended": 8,
                "non_attended": 1,
                "utilisation": 80.0,
            }
        ],
    }
    return {
        "web/admin/survey_report.html.j2": lambda: {
            "admin": admin,
            "report": sample_report(course_id=2, utilisation=figures),
            "rate_line": "123 responses · 62% of 200 invited answered",
            "csv_url": "/admin/surveys/3/report.csv",
            "zone": ZoneInfo("Europe/London"),
        }
    }
