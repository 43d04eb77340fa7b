"""Sample values for the poll templates, for tests/test_templates.py's render-everything check."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.polls import OptionResult, Results
from bot.store.tables import Member, Poll
from bot.web.forms import ButtonForm
from bot.web.poll_forms import PollForm, SingleVoteForm, offer

SCRIPT = "<script>alert(1)</script>"


def email_samples() -> dict[str, dict[str, Any]]:
    return {
        "poll": {
            "question": f"What should the next forum cover? {SCRIPT}",
            "subject_question": "What should the next forum cover?",
            "multiple": False,
            "anonymous": True,
            "closes": "Friday 6 March 2026, 17:00",
            "options": [
                {"label": "Referrals", "url": "https://forum.example.org/vote/a"},
                {"label": "Out of sight", "url": "https://forum.example.org/vote/b"},
            ],
            "unsubscribe_url": "https://forum.example.org/unsubscribe/abc",
            "preferences_url": "https://forum.example.org/preferences/abc",
        }
    }


def _form(form_class: type[Any]) -> Any:
    return form_class(
        meta={"csrf_secret": b"test-secret-0123456789", "csrf_context": {}}
    )


def _poll() -> Poll:
    when = datetime(2026, 3, 6, 17, 0, tzinfo=UTC)
    return Poll(
        id=3,
        question=f"Next topic? {SCRIPT}",
        options=["Referrals", "Out of sight"],
        anonymous=False,
        closes_at=when,
        created_at=when,
    )


def _results() -> Results:
    options = [
        OptionResult("Referrals", 2, 66.7, ["Kim", "Sam"]),
        OptionResult("Out of sight", 1, 33.3, ["Ali"]),
    ]
    return Results(3, "Next topic?", False, 3, options, with_names=True)


def web_samples() -> dict[str, Callable[[], dict[str, Any]]]:
    admin = ("chair@example.org", ("chair",))
    member = Member(id=1, email="sam@example.org", name="Sam")

    def vote_form() -> Any:
        form = _form(SingleVoteForm)
        offer(form, _poll())
        return form

    closes = "Friday 6 March 2026, 17:00"
    return {
        "web/vote.html.j2": lambda: {
            "poll": _poll(),
            "closes": closes,
            "form": vote_form(),
            "member": member,
        },
        "web/vote_done.html.j2": lambda: {
            "poll": _poll(),
            "closes": closes,
            "chosen": ["Referrals"],
        },
        "web/vote_closed.html.j2": lambda: {
            "poll": _poll(),
            "closes": closes,
            "results": _results(),
        },
        "web/admin/polls.html.j2": lambda: {
            "admin": admin,
            "polls": [_poll()],
            "zone": ZoneInfo("Europe/London"),
        },
        "web/admin/poll_new.html.j2": lambda: {"admin": admin, "form": _form(PollForm)},
        "web/admin/poll.html.j2": lambda: {
            "admin": admin,
            "poll": _poll(),
            "results": _results(),
            "open": True,
            "closes": closes,
            "form": _form(ButtonForm),
        },
    }
