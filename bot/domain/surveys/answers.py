"""Checking a set of answers against a survey's definition, whatever channel sent them.

The web form sends strings (and lists of strings for multiple choice), Slack sends its
own shapes already turned into the same: so everything is accepted as text and turned into
the stored types here. Questions whose condition is not met are not asked: their answers are
dropped, and their `required` does not apply.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from bot.domain.surveys.definition import Definition, Question, met
from bot.errors import InvalidInputError

Answer = str | int | float | list[str]
# Control characters but tab and newline (C0, DEL, C1): an escape sequence in an answer
# would otherwise drive the terminal of whoever reads the report (`surveys report`).
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class AnswersError(InvalidInputError):
    """Some answers are missing or do not fit; `errors` maps question ids to a message
    each, so a form can show them next to their fields."""

    def __init__(self, errors: dict[str, str]) -> None:
        count = len(errors)
        super().__init__(
            f"{count} answer{'s' if count != 1 else ''} need{'s' if count == 1 else ''}"
            " attention: " + " ".join(errors.values()),
            field=next(iter(errors)),
        )
        self.errors = errors


def _blank(value: object) -> bool:
    return (
        value is None
        or value == ""
        or value == []
        or (isinstance(value, str) and not value.strip())
    )


def _number(question: Question, value: object) -> int | float:
    try:
        number = float(str(value).strip().replace(",", ""))
    except ValueError:
        raise ValueError("Write a number, such as 3 or 2.5.") from None
    if not math.isfinite(number):
        raise ValueError("Write a number, such as 3 or 2.5.")
    if question.min is not None and number < question.min:
        raise ValueError(f"Give a number of at least {question.min:g}.")
    if question.max is not None and number > question.max:
        raise ValueError(f"Give a number of at most {question.max:g}.")
    return int(number) if number.is_integer() else number


def _likert(question: Question, value: object) -> int:
    assert question.scale is not None
    low, high = question.scale.min, question.scale.max
    try:
        point = int(str(value).strip())
    except ValueError:
        raise ValueError(f"Choose a point from {low} to {high}.") from None
    if not low <= point <= high:
        raise ValueError(f"Choose a point from {low} to {high}.")
    return point


def _choices(question: Question, value: object) -> list[str]:
    chosen = [str(v) for v in (value if isinstance(value, list) else [value])]
    unknown = [c for c in chosen if c not in question.options]
    if unknown:
        raise ValueError(f"{unknown[0]!r} is not one of the options.")
    return [o for o in question.options if o in chosen]  # the definition's order


def _one(question: Question, value: object) -> Answer:
    """One answer in its stored type.

    Raises:
        ValueError: With the message to show next to the question.
    """
    kind = question.type
    if kind == "yes_no":
        text = str(value).strip().lower()
        if text not in ("yes", "no"):
            raise ValueError("Choose yes or no.")
        return text
    if kind == "single":
        if isinstance(value, list) or str(value) not in question.options:
            raise ValueError("Choose one of the options.")
        return str(value)
    if kind == "multiple":
        return _choices(question, value)
    if kind == "likert":
        return _likert(question, value)
    if kind == "number":
        return _number(question, value)
    text = _CONTROLS.sub("", str(value).replace("\r\n", "\n")).strip()
    if len(text) > question.max_length:
        raise ValueError(f"Keep this answer under {question.max_length} characters.")
    return text


def converted(question: Question, value: object) -> Answer | None:
    """One raw answer in its stored type, or None when blank or not fitting: what a
    condition on this question is checked against (the Slack modal uses it while the
    person is still answering, as `check_answers` does on submit)."""
    if _blank(value):
        return None
    try:
        return _one(question, value)
    except ValueError:
        return None


def check_answers(
    definition: Definition, raw: Mapping[str, object]
) -> dict[str, Answer]:
    """The answers to keep, in stored types, in question order.

    Raises:
        AnswersError: A required question shown was not answered, or an answer does not
            fit its question (every problem at once, by question id).
    """
    kept: dict[str, Answer] = {}
    errors: dict[str, str] = {}
    for question in definition.questions:
        if question.show_if and not met(question.show_if, dict(kept)):
            continue
        value = raw.get(question.id)
        if _blank(value):
            if question.required:
                errors[question.id] = "Please answer this question."
            continue
        try:
            kept[question.id] = _one(question, value)
        except ValueError as exc:
            errors[question.id] = str(exc)
    if errors:
        raise AnswersError(errors)
    return kept
