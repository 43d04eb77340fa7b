"""WTForms for polls: the chair's new-poll form and a member's vote (CSRF as every form)."""

from __future__ import annotations

from datetime import datetime

from wtforms import (
    BooleanField,
    DateField,
    RadioField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length

from bot.domain.polls import PollDraft, split_options
from bot.errors import InvalidInputError
from bot.store.tables import Poll
from bot.web.forms import CheckboxesField, SecureForm


class PollForm(SecureForm):
    question = StringField(
        "Question", [DataRequired("Write the question."), Length(max=500)]
    )
    options = TextAreaField(
        "Options, one per line", [DataRequired("Write 2 to 10 options, one per line.")]
    )
    multiple = BooleanField("Members may choose more than one option")
    named = BooleanField("Named: the chair can see who chose what")
    closes_date = DateField("Closing date", [InputRequired("Choose the closing date.")])
    closes_time = TimeField("Closing time", [InputRequired("Choose the closing time.")])
    announce = BooleanField(
        "Post it in Slack and email it to members now", default=True
    )

    def draft(self) -> PollDraft:
        assert self.closes_date.data is not None and self.closes_time.data is not None
        return PollDraft(
            question=self.question.data or "",
            options=split_options(self.options.data or ""),
            closes_local=datetime.combine(self.closes_date.data, self.closes_time.data),
            multiple=bool(self.multiple.data),
            anonymous=not self.named.data,
        )

    def show_error(self, error: InvalidInputError) -> None:
        """Put a domain validation error next to the field it concerns."""
        names = {"question": "question", "options": "options", "closes": "closes_date"}
        field = getattr(self, names.get(error.field or "", "question"))
        field.errors = [*field.errors, str(error)]


class SingleVoteForm(SecureForm):
    choice = RadioField(
        "Your answer", coerce=int, validators=[InputRequired("Choose an option.")]
    )


class MultipleVoteForm(SecureForm):
    choice = CheckboxesField(
        "Your answers (choose any)",
        coerce=int,
        validators=[InputRequired("Choose at least one option.")],
    )


def vote_form_class(poll: Poll) -> type[SecureForm]:
    return MultipleVoteForm if poll.multiple else SingleVoteForm


def offer(form: SecureForm, poll: Poll) -> None:
    """The poll's options as the field's choices (WTForms also refuses anything else)."""
    form.choice.choices = list(enumerate(poll.options))  # type: ignore[attr-defined]


def chosen(form: SecureForm) -> list[int]:
    data = form.choice.data  # type: ignore[attr-defined]
    return list(data) if isinstance(data, list) else [int(data)]
