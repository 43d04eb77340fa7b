"""Sample values for the newsletter and report templates, for tests/test_templates.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.campaigns import CampaignReport
from bot.store.tables import Newsletter
from bot.web.forms import ButtonForm
from bot.web.routes.newsletters_admin import DraftForm, MonthForm

SCRIPT = "<script>alert(1)</script>"


def email_samples() -> dict[str, dict[str, Any]]:
    return {
        "newsletter": {
            "title": f"Practitioner Forum newsletter: December 2026 {SCRIPT}",
            "chair_note": f"Thank you all.\n\nSee you in January. {SCRIPT}",
            "sections": [
                {
                    "key": "briefings",
                    "heading": "New learning briefings",
                    "items": [
                        {
                            "title": "Child H",
                            "summary": "Key learning.",
                            "url": "https://forum.example.org/briefings/child-h",
                            "topics": ["Neglect"],
                        }
                    ],
                },
                {
                    "key": "sessions",
                    "heading": "Upcoming forum sessions",
                    "items": [
                        {
                            "id": 1,
                            "title": "Referrals",
                            "summary": "",
                            "when": "Tuesday 19 January 2027, 14:00 to 15:30 (UK time)",
                            "rsvp_yes_url": "https://forum.example.org/rsvp/y",
                            "rsvp_no_url": "https://forum.example.org/rsvp/n",
                        }
                    ],
                },
                {
                    "key": "training",
                    "heading": "Upcoming training",
                    "items": [
                        {
                            "id": 3,
                            "title": f"Neglect {SCRIPT}",
                            "summary": "Town Hall, 24 places",
                            "when": "Thursday 2 April 2026, 09:30 to 12:30 (UK time)",
                            "places": 24,
                        }
                    ],
                },
                {
                    "key": "surveys",
                    "heading": "Surveys open to you",
                    "items": [
                        {
                            "id": 5,
                            "title": f"Early help {SCRIPT}",
                            "summary": "Tell us.",
                            "when": "",
                            "url": "https://forum.example.org/surveys/tok",
                        }
                    ],
                },
                {
                    "key": "polls",
                    "heading": "Have your say",
                    "items": [
                        {
                            "id": 2,
                            "title": "Next topic?",
                            "when": "",
                            "options": [
                                {
                                    "label": "A",
                                    "url": "https://forum.example.org/vote/a",
                                }
                            ],
                        }
                    ],
                },
            ],
            "topics": ["Neglect", "Domestic abuse"],
            "forum_url": "https://forum.example.org/forum/tok",
            "unsubscribe_url": "https://forum.example.org/unsubscribe/abc",
            "preferences_url": "https://forum.example.org/preferences/abc",
        }
    }


def _form(form_class: type[Any], **initial: Any) -> Any:
    meta = {"csrf_secret": b"test-secret-0123456789", "csrf_context": {}}
    return form_class(meta=meta, **initial)


def _issue() -> Newsletter:
    when = datetime(2026, 12, 1, tzinfo=UTC)
    return Newsletter(
        id=4,
        campaign="newsletter:2027-01",
        title=f"January {SCRIPT}",
        chair_note="Hello.",
        period_start=when,
        period_end=when,
        status="scheduled",
        scheduled_for=when,
    )


def _report() -> CampaignReport:
    return CampaignReport(
        "newsletter:2027-01", 10, 0, 9, 1, 0, 1, 2, 0, datetime(2027, 1, 1, tzinfo=UTC)
    )


def web_samples() -> dict[str, Callable[[], dict[str, Any]]]:
    admin = ("comms@example.org", ("communications",))
    zone = ZoneInfo("Europe/London")
    return {
        "web/admin/newsletters.html.j2": lambda: {
            "admin": admin,
            "rows": [_issue()],
            "form": _form(MonthForm, month="2027-01"),
            "zone": zone,
            "can_send": True,
        },
        "web/admin/newsletter.html.j2": lambda: {
            "admin": admin,
            "row": _issue(),
            "form": _form(DraftForm, title="January", chair_note="Hello."),
            "buttons": _form(ButtonForm),
            "sections": email_samples()["newsletter"]["sections"],
            "report": _report(),
            "saved": True,
            "done": "A test copy is on its way to you.",
            "can_send": True,
            "zone": zone,
        },
        "web/admin/reports.html.j2": lambda: {
            "admin": admin,
            "reports": [_report()],
            "chart": {"newsletter:2027-01": 9},
            "clicks": True,
        },
    }
