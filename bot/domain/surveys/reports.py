"""Survey and course reports: gather the responses in one query, count in Python.

A course's report takes every evaluation of its events together (evaluation surveys have kind
"evaluation" and the event's id), so the learning team sees a course, not 12 runs of it.
The CSV export has one row per response and one column per question; an anonymous survey's
has no respondent column, as its responses have none to give.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.spreadsheets import safe_cell, write_csv
from bot.domain.surveys.definition import Definition
from bot.domain.surveys.report_model import MIN_ANONYMOUS_RESPONSES, Report
from bot.domain.surveys.store import definition_of, get_survey
from bot.domain.surveys.tally import tally, was_asked
from bot.domain.training import utilisation
from bot.errors import NotFoundError
from bot.store.tables import (
    Booking,
    Course,
    Member,
    Survey,
    SurveyInvitation,
    SurveyResponse,
    TrainingEvent,
)


@dataclass(frozen=True)
class Answered:
    """One response as the report reads it."""

    survey_id: int
    respondent: str | None
    submitted_at: datetime | None
    answers: dict[str, Any]


@dataclass(frozen=True)
class Collected:
    """What a report is built from: the surveys, one definition for them all, the answers."""

    title: str
    surveys: list[Survey]
    definition: Definition | None  # None: a course with no evaluations yet
    responses: list[Answered]
    invited: int
    answered: int
    course_id: int | None = None

    @property
    def anonymous(self) -> bool:
        return all(s.anonymous for s in self.surveys)


async def collect_survey(session: AsyncSession, survey_id: int) -> Collected:
    """Raises:
    SurveyNotFoundError: No survey has that id.
    """
    survey = await get_survey(session, survey_id)
    return await _collect(session, survey.title, [survey], definition_of(survey))


async def collect_course(session: AsyncSession, course_id: int) -> Collected:
    """All the evaluations of a course's events, as one.

    Raises:
        NotFoundError: No course has that id.
    """
    course = await session.get(Course, course_id)
    if course is None:
        raise NotFoundError(f"There is no course {course_id}.")
    events = select(TrainingEvent.id).where(col(TrainingEvent.course_id) == course_id)
    linked = select(TrainingEvent.evaluation_survey_id).where(
        col(TrainingEvent.course_id) == course_id
    )
    statement = (
        select(Survey)
        .where(col(Survey.kind) == "evaluation")
        .where(or_(col(Survey.event_id).in_(events), col(Survey.id).in_(linked)))
        .order_by(col(Survey.id))
    )
    surveys = list((await session.exec(statement)).all())
    definitions = [definition_of(s) for s in surveys]
    definition = merge(definitions) if definitions else None
    title = f"{course.title}: evaluations"
    return await _collect(session, title, surveys, definition, course_id=course_id)


def merge(definitions: Sequence[Definition]) -> Definition:
    """One definition for several evaluations: every question and ratio, by id and label,
    the first wording winning (events of a course normally share one set of questions)."""
    questions = {q.id: q for d in reversed(definitions) for q in d.questions}
    ratios = {r.label: r for d in reversed(definitions) for r in d.ratios}
    order = list(dict.fromkeys(q.id for d in definitions for q in d.questions))
    return definitions[0].model_copy(
        update={
            "questions": [questions[i] for i in order],
            "ratios": list(ratios.values()),
        }
    )


async def _collect(
    session: AsyncSession,
    title: str,
    surveys: list[Survey],
    definition: Definition | None,
    *,
    course_id: int | None = None,
) -> Collected:
    ids = [s.id for s in surveys if s.id is not None]
    counts = await session.exec(
        select(col(SurveyInvitation.answered), func.count())
        .where(col(SurveyInvitation.survey_id).in_(ids))
        .group_by(col(SurveyInvitation.answered))
    )
    by_answered = {bool(answered): n for answered, n in counts.all()}
    rows = await session.exec(
        select(
            SurveyResponse.survey_id,
            SurveyResponse.respondent,
            SurveyResponse.submitted_at,
            SurveyResponse.answers,
        )
        .where(col(SurveyResponse.survey_id).in_(ids))
        .order_by(
            col(SurveyResponse.survey_id),
            col(SurveyResponse.submitted_at),
            col(SurveyResponse.id),
        )
    )
    responses = [Answered(*row) for row in rows.all()]
    invited = by_answered.get(True, 0) + by_answered.get(False, 0)
    return Collected(
        title,
        surveys,
        definition,
        responses,
        invited,
        by_answered.get(True, 0),
        course_id,
    )


def build_report(collected: Collected) -> Report:
    """The report: response rate, each question's answers, the ratios (for an anonymous
    survey with too few responses, the rate only: see `too_few`)."""
    answers = [r.answers for r in collected.responses]
    withheld = too_few(collected)
    questions, ratios = (
        tally(collected.definition, answers)
        if collected.definition and not withheld
        else ([], [])
    )
    return Report(
        title=collected.title,
        survey_ids=[s.id for s in collected.surveys if s.id is not None],
        anonymous=collected.anonymous,
        invited=collected.invited,
        answered=collected.answered,
        responses=len(collected.responses),
        questions=questions,
        ratios=ratios,
        course_id=collected.course_id,
        withheld=withheld,
    )


def too_few(collected: Collected) -> bool:
    """An anonymous survey with some, but fewer than MIN_ANONYMOUS_RESPONSES, responses:
    its answers are not shown anywhere (report, JSON, CSV rows)."""
    return (
        collected.anonymous and 0 < len(collected.responses) < MIN_ANONYMOUS_RESPONSES
    )


async def survey_report(session: AsyncSession, survey_id: int) -> Report:
    """Raises:
    SurveyNotFoundError: No survey has that id.
    """
    return build_report(await collect_survey(session, survey_id))


async def course_report(session: AsyncSession, course_id: int) -> Report:
    """A course's evaluations together, with its utilisation.

    Raises:
        NotFoundError: No course has that id.
    """
    return await with_utilisation(
        session, build_report(await collect_course(session, course_id))
    )


async def with_utilisation(session: AsyncSession, report: Report) -> Report:
    """A course report with the course's utilisation (places offered against delegates
    attending), in total and per event. A survey's report comes back as it was."""
    if report.course_id is None:
        return report
    events = await utilisation.event_figures(session, course_id=report.course_id)
    courses = utilisation.by_course(events)
    figures = {
        **(courses[0].as_dict() if courses else {}),
        "per_event": [e.as_dict() for e in events],
    }
    return replace(report, utilisation=figures)


async def responses_csv(session: AsyncSession, collected: Collected) -> str:
    """Every response, one row each, safe to open in a spreadsheet (a typed '=...' stays
    text). Named surveys get who answered and when; anonymous ones get neither, and no
    rows at all while too few have answered (`too_few`)."""
    definition = collected.definition
    questions = definition.questions if definition else []
    several = len(collected.surveys) > 1
    named = not collected.anonymous
    slugs = {s.id: s.slug for s in collected.surveys}
    names = await respondent_names(session, collected.responses) if named else {}
    header = [*(["survey"] if several else [])]
    header += ["respondent", "submitted at (UTC)"] if named else []
    header += [safe_cell(q.text) for q in questions]
    rows = []
    for response in [] if too_few(collected) else collected.responses:
        row: list[object] = [slugs.get(response.survey_id, "")] if several else []
        if named:
            when = response.submitted_at
            row += [
                names.get(response.respondent or "", ""),
                when.isoformat(timespec="seconds") if when else "",
            ]
        row += [
            cell(response.answers.get(q.id)) if was_asked(q, response.answers) else ""
            for q in questions
        ]
        rows.append(row)
    return write_csv(header, rows)


def cell(value: object) -> str:
    """An answer as one spreadsheet cell: choices joined by '; ', yes/no as words."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


async def respondent_names(
    session: AsyncSession, responses: Sequence[Answered]
) -> dict[str, str]:
    """'member:ID' and 'booking:ID' as 'Name <email>', in two queries."""
    wanted: dict[str, set[int]] = {"member": set(), "booking": set()}
    for response in responses:
        kind, _, number = (response.respondent or "").partition(":")
        if kind in wanted and number.isdigit():
            wanted[kind].add(int(number))
    found: dict[str, str] = {}
    members = select(Member).where(col(Member.id).in_(wanted["member"]))
    for member in (await session.exec(members)).all():
        found[f"member:{member.id}"] = _person(member.name, member.email)
    bookings = select(Booking).where(col(Booking.id).in_(wanted["booking"]))
    for booking in (await session.exec(bookings)).all():
        found[f"booking:{booking.id}"] = _person(booking.name, booking.email)
    return found


def _person(name: str | None, email: str | None) -> str:
    if not email:
        return "(erased)"
    return f"{name} <{email}>" if name else email
