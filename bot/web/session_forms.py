"""The chair's session form (admin pages): local date-times, agenda lines, audience choices."""

from __future__ import annotations

from datetime import datetime

from wtforms import BooleanField, IntegerField, StringField, TextAreaField
from wtforms.fields import DateTimeLocalField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from bot.domain.forum.sessions import ForumRules, SessionDetails
from bot.errors import InvalidInputError
from bot.web.forms import CheckboxesField, SecureForm

WHEN = "%Y-%m-%dT%H:%M"


class SessionForm(SecureForm):
    title = StringField(
        "Title", [DataRequired("Give the session a title."), Length(max=200)]
    )
    starts = DateTimeLocalField(
        "Starts (UK time)", [DataRequired("Give the start date and time.")], format=WHEN
    )
    ends = DateTimeLocalField(
        "Ends (UK time)", [DataRequired("Give the end date and time.")], format=WHEN
    )
    topic = StringField("Topic (optional)", [Length(max=200)])
    description = TextAreaField("Description (optional)", [Length(max=5000)])
    join_url = StringField("Online joining link", [Length(max=1000)])
    capacity = IntegerField(
        "Places (leave empty for no limit)",
        [Optional(), NumberRange(min=1, message="The capacity must be at least 1.")],
    )
    items = TextAreaField(
        "The session's own agenda items, one a line", [Length(max=5000)]
    )
    audience_topics = CheckboxesField(
        "Invite members following these topics", validate_choice=False
    )
    audience_organisations = CheckboxesField(
        "Invite these organisations", validate_choice=False
    )
    notify = BooleanField("Send an update to everyone already invited", default=True)

    def offer(self, rules: ForumRules) -> None:
        self.audience_topics.choices = [SelectChoice(t) for t in rules.topics]
        self.audience_organisations.choices = [
            SelectChoice(o) for o in rules.organisations
        ]

    def details(self) -> SessionDetails:
        starts: datetime = self.starts.data or datetime.min
        return SessionDetails(
            title=self.title.data or "",
            starts=starts,
            ends=self.ends.data or starts,
            topic=self.topic.data or None,
            description=self.description.data or "",
            join_url=self.join_url.data or None,
            capacity=self.capacity.data,
            items=tuple(
                line for line in (self.items.data or "").splitlines() if line.strip()
            ),
            audience_topics=tuple(self.audience_topics.data or ()),
            audience_organisations=tuple(self.audience_organisations.data or ()),
        )

    def show_error(self, error: InvalidInputError) -> None:
        """Put a domain validation error next to the field it concerns."""
        names = {
            "start": "starts",
            "end": "ends",
            "joining link": "join_url",
            "agenda item": "items",
        }
        name = names.get(error.field or "", error.field or "")
        field = getattr(self, name, None) or self.title
        field.errors = [*field.errors, str(error)]


def initial(details: SessionDetails) -> dict[str, object]:
    """Form values for an existing session."""
    return {
        "title": details.title,
        "starts": details.starts,
        "ends": details.ends,
        "topic": details.topic or "",
        "description": details.description,
        "join_url": details.join_url or "",
        "capacity": details.capacity,
        "items": "\n".join(details.items),
        "audience_topics": list(details.audience_topics),
        "audience_organisations": list(details.audience_organisations),
    }
