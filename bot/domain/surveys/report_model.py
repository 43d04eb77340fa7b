"""What a survey report holds, whichever channel shows it (terminal, web, Slack, email, JSON).

Percentages keep their exact fraction (`Share`), so the one-decimal figure in JSON and the
whole-number figure people read are both rounded once from the true value: 36 of 74 shows
as 49%, never as 48.6% rounded again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

# An anonymous survey's figures, free text and CSV rows stay hidden until this many have
# answered: with one or two responses, anyone who knows who answered knows the answers.
MIN_ANONYMOUS_RESPONSES = 3
WITHHELD = (
    f"Answers are hidden until at least {MIN_ANONYMOUS_RESPONSES} people have answered: "
    "the survey is anonymous, and with fewer, answers could be traced to the people who "
    "gave them."
)


@dataclass(frozen=True)
class Share:
    """`count` of `of`, as a percentage."""

    count: int
    of: int

    @property
    def percent(self) -> float:
        """One decimal place (for JSON and CSV)."""
        return round(100 * self.count / self.of, 1) if self.of else 0.0

    @property
    def whole(self) -> int:
        """A whole percentage, rounding halves up (as people expect; Python's round does not)."""
        return math.floor(100 * self.count / self.of + 0.5) if self.of else 0

    def as_dict(self) -> dict[str, Any]:
        return {"count": self.count, "of": self.of, "percent": self.percent}


@dataclass(frozen=True)
class Bar:
    """One option (or scale point) of a question: how many chose it, of those shown it."""

    label: str
    share: Share


@dataclass(frozen=True)
class Numbers:
    """A number question's answers, summarised."""

    mean: float
    median: float
    min: float
    max: float


@dataclass(frozen=True)
class QuestionReport:
    """One question's answers. `shown` counts respondents who were asked it (for a conditional
    question, those whose earlier answer met its condition); `answered` those who answered."""

    id: str
    type: str
    text: str
    condition: str  # "" when everyone is asked; else e.g. "aware = yes"
    shown: int
    answered: int
    bars: list[Bar] = field(default_factory=list)  # single, multiple, likert, yes_no
    mean: float | None = None  # likert
    numbers: Numbers | None = None  # number
    texts: list[str] = field(default_factory=list)  # text, as typed: escape when shown

    @property
    def skipped(self) -> int:
        return self.shown - self.answered

    def counts(self) -> dict[str, int]:
        """Respondents per option, in the options' order (for bar charts)."""
        return {bar.label: bar.share.count for bar in self.bars}

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "type": self.type,
            "text": self.text,
            "condition": self.condition or None,
            "shown": self.shown,
            "answered": self.answered,
            "skipped": self.skipped,
        }
        if self.bars:
            data["options"] = [
                {"option": bar.label, **bar.share.as_dict()} for bar in self.bars
            ]
        if self.mean is not None:
            data["mean"] = self.mean
        if self.numbers is not None:
            data["numbers"] = self.numbers.__dict__
        if self.type == "text":
            data["answers"] = self.texts
        return data


@dataclass(frozen=True)
class RatioReport:
    """A conditional percentage: of those meeting `given`, the share also meeting `then`."""

    label: str
    given: str
    then: str
    share: Share

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "given": self.given,
            "then": self.then,
            "numerator": self.share.count,
            "denominator": self.share.of,
            "percent": self.share.percent,
        }


@dataclass(frozen=True)
class Report:
    """A survey's report, or a course's (all its events' evaluations taken together)."""

    title: str
    survey_ids: list[int]
    anonymous: bool
    invited: int
    answered: int
    responses: int
    questions: list[QuestionReport]
    ratios: list[RatioReport]
    course_id: int | None = None
    utilisation: dict[str, Any] | None = None
    withheld: bool = (
        False  # anonymous, too few responses: questions and ratios left out
    )

    @property
    def response_rate(self) -> Share | None:
        """Invitations answered, of those sent; None when nobody was invited by the bot."""
        return Share(self.answered, self.invited) if self.invited else None

    def as_dict(self) -> dict[str, Any]:
        rate = self.response_rate
        return {
            "title": self.title,
            "survey_ids": self.survey_ids,
            "course_id": self.course_id,
            "anonymous": self.anonymous,
            "invited": self.invited,
            "answered": self.answered,
            "responses": self.responses,
            "response_rate": rate.percent if rate else None,
            "questions": [q.as_dict() for q in self.questions],
            "ratios": [r.as_dict() for r in self.ratios],
            "utilisation": self.utilisation,
            "withheld": WITHHELD if self.withheld else None,
        }
