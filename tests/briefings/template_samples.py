"""Sample values for the briefing and archive templates, for tests/test_templates.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.briefings import KINDS
from bot.domain.briefings.style import facts
from bot.store.tables import Briefing, Newsletter
from bot.web.briefing_forms import BriefingForm
from bot.web.forms import ButtonForm

SCRIPT = "<script>alert(1)</script>"
BASE = "https://forum.example.org"
ZONE = ZoneInfo("Europe/London")
WHEN = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def _briefing() -> Briefing:
    return Briefing(
        id=4,
        slug="discharge-planning",
        kind="learning_lessons",
        title=f"Discharge planning {SCRIPT}",
        summary=f"Plan together. {SCRIPT}",
        body=f"## Background\n\nReviews found gaps.\n\n## Key learning\n\n- Share {SCRIPT}",
        report_url="https://www.example.org/report",
        webinar_url="https://www.example.org/webinar",
        topics=["Neglect"],
        status="published",
        published_at=WHEN,
        created_at=WHEN,
    )


def _form(form_class: type[Any]) -> Any:
    form = form_class(
        meta={"csrf_secret": b"test-secret-0123456789", "csrf_context": {}}
    )
    if isinstance(form, BriefingForm):
        form.offer(["Neglect"])
    return form


def email_samples() -> dict[str, dict[str, Any]]:
    return {
        "briefing": {
            **facts(_briefing(), BASE),
            "unsubscribe_url": f"{BASE}/unsubscribe/abc",
            "preferences_url": f"{BASE}/preferences/abc",
        }
    }


def _page() -> dict[str, Any]:
    return {**facts(_briefing(), BASE), "zone": ZONE}


def _newsletter() -> Newsletter:
    return Newsletter(
        id=2, campaign="newsletter:2026-02", title=f"February {SCRIPT}",
        period_start=WHEN, period_end=WHEN, status="sent", sent_at=WHEN,
    )  # fmt: skip


def web_samples() -> dict[str, Callable[[], dict[str, Any]]]:
    return {
        "web/briefings/list.html.j2": lambda: {
            "rows": [_briefing()], "kinds": KINDS, "kind": None, "zone": ZONE,
        },
        "web/briefings/show.html.j2": _page,
        "web/briefings/print.html.j2": _page,
        "web/newsletters/list.html.j2": lambda: {"rows": [_newsletter()], "zone": ZONE},
        "web/newsletters/show.html.j2": lambda: {
            "row": _newsletter(), "chair_note": f"Hello {SCRIPT}", "zone": ZONE,
            "sections": [{"heading": "Reading", "items": [{"title": SCRIPT, "url": "https://e.org"}]}],
        },
        "web/admin/briefings.html.j2": lambda: {
            "admin": ("comms@example.org", ("communications",)),
            "rows": [_briefing()], "kinds": KINDS, "form": _form(ButtonForm),
            "approver": True, "done": "publish:discharge-planning", "zone": ZONE,
        },
        "web/admin/briefing_form.html.j2": lambda: {
            "form": _form(BriefingForm), "row": None, "preview": _page(),
        },
    }  # fmt: skip
