"""Counting answers: per question, only those who were asked it; ratios as defined.

Pure functions over the answer dicts (see `definition`'s docstring for their shape), so one
query fetches the responses and everything else happens here, in one pass per question.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from bot.domain.surveys.definition import Condition, Definition, Question, met
from bot.domain.surveys.report_model import (
    Bar,
    Numbers,
    QuestionReport,
    RatioReport,
    Share,
)

Answers = Mapping[str, Any]
YES_NO = {"yes": "Yes", "no": "No"}


def tally(
    definition: Definition, responses: Sequence[Answers]
) -> tuple[list[QuestionReport], list[RatioReport]]:
    """Every question's report and every ratio's, from all the responses."""
    questions = [
        question_report(q, [a for a in responses if was_asked(q, a)])
        for q in definition.questions
    ]
    ratios = [
        ratio_report(r.label, r.given, r.then, responses) for r in definition.ratios
    ]
    return questions, ratios


def was_asked(question: Question, answers: Answers) -> bool:
    """Whether this respondent was shown the question: its condition, if any, was met."""
    return question.show_if is None or met(question.show_if, dict(answers))


def describe(condition: Condition | None) -> str:
    """'aware = yes': the condition in words, for the report."""
    if condition is None:
        return ""
    value = condition.equals
    if isinstance(value, bool):
        value = "yes" if value else "no"
    return f"{condition.question} = {value}"


def _given(value: object) -> bool:
    return value is not None and value != "" and value != []


def question_report(question: Question, asked: list[Answers]) -> QuestionReport:
    """One question's report from the answers of those who were asked it."""
    present: list[object] = [
        v for v in (a.get(question.id) for a in asked) if _given(v)
    ]
    return QuestionReport(
        id=question.id,
        type=question.type,
        text=question.text,
        condition=describe(question.show_if),
        shown=len(asked),
        answered=len(present),
        **figures(question, present, len(asked)),
    )


def figures(question: Question, present: list[object], shown: int) -> dict[str, Any]:
    """The part of a question's report that depends on its type."""
    kind = question.type
    if kind == "single":
        return {"bars": bars(question.options, map(str, present), shown)}
    if kind == "yes_no":
        labels = [YES_NO.get(_yes_no(v), str(v)) for v in present]
        return {"bars": bars(list(YES_NO.values()), labels, shown)}
    if kind == "multiple":
        chosen = [str(option) for v in present for option in _as_list(v)]
        return {"bars": bars(question.options, chosen, shown)}
    if kind == "likert":
        return _likert(question, present, shown)
    if kind == "number":
        return {"numbers": numbers(present)}
    return {"texts": [str(v) for v in present]}


def _yes_no(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _as_list(value: object) -> list[object]:
    return list(value) if isinstance(value, list) else [value]


def bars(labels: list[str], chosen: Iterable[str], shown: int) -> list[Bar]:
    """A bar per label, in order; answers matching no label (an option since renamed) are
    shown after them rather than silently dropped."""
    counts = Counter(chosen)
    order = labels + [label for label in counts if label not in labels]
    return [Bar(label, Share(counts[label], shown)) for label in order]


def _likert(question: Question, present: list[object], shown: int) -> dict[str, Any]:
    scale = question.scale
    assert scale is not None  # the definition gives every likert question a scale
    points = list(range(scale.min, scale.max + 1))
    names = {
        point: f"{point} {scale.labels[n]}" if scale.labels else str(point)
        for n, point in enumerate(points)
    }
    scores = _numeric(present)
    labels = [
        (names.get(int(v)) if v.is_integer() else None) or f"{v:g}" for v in scores
    ]
    mean = round(statistics.fmean(scores), 2) if scores else None
    return {"bars": bars(list(names.values()), labels, shown), "mean": mean}


def _numeric(values: list[object]) -> list[float]:
    """The answers that are numbers (JSON gives int or float; a bool is not a number here)."""
    return [
        float(v)
        for v in values
        if isinstance(v, int | float) and not isinstance(v, bool)
    ]


def numbers(present: list[object]) -> Numbers | None:
    """Mean, median, lowest and highest of the numeric answers (None if there are none)."""
    values = _numeric(present)
    if not values:
        return None
    return Numbers(
        mean=round(statistics.fmean(values), 2),
        median=round(statistics.median(values), 2),
        min=min(values),
        max=max(values),
    )


def ratio_report(
    label: str, given: Condition, then: Condition, responses: Sequence[Answers]
) -> RatioReport:
    """Of the responses meeting `given`, how many also meet `then`."""
    meeting = [a for a in responses if met(given, dict(a))]
    both = sum(1 for a in meeting if met(then, dict(a)))
    return RatioReport(
        label, describe(given), describe(then), Share(both, len(meeting))
    )
