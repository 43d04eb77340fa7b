"""WTForms forms for the public and admin pages, with CSRF tokens kept in the signed session."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from wtforms import (
    BooleanField,
    EmailField,
    Form,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.csrf.session import SessionCSRF
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3, not in its stubs yet
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from bot.domain.members import Choices, Profile
from bot.errors import InvalidInputError


class CheckboxesField(SelectMultipleField):
    """A group of checkboxes: works without JavaScript and with a screen reader."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SecureForm(Form):
    class Meta:
        csrf = True
        csrf_class = SessionCSRF
        csrf_time_limit = timedelta(hours=4)


class ProfileForm(SecureForm):
    name = StringField("Your name", [DataRequired("Enter your name."), Length(max=100)])
    organisation = SelectField("Organisation", validate_choice=False)
    role = StringField("Your role or job title (optional)", [Length(max=100)])
    sector = SelectField("Sector", validate_choice=False)
    topics = CheckboxesField("Topics you want to hear about", validate_choice=False)
    channels = CheckboxesField(
        "How we contact you",
        choices=[
            SelectChoice("email", "Email"),
            SelectChoice("slack", "Slack, if your organisation uses it"),
        ],
        validate_choice=False,
        default=["email"],
    )

    def profile(self) -> Profile:
        return Profile(
            name=self.name.data or "",
            organisation=self.organisation.data or None,
            role=self.role.data or None,
            sector=self.sector.data or None,
            topics=tuple(self.topics.data or ()),
            channels=tuple(self.channels.data or ()),
        )

    def offer(self, choices: Choices) -> None:
        self.organisation.choices = [SelectChoice("", "Choose your organisation")] + [
            SelectChoice(o) for o in choices.organisations
        ]
        self.sector.choices = [SelectChoice("", "Choose a sector")] + [
            SelectChoice(s) for s in choices.sectors
        ]
        self.topics.choices = [SelectChoice(t) for t in choices.topics]

    def show_error(self, error: InvalidInputError) -> None:
        """Put a domain validation error next to the field it concerns."""
        field = getattr(self, error.field or "", None) or self.name
        field.errors = [*field.errors, str(error)]


class JoinForm(ProfileForm):
    email = EmailField(
        "Work email address",
        [DataRequired("Enter your email address."), Email(), Length(max=254)],
    )
    consent = BooleanField(
        "I agree", [InputRequired("Tick the box to agree, or we cannot add you.")]
    )


class PreferencesForm(ProfileForm):
    pass


class ButtonForm(SecureForm):
    """A form that is only a button (confirm, leave, sign in): the CSRF token is the point."""


class SignInForm(SecureForm):
    email = EmailField(
        "Your work email address", [DataRequired("Enter your email address."), Email()]
    )


async def bind(form_class: type[Any], request: Request, **initial: Any) -> Any:
    """A form bound to the posted data (or empty, for GET), its CSRF token tied to the session."""
    data: FormData | None = await request.form() if request.method == "POST" else None
    secret = request.app.state.services.settings.secret_key.get_secret_value()
    meta = {"csrf_secret": secret.encode(), "csrf_context": request.session}
    return form_class(formdata=data, meta=meta, **initial)


class AskForm(SecureForm):
    question = TextAreaField(
        "Your question", [DataRequired("Write your question."), Length(max=2000)]
    )


class HandoffForm(SecureForm):
    email = EmailField(
        "Your work email, for the answer (optional)",
        [Optional(), Email(), Length(max=254)],
    )


class TicketAnswerForm(SecureForm):
    answer = TextAreaField(
        "Answer", [DataRequired("Write the answer."), Length(max=5000)]
    )
    save = BooleanField("Also add this question and answer to the knowledge base")
