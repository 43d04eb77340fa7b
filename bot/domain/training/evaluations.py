"""The evaluation after each course: made once per event, sent to those who attended.

A configurable time after an event ends (settings.evaluation_delay_minutes), and once its
attendance is known, the event gets its own evaluation survey (kind "evaluation", linked
both ways: Survey.event_id and TrainingEvent.evaluation_survey_id) from the default
questions, and each delegate marked as attended is invited through the survey engine: a
Slack DM with an Answer button for members who use Slack, else an email with a link to the
web form. The engine keeps one response per delegate and sends the reminders
(settings.evaluation_reminder_days) to those who have not answered.

Evaluations are anonymous: delegates are more candid about a trainer when their name is
not attached, and the learning team reads them per course, not per person. The engine
keeps only a separate "has answered" mark, for the reminders.

Attendance recorded late (an import a week after the event) still reaches the delegates:
while an evaluation is open, every run invites attended delegates not yet invited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain import surveys
from bot.domain.membership import Mailroom
from bot.domain.surveys.definition import Definition, Question, Scale
from bot.domain.training.events import CANCELLED
from bot.store.tables import Booking, Course, SurveyInvitation, TrainingEvent

OPEN_DAYS = (
    28  # how long an evaluation takes answers, and so how long late attendance counts
)
OVERRIDE = Path("evaluations") / "default.yaml"  # under settings.surveys_dir
CONFIDENCE = Scale(labels=["Not at all", "A little", "Somewhat", "Quite", "Very"])
DEFAULT = Definition(
    slug="evaluation-default",
    title="Course evaluation",
    description="A few minutes about the course you attended; it shapes the next ones.",
    anonymous=True,
    questions=[
        Question(
            id="overall",
            type="likert",
            text="Overall, how would you rate the course?",
            required=True,
            scale=Scale(labels=["Poor", "Fair", "Good", "Very good", "Excellent"]),
        ),
        Question(
            id="objectives_met",
            type="yes_no",
            text="Did the course meet its learning objectives?",
            required=True,
        ),
        Question(
            id="confidence_before",
            type="likert",
            text="How confident were you in this area before the course?",
            scale=CONFIDENCE,
        ),
        Question(
            id="confidence_after",
            type="likert",
            text="How confident are you in this area now?",
            scale=CONFIDENCE,
        ),
        Question(
            id="do_differently",
            type="text",
            text="What will you do differently in your practice?",
            help="Please do not name or describe children or families.",
        ),
        Question(id="comments", type="text", text="Any other comments?"),
    ],
)


def default_definition(surveys_dir: Path) -> Definition:
    """The evaluation questions: `{surveys_dir}/evaluations/default.yaml` if the partnership
    wrote one (a folder of its own, so importing config/surveys does not make it a survey),
    else the built-in ones above."""
    path = surveys_dir / OVERRIDE
    return surveys.read_definition(path) if path.is_file() else DEFAULT


@dataclass(frozen=True)
class EvaluationRules:
    """What the job needs from settings, built once by the caller."""

    questions: Definition
    delay: timedelta
    reminder_days: tuple[int, ...]
    zone: ZoneInfo


def for_event(
    rules: EvaluationRules, event: TrainingEvent, course: str, now: datetime
) -> Definition:
    """This event's copy of the questions: its own slug, its course and date in the title."""
    day = f"{event.starts_at.astimezone(rules.zone):%d %B %Y}"
    return rules.questions.model_copy(
        update={
            "slug": f"evaluation-event-{event.id}",
            "title": f"Evaluation: {course} ({day})"[:300],
            "opens": now,
            "closes": now + timedelta(days=OPEN_DAYS),
            "reminders": list(rules.reminder_days),
        }
    )


async def _due_events(
    session: AsyncSession, rules: EvaluationRules, now: datetime
) -> list[tuple[TrainingEvent, str]]:
    """Events that ended at least `delay` ago (and within the open period) with attendance."""
    attended = select(Booking.event_id).where(col(Booking.attended).is_(True))
    rows = await session.exec(
        select(TrainingEvent, Course.title)
        .join(Course, col(Course.id) == col(TrainingEvent.course_id))
        .where(
            col(TrainingEvent.status) != CANCELLED,
            col(TrainingEvent.ends_at) <= now - rules.delay,
            col(TrainingEvent.ends_at) > now - rules.delay - timedelta(days=OPEN_DAYS),
            col(TrainingEvent.id).in_(attended),
        )
        .order_by(col(TrainingEvent.ends_at))
    )
    return list(rows.all())


async def evaluation_for(
    session: AsyncSession,
    rules: EvaluationRules,
    event: TrainingEvent,
    course: str,
    *,
    now: datetime,
) -> int:
    """The event's evaluation survey, made and opened the first time. Flushes."""
    if event.evaluation_survey_id is not None:
        return event.evaluation_survey_id
    survey = await surveys.save_definition(
        session,
        for_event(rules, event, course, now),
        kind="evaluation",
        event_id=event.id,
        zone=rules.zone,
        now=now,
    )
    await surveys.set_status(session, survey.id or 0, surveys.OPEN, now=now)
    event.evaluation_survey_id = survey.id
    session.add(event)
    await session.flush()
    return survey.id or 0


async def _uninvited(session: AsyncSession, event_id: int, survey_id: int) -> list[str]:
    """Respondent keys of attended delegates not yet invited to the evaluation."""
    invited = select(SurveyInvitation.respondent).where(
        col(SurveyInvitation.survey_id) == survey_id
    )
    ids = await session.exec(
        select(Booking.id).where(
            col(Booking.event_id) == event_id, col(Booking.attended).is_(True)
        )
    )
    keys = [surveys.booking_key(i) for i in ids.all() if i is not None]
    done = set((await session.exec(invited)).all())
    return [k for k in keys if k not in done]


async def send_due(
    session: AsyncSession, room: Mailroom, rules: EvaluationRules, *, now: datetime
) -> int:
    """Make the evaluations that are due and invite the attended delegates not yet asked.
    The caller commits. Returns how many delegates were invited."""
    invited = 0
    for event, course in await _due_events(session, rules, now):
        survey_id = await evaluation_for(session, rules, event, course, now=now)
        if not surveys.is_open(await surveys.get_survey(session, survey_id), now):
            continue
        keys = await _uninvited(session, event.id or 0, survey_id)
        found = await surveys.respondents_for(session, keys)
        invited += await surveys.invite(
            session,
            survey_id,
            [found[k] for k in keys if k in found],
            post=room,
            zone=rules.zone,
            now=now,
        )
    return invited
