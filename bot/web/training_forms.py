"""The learning team's forms (admin pages): a new training event, and a booking CSV upload."""

from __future__ import annotations

from datetime import datetime

from wtforms import FileField, IntegerField, SelectField, StringField
from wtforms.fields import DateTimeLocalField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from bot.domain.training.csv_rows import KINDS
from bot.domain.training.events import MAX_PLACES, EventDetails
from bot.errors import InvalidInputError
from bot.web.forms import SecureForm

WHEN = "%Y-%m-%dT%H:%M"
MAX_UPLOAD = 5 * 1024 * 1024  # bytes: a year of bookings is far smaller


class EventForm(SecureForm):
    title = StringField(
        "Course title", [DataRequired("Give the course title."), Length(max=300)]
    )
    starts = DateTimeLocalField(
        "Starts (UK time)", [DataRequired("Give the start date and time.")], format=WHEN
    )
    ends = DateTimeLocalField(
        "Ends (UK time)", [DataRequired("Give the end date and time.")], format=WHEN
    )
    places = IntegerField(
        "Places offered",
        [
            InputRequired("Give the number of places offered."),
            NumberRange(
                min=0, max=MAX_PLACES, message="Give a number from 0 to 10000."
            ),
        ],
    )
    trainer = StringField("Trainer (optional)", [Length(max=200)])
    location = StringField("Venue or 'Online' (optional)", [Length(max=300)])
    ref = StringField("Booking system reference (optional)", [Length(max=100)])

    def details(self) -> EventDetails:
        starts: datetime = self.starts.data or datetime.min
        return EventDetails(
            title=self.title.data or "",
            starts=starts,
            ends=self.ends.data or starts,
            places=self.places.data or 0,
            trainer=self.trainer.data or None,
            location=self.location.data or None,
            ref=self.ref.data or None,
        )

    def show_error(self, error: InvalidInputError) -> None:
        """Put a domain validation error next to the field it concerns."""
        name = {"start": "starts", "end": "ends"}.get(error.field or "", error.field)
        field = getattr(self, name or "", None) or self.title
        field.errors = [*field.errors, str(error)]


class UploadForm(SecureForm):
    file = FileField("CSV file from the booking system")
    kind = SelectField(
        "What the file holds",
        choices=[
            SelectChoice("", "Work it out from the columns"),
            *(SelectChoice(k, k.capitalize()) for k in KINDS),
        ],
        validate_choice=True,
    )
