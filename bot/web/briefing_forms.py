"""The briefing form of the admin pages: Markdown text with front-matter fields as inputs."""

from __future__ import annotations

from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3
from wtforms.validators import DataRequired, Length

from bot.domain.briefings import KINDS, Draft
from bot.store.tables import Briefing
from bot.web.forms import CheckboxesField, SecureForm


class BriefingForm(SecureForm):
    kind = SelectField(
        "Kind of briefing",
        choices=[SelectChoice(key, kind.label) for key, kind in KINDS.items()],
        validate_choice=False,
    )
    title = StringField("Title", [DataRequired("Enter a title."), Length(max=300)])
    summary = TextAreaField(
        "Summary (shown first; a few sentences)", [Length(max=1000)]
    )
    body = TextAreaField("Text (Markdown)", [Length(max=50_000)])
    topics = CheckboxesField("Topics (none: every member)", validate_choice=False)
    report_url = StringField("Link to the full report (optional)", [Length(max=1000)])
    webinar_url = StringField("Link to the webinar (optional)", [Length(max=1000)])

    def offer(self, topics: list[str]) -> None:
        self.topics.choices = [SelectChoice(t) for t in topics]

    def draft(self) -> Draft:
        return Draft(
            kind=self.kind.data or "",
            title=self.title.data or "",
            summary=self.summary.data or "",
            body=self.body.data or "",
            report_url=self.report_url.data or None,
            webinar_url=self.webinar_url.data or None,
            topics=tuple(self.topics.data or ()),
        )

    def show_error(self, message: str, field: str | None) -> None:
        target = getattr(self, field or "", None) or self.body
        target.errors = [*target.errors, message]


def initial(row: Briefing) -> dict[str, object]:
    return {
        "kind": row.kind,
        "title": row.title,
        "summary": row.summary,
        "body": row.body,
        "topics": list(row.topics),
        "report_url": row.report_url or "",
        "webinar_url": row.webinar_url or "",
    }
