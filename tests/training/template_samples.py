"""Sample values for the training admin pages, for tests/test_templates.py's render-everything check."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.imports import Rejected
from bot.domain.training import utilisation as u
from bot.store.tables import Booking, TrainingEvent
from bot.web.training_forms import EventForm, UploadForm

SCRIPT = "<script>alert(1)</script>"
WHEN = datetime(2027, 1, 19, 9, 30, tzinfo=UTC)
LONDON = ZoneInfo("Europe/London")


def _form(form_class: type[Any]) -> Any:
    return form_class(
        meta={"csrf_secret": b"test-secret-0123456789", "csrf_context": {}}
    )


def _events() -> list[u.EventFigures]:
    return [
        u.EventFigures(
            1, "SAMPLE-1", 1, f"Neglect {SCRIPT}", WHEN, u.Counts(20, 18, 1, 17, 1)
        ),
        u.EventFigures(2, "SAMPLE-2", 2, "Escalation", WHEN, u.Counts(0, 0, 0, 0, 0)),
    ]


def _training() -> dict[str, Any]:
    events = _events()
    courses = u.by_course(events)
    return {
        "admin": ("learning@example.org", ("learning",)),
        "events": events,
        "courses": courses,
        "total": u.total(events),
        "chart": {c.course: c.counts.utilisation or 0.0 for c in courses},
        "zone": LONDON,
        "report": None,
        "event_form": _form(EventForm),
        "upload_form": _form(UploadForm),
        "done": "created-SAMPLE-1",
    }


def _with_report() -> dict[str, Any]:
    report = {
        "kind": "bookings",
        "imported": 3,
        "updated": 0,
        "unchanged": 1,
        "rejected": [Rejected(line=4, reason=f"Bad address {SCRIPT}")],
    }
    return {**_training(), "report": report}


def _nonattendance() -> dict[str, Any]:
    return {
        "admin": ("learning@example.org", ("learning",)),
        "event": TrainingEvent(
            id=1, course_id=1, ref="SAMPLE-1", starts_at=WHEN, ends_at=WHEN
        ),
        "absent": [
            Booking(event_id=1, email="ann@example.org", name=f"Ann {SCRIPT}"),
        ],
        "zone": LONDON,
    }


def web_samples() -> dict[str, Callable[[], dict[str, Any]]]:
    return {
        "web/admin/training.html.j2": _with_report,
        "web/admin/training_nonattendance.html.j2": _nonattendance,
    }
