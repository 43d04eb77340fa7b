"""Every template renders with sample values under StrictUndefined; HTML is escaped, text is not."""

from __future__ import annotations

import email
import re
from collections.abc import Callable
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from typing import Any

import jinja2
import pytest

from bot.domain.members import Choices
from bot.domain.mime import address, build_message, message_id_for
from bot.mail.catcher import CaughtMail
from bot.rendering import Renderer, templates_dir
from bot.runtime import renderer_for, sender_from
from bot.settings import Contact, Settings
from bot.store.tables import Member, Question, Ticket
from bot.web.forms import (
    AskForm,
    ButtonForm,
    HandoffForm,
    JoinForm,
    PreferencesForm,
    SignInForm,
    TicketAnswerForm,
)
from tests.briefings import template_samples as briefing_samples
from tests.feeds import template_samples as feed_samples
from tests.forum import place_samples as forum_place_samples
from tests.forum import session_samples as forum_session_samples
from tests.forum import template_samples as forum_question_samples
from tests.newsletters import template_samples as newsletter_samples
from tests.polls import template_samples as poll_samples
from tests.surveys import report_samples as survey_report_samples
from tests.surveys import template_samples as survey_samples
from tests.training import template_samples as training_samples

TEMPLATES = templates_dir()
EMAIL_DIR = TEMPLATES / "email"
WEB_DIR = TEMPLATES / "web"
SCRIPT = "<script>alert(1)</script>"
CHOICES = Choices(
    organisations=("Riverside Council", "Riverside NHS Trust"),
    topics=("Neglect", "Exploitation"),
    sectors=("Health", "Education"),
    consent_wording="We keep your name and address to send you forum emails.",
)


def _settings() -> Settings:
    return Settings(
        _env_file=None,
        partnership_name="Riverside Safeguarding Children Partnership",
        partnership_short_name="RSCP",
        contacts=[Contact(name="Front Door", phone="0300 123 4567", urgent=True)],
    )


@pytest.fixture
def renderer() -> Renderer:
    return renderer_for(_settings())


def email_template_names() -> list[str]:
    """templates/email/<name>.subject.j2 for each email; partials start with an underscore."""
    return sorted(
        p.name.removesuffix(".subject.j2")
        for p in EMAIL_DIR.glob("*.subject.j2")
        if not p.name.startswith("_")
    )


def web_template_names() -> list[str]:
    """Every page under templates/web/; macro files start with an underscore."""
    return sorted(
        p.relative_to(TEMPLATES).as_posix()
        for p in WEB_DIR.rglob("*.j2")
        if not p.name.startswith("_")
    )


def _caught_mail() -> CaughtMail:
    raw = build_message(
        subject="Test message",
        text="Hello Sam",
        html="<p>Hello Sam</p>",
        sender=address("Practitioner Forum", "forum@example.org"),
        to=address("Sam", "sam@example.org"),
        message_id=message_id_for("t:1", "example.org"),
        date=datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
    )
    message: Any = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return CaughtMail(
        key="1772357400.M1P2.host",
        subject="Test message",
        sender="Practitioner Forum <forum@example.org>",
        recipients="sam@example.org",
        date=datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
        message=message,
    )


def email_samples() -> dict[str, dict[str, Any]]:
    """What each email template is given (compose() adds recipient_name and sender)."""
    return {
        "admin_sign_in": {"sign_in_url": "https://forum.example.org/admin/sign-in/tok"},
        "already_member": {
            "preferences_url": "https://forum.example.org/preferences/tok"
        },
        "confirm_join": {
            "confirm_url": "https://forum.example.org/confirm/tok",
            "consent_wording": CHOICES.consent_wording,
        },
        "confirm_leave": {
            "unsubscribe_url": "https://forum.example.org/unsubscribe/tok",
            "preferences_url": "https://forum.example.org/preferences/tok",
        },
        "email_help": {},
        "forum_update": {
            "headline": "Practitioner Forum: improving the quality of referrals",
            "body": "The next forum meets online.\n\nBring a case to discuss.",
            "link_text": "Book your place",
            "link_url": "https://forum.example.org/sessions/1",
            "unsubscribe_url": "https://forum.example.org/unsubscribe/abc",
            "preferences_url": "https://forum.example.org/preferences/abc",
        },
        "not_member": {},
        "test_message": {"sent_at": "01 Mar 2026 09:30 UTC"},
        "answer": {
            "subject": "escalation",
            "answer_text": "Here is what the partnership's documents say:\n• “Quote.”",
            "sources": [
                {"title": "Arrangements", "section": "Escalation", "url": None}
            ],
            "answer_url": "https://forum.example.org/answers/tok",
        },
        "ticket_answer": {
            "question": "How do I escalate?",
            "answer": "Use the protocol.\n\nCall us if unsure.",
            "ticket_id": 7,
        },
        "welcome": {"preferences_url": "https://forum.example.org/preferences/tok"},
        **forum_question_samples.email_samples(),
        **forum_place_samples.email_samples(),
        **forum_session_samples.email_samples(),
        **poll_samples.email_samples(),
        **survey_report_samples.email_samples(),
        **survey_samples.email_samples(),
        **newsletter_samples.email_samples(),
        **briefing_samples.email_samples(),
    }


def _form(form_class: type[Any], **initial: Any) -> Any:
    """A real form, as the routes bind it (CSRF token from a session), with the choices offered."""
    form = form_class(
        meta={"csrf_secret": b"test-secret-0123456789", "csrf_context": {}}, **initial
    )
    if hasattr(form, "offer"):
        form.offer(CHOICES)
    return form


def _member(status: str = "active") -> Member:
    return Member(
        id=1,
        email="sam@example.org",
        name="Sam Practitioner",
        organisation="Riverside Council",
        topics=["Neglect"],
        status=status,
    )


def _ticket(answer: str | None = None) -> Ticket:
    when = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    return Ticket(
        id=7, channel="web", text="How do I escalate?", answer=answer, created_at=when
    )


def _question() -> Question:
    when = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    return Question(
        id=3,
        channel="slack",
        text="Where is the neglect toolkit?",
        kind="handoff",
        created_at=when,
    )


def web_samples() -> dict[str, Callable[[], dict[str, Any]]]:
    """What each page is given; built on demand, so one broken sample fails only its page."""
    member = _member()
    links = {
        "preferences_url": "https://forum.example.org/preferences/tok",
        "unsubscribe_url": "https://forum.example.org/unsubscribe/tok",
    }
    return {
        "web/admin/members.html.j2": lambda: {
            "admin": ("chair@example.org", ("chair", "business-support")),
            "members": [_member(), _member("pending")],
            "counts": {
                "status": {
                    "pending": 1,
                    "active": 1,
                    "unsubscribed": 0,
                    "bounced": 0,
                    "erased": 0,
                },
                "organisation": {"Riverside Council": 1},
                "topic": {"Neglect": 1},
            },
            "filters": {
                "q": "sam",
                "status": "active",
                "organisation": "",
                "topic": "Neglect",
            },
            "choices": CHOICES,
            "statuses": ("pending", "active", "unsubscribed", "bounced"),
        },
        "web/admin/sign_in.html.j2": lambda: {"form": _form(SignInForm)},
        "web/admin/sign_in_confirm.html.j2": lambda: {"form": _form(ButtonForm)},
        "web/admin/sign_in_sent.html.j2": dict,
        "web/base.html.j2": dict,
        "web/confirm.html.j2": lambda: {"form": _form(ButtonForm), "member": member},
        "web/confirmed.html.j2": lambda: {"member": member, **links},
        "web/error.html.j2": lambda: {
            "message": "That message is not in the mail catcher."
        },
        "web/home.html.j2": lambda: {"catcher": True},
        "web/join.html.j2": lambda: {
            "form": _form(JoinForm),
            "consent_wording": CHOICES.consent_wording,
        },
        "web/join_sent.html.j2": dict,
        "web/mail/detail.html.j2": lambda: {
            "mail": _caught_mail(),
            "html": "<p>Hello Sam</p>",
            "text": "Hello Sam",
        },
        "web/mail/list.html.j2": lambda: {
            "messages": [_caught_mail()],
            "catcher": True,
        },
        "web/preferences.html.j2": lambda: {
            "form": _form(PreferencesForm, name="Sam Practitioner", topics=["Neglect"]),
            "member": member,
            "saved": True,
            **links,
        },
        "web/unsubscribe.html.j2": lambda: {
            "form": _form(ButtonForm),
            "member": member,
            **links,
        },
        "web/unsubscribed.html.j2": lambda: {"member": member},
        "web/ask.html.j2": lambda: {"form": _form(AskForm)},
        "web/answer.html.j2": lambda: {
            "answer": {
                "kind": "answer",
                "text": "Here is what the partnership's documents say:\n• “Quote.”",
                "sources": [
                    {
                        "title": "Arrangements",
                        "section": "Escalation",
                        "excerpt": "The whole passage. Quote.",
                        "quote": "Quote.",
                    }
                ],
            },
            "token": "tok",
            "feedback": _form(ButtonForm),
            "handoff": _form(HandoffForm),
        },
        "web/thanks.html.j2": lambda: {"message": "Thank you."},
        "web/handed_off.html.j2": lambda: {
            "ticket": _ticket(),
            "ticket_url": "/tickets/tok",
            "by_email": False,
        },
        "web/ticket.html.j2": lambda: {"ticket": _ticket()},
        "web/admin/tickets.html.j2": lambda: {
            "admin": ("chair@example.org", ("chair",)),
            "waiting": [_ticket()],
            "answered": [_ticket(answer="Yes.")],
            "form": _form(TicketAnswerForm),
        },
        "web/admin/questions.html.j2": lambda: {
            "admin": ("chair@example.org", ("chair",)),
            "unanswered": [_question()],
            "unhelpful": [_question()],
        },
        **forum_question_samples.web_samples(),
        **forum_place_samples.web_samples(),
        **forum_session_samples.web_samples(),
        **poll_samples.web_samples(),
        **feed_samples.web_samples(),
        **survey_report_samples.web_samples(),
        **survey_samples.web_samples(),
        **newsletter_samples.web_samples(),
        **briefing_samples.web_samples(),
        **training_samples.web_samples(),
    }


def _email_context(name: str) -> dict[str, Any]:
    return {
        "recipient_name": "Sam Practitioner",
        "sender": sender_from(_settings()),
        **email_samples()[name],
    }


def test_the_template_folders_are_found() -> None:
    assert "test_message" in email_template_names()
    assert "web/home.html.j2" in web_template_names()


def test_every_email_template_has_all_three_parts_and_a_sample() -> None:
    for name in email_template_names():
        for part in ("subject", "txt", "html"):
            assert (EMAIL_DIR / f"{name}.{part}.j2").is_file(), (
                f"email/{name}.{part}.j2 is missing"
            )
    assert sorted(email_samples()) == email_template_names(), (
        "add a sample context for each email template"
    )


def test_every_web_template_has_a_sample() -> None:
    assert sorted(web_samples()) == web_template_names(), (
        "add a sample context for each web template"
    )


@pytest.mark.parametrize("name", email_template_names())
def test_email_template_renders(renderer: Renderer, name: str) -> None:
    rendered = renderer.render_email(name, _email_context(name))
    assert rendered.subject and "\n" not in rendered.subject
    assert (
        "Riverside Safeguarding Children Partnership" in rendered.text + rendered.html
    )
    assert "{{" not in rendered.text + rendered.html


@pytest.mark.parametrize("name", email_template_names())
def test_email_template_fails_on_a_missing_variable(
    renderer: Renderer, name: str
) -> None:
    context = _email_context(name)
    del context["sender"]
    with pytest.raises(jinja2.UndefinedError):
        renderer.render_email(name, context)


def test_every_variable_a_template_uses_must_be_given(renderer: Renderer) -> None:
    """StrictUndefined: a misspelt or missing value fails the render instead of printing nothing."""
    context = _email_context("forum_update")
    del context["headline"]
    with pytest.raises(jinja2.UndefinedError, match="headline"):
        renderer.render_email("forum_update", context)
    with pytest.raises(jinja2.UndefinedError):
        renderer.env.from_string("{{ nobody_set_this }}").render()


def test_web_forms_show_their_errors(renderer: Renderer) -> None:
    form = _form(JoinForm)
    assert not form.validate()
    page = renderer.render(
        "web/join.html.j2", {"form": form, "consent_wording": CHOICES.consent_wording}
    )
    assert "There is a problem" in page
    assert "Enter your email address." in page


@pytest.mark.parametrize("name", web_template_names())
def test_web_template_renders(renderer: Renderer, name: str) -> None:
    page = renderer.render(name, web_samples()[name]())
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="en-GB">' in page
    assert "RSCP Practitioner Forum" in page  # the title from the base layout's globals


def test_forum_update_escapes_html_but_not_text(renderer: Renderer) -> None:
    context = _email_context("forum_update") | {
        "headline": SCRIPT,
        "body": f"First {SCRIPT}\n\nSecond",
    }
    context["recipient_name"] = "Sam <b>bold</b>"
    rendered = renderer.render_email("forum_update", context)
    assert SCRIPT not in rendered.html and "<b>bold</b>" not in rendered.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered.html
    assert "Sam &lt;b&gt;bold&lt;/b&gt;" in rendered.html
    assert rendered.text.count(SCRIPT) == 2
    assert "Sam <b>bold</b>" in rendered.text
    assert (
        rendered.subject == SCRIPT
    )  # the subject is a header, not HTML: build_message cleans it


def test_web_pages_escape_values(renderer: Renderer) -> None:
    page = renderer.render("web/error.html.j2", {"message": SCRIPT})
    assert SCRIPT not in page and "&lt;script&gt;" in page


def test_mail_detail_puts_the_html_part_in_a_sandboxed_iframe(
    renderer: Renderer,
) -> None:
    context = web_samples()["web/mail/detail.html.j2"]() | {
        "html": f"<p>{SCRIPT}</p>",
        "text": SCRIPT,
    }
    page = renderer.render("web/mail/detail.html.j2", context)
    assert re.search(
        r'<iframe[^>]*\bsandbox\b[^>]*srcdoc="&lt;p&gt;&lt;script&gt;', page
    )
    assert SCRIPT not in page


@pytest.mark.parametrize("name", email_template_names())
def test_html_email_has_a_language_and_inlined_styles(
    renderer: Renderer, name: str
) -> None:
    html = renderer.render_email(name, _email_context(name)).html
    assert re.search(r'<html[^>]*\blang="en-GB"', html)
    assert re.search(r'<body[^>]*\bstyle="[^"]*font-family', html)
    assert re.search(r'<h1[^>]*\bstyle="[^"]+"', html)
    assert re.search(r'<p[^>]*\bstyle="[^"]+"', html)
    assert len(re.findall(r'\bstyle="[^"]+"', html)) >= 6
