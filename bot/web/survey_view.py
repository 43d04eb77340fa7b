"""A survey's questions as the web form shows them: values to tick, what was entered, the
error next to each, and the condition the inline script uses to show or hide a question.

Without JavaScript every question shows; the server drops answers to questions whose
condition is not met (`bot.domain.surveys.check_answers`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from starlette.datastructures import FormData

from bot.domain.surveys.definition import Condition, Definition, Question


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class Shown:
    """One question on the page. `entered` holds the values to keep ticked or typed."""

    id: str
    type: str
    text: str
    help: str
    required: bool
    choices: list[Choice]
    entered: list[str]
    error: str | None
    show_if: tuple[str, str] | None
    max_length: int = 2000
    bounds: dict[str, float] = field(default_factory=dict)


def condition_value(condition: Condition) -> str:
    """The form value that meets a condition (a yes/no condition may be written as a
    YAML boolean)."""
    if isinstance(condition.equals, bool):
        return "yes" if condition.equals else "no"
    return str(condition.equals)


def _choices(question: Question) -> list[Choice]:
    if question.type == "yes_no":
        return [Choice("yes", "Yes"), Choice("no", "No")]
    if question.type == "likert" and question.scale:
        scale = question.scale
        points = range(scale.min, scale.max + 1)
        labels = scale.labels or [str(p) for p in points]
        return [
            Choice(str(p), f"{p} – {label}" if scale.labels else label)
            for p, label in zip(points, labels, strict=True)
        ]
    return [Choice(o, o) for o in question.options]


def _as_text(value: object) -> list[str]:
    if value is None or value == "":
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def shown_questions(
    definition: Definition,
    entered: Mapping[str, object] | None = None,
    errors: Mapping[str, str] | None = None,
) -> list[Shown]:
    entered, errors = entered or {}, errors or {}
    return [
        Shown(
            id=q.id,
            type=q.type,
            text=q.text,
            help=q.help,
            required=q.required,
            choices=_choices(q),
            entered=_as_text(entered.get(q.id)),
            error=errors.get(q.id),
            show_if=(q.show_if.question, condition_value(q.show_if))
            if q.show_if
            else None,
            max_length=q.max_length,
            bounds={k: v for k, v in (("min", q.min), ("max", q.max)) if v is not None},
        )
        for q in definition.questions
    ]


def posted_answers(definition: Definition, form: FormData) -> dict[str, object]:
    """The raw answers from a posted form: lists for multiple choice, text otherwise."""
    answers: dict[str, object] = {}
    for question in definition.questions:
        if question.type == "multiple":
            answers[question.id] = [str(v) for v in form.getlist(question.id)]
        else:
            value = form.get(question.id)
            answers[question.id] = value if isinstance(value, str) else None
    return answers
