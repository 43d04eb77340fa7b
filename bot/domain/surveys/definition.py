"""What a survey is: its questions, their conditions, who is asked and when. Validated here
once, whether it comes from a YAML file in config/surveys/ or from the web admin pages.

Answers are stored as a dict from question id to value: "yes"/"no" for yes_no, the option's
text for single, a list of option texts for multiple, an int for likert, an int or float
for number, and a string for text. A question whose `show_if` is not met is not asked, and
its answer, if one is sent anyway, is dropped.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

QuestionType = Literal["single", "multiple", "likert", "yes_no", "number", "text"]
Id = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]


class Condition(BaseModel):
    """Met when the answer to `question` equals `equals` (for a multiple-choice question:
    when that option is among the answers)."""

    model_config = ConfigDict(extra="forbid")
    question: Id
    equals: str | int | float | bool


class Scale(BaseModel):
    """A Likert scale: integers from `min` to `max`, with a label for each point."""

    model_config = ConfigDict(extra="forbid")
    min: int = 1
    max: int = 5
    labels: list[str] = []

    @model_validator(mode="after")
    def _labels_fit(self) -> Scale:
        if self.max <= self.min:
            raise ValueError("a scale's max must be above its min")
        if self.labels and len(self.labels) != self.max - self.min + 1:
            raise ValueError("a scale needs one label per point, or none")
        return self


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: Id
    type: QuestionType
    text: str = Field(min_length=1, max_length=500)
    help: str = Field(default="", max_length=500)
    required: bool = False
    options: list[str] = []  # single and multiple
    scale: Scale | None = None  # likert (default 1-5)
    min: float | None = None  # number
    max: float | None = None
    max_length: int = Field(default=2000, ge=1, le=10000)  # text
    show_if: Condition | None = None

    @model_validator(mode="after")
    def _fits_its_type(self) -> Question:
        choice = self.type in ("single", "multiple")
        if choice and len(self.options) < 2:
            raise ValueError(f"question {self.id!r} needs at least two options")
        if not choice and self.options:
            raise ValueError(
                f"question {self.id!r} is {self.type}: it takes no options"
            )
        if len(set(self.options)) != len(self.options):
            raise ValueError(f"question {self.id!r} has the same option twice")
        if self.type == "likert" and self.scale is None:
            self.scale = Scale()
        return self


class Audience(BaseModel):
    """Who is asked: everyone, members following any of `topics`, members of any of
    `organisations`, or the attendees of a forum session (`session`). Empty: everyone."""

    model_config = ConfigDict(extra="forbid")
    topics: list[str] = []
    organisations: list[str] = []
    session: int | None = None


class Ratio(BaseModel):
    """A conditional percentage for the report: of those whose answers meet `given`, the
    share whose answers also meet `then` ('of those aware, x% had used it')."""

    model_config = ConfigDict(extra="forbid")
    label: str
    given: Condition
    then: Condition


class Definition(BaseModel):
    """A whole survey, as written in YAML."""

    model_config = ConfigDict(extra="forbid")
    slug: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,99}$")]
    title: str = Field(min_length=1, max_length=300)
    description: str = ""
    sample: bool = False  # shipped as an example for a partnership to replace
    anonymous: bool = True
    audience: Audience = Audience()
    opens: datetime | None = None  # local time (the partnership's zone) when naive
    closes: datetime | None = None
    reminders: list[int] = []  # days after opening
    questions: list[Question] = Field(min_length=1, max_length=100)
    ratios: list[Ratio] = []

    @model_validator(mode="after")
    def _consistent(self) -> Definition:
        seen: dict[str, Question] = {}
        for question in self.questions:
            if question.id in seen:
                raise ValueError(f"two questions have the id {question.id!r}")
            if question.show_if and question.show_if.question not in seen:
                raise ValueError(
                    f"question {question.id!r} depends on {question.show_if.question!r}, "
                    "which must come before it"
                )
            if question.show_if:
                _can_be_met(
                    question.show_if, seen, f"question {question.id!r}'s condition"
                )
            seen[question.id] = question
        for ratio in self.ratios:
            for condition in (ratio.given, ratio.then):
                if condition.question not in seen:
                    raise ValueError(
                        f"ratio {ratio.label!r} names an unknown question "
                        f"{condition.question!r}"
                    )
                _can_be_met(condition, seen, f"ratio {ratio.label!r}")
        if self.opens and self.closes and self.closes <= self.opens:
            raise ValueError("a survey must close after it opens")
        return self


def _fits(question: Question, value: object) -> bool:
    """Whether an answer to `question` can ever equal `value` (as `met` compares)."""
    kind = question.type
    if kind == "yes_no":
        return isinstance(value, bool) or value in ("yes", "no")
    if kind in ("single", "multiple"):
        return isinstance(value, str) and value in question.options
    if isinstance(value, bool):  # True is an int to Python, never a point or a number
        return False
    if kind == "likert":
        scale = question.scale or Scale()
        return isinstance(value, int) and scale.min <= value <= scale.max
    if kind == "number":
        low = question.min if question.min is not None else -math.inf
        high = question.max if question.max is not None else math.inf
        return isinstance(value, int | float) and low <= value <= high
    return isinstance(value, str)


def _can_be_met(condition: Condition, seen: dict[str, Question], where: str) -> None:
    """Raises ValueError when the condition's value is no possible answer to its question
    (a likert point off the scale, an option not offered, "Yes" for yes/no...)."""
    question = seen[condition.question]
    if not _fits(question, condition.equals):
        raise ValueError(
            f"{where} can never be met: {condition.equals!r} is not a possible answer "
            f"to {question.type} question {question.id!r}"
        )


def met(condition: Condition, answers: dict[str, object]) -> bool:
    """Whether `answers` meet `condition` (a list answer meets it if it contains the value)."""
    given = answers.get(condition.question)
    if isinstance(given, list):
        return condition.equals in given
    if isinstance(condition.equals, bool) and isinstance(given, str):
        return given == ("yes" if condition.equals else "no")
    return given == condition.equals
